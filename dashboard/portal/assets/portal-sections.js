// The dashboard's sections, drawn from the portal API's JSON: KPI cards, the followers and weekly reads
// charts (each with its numbers as a table), quotas, SLA, campaigns and top articles. The same functions
// draw the live dashboard (portal-dashboard.js, which fetches the data) and the monthly report
// (portal-report.js, which reads the data embedded in the page), so the two never drift apart.
import { COLOURS, clearChart, dayNumber, drawLineChart, series } from './portal-charts.js';
import { clipped, dataTable, el, fmt, pct, STATUS_LABELS, statusBadge } from './portal-common.js';
import { t } from './portal-i18n.js';

const METRIC_LABELS = {
  followers_total: t('粉丝总数'),
  net_new_followers: t('净增粉丝'),
  weekly_average_reads: t('周均阅读量'),
  monthly_original_articles: t('每月原创文章'),
  campaigns_per_year: t('每年主题活动'),
  features_per_year: t('每年特色栏目'),
  topic_pages_per_year: t('每年专题页'),
  sla_compliance_rate: t('发布时效达标率'),
};
const PERCENT_METRICS = new Set(['sla_compliance_rate']);
window.Chart.defaults.font.family =
  '"Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", system-ui, sans-serif';

const $ = (id) => document.getElementById(id);

/** How the texts name the period shown: the dashboard's chosen range, or the report's month. */
let range = t('所选范围内');
export function describeRangeAs(words) {
  range = words;
}
const valueText = (metric, v) => (PERCENT_METRICS.has(metric) ? pct(v) : fmt(v, 2));

/** The next milestone still ahead, else the last one: the target a card shows. */
function currentMilestone(growth) {
  return growth.milestones.find((m) => m.state === 'upcoming') ?? growth.milestones.at(-1) ?? null;
}

function kpiCard({ target, growth, quota }) {
  const status = (growth ?? quota)?.status ?? 'at_risk';
  const rows = [];
  if (growth) {
    const m = currentMilestone(growth);
    rows.push([t('当前值'), valueText(target.metric, growth.current)]);
    rows.push([
      m ? t('目标（{date}）', { date: m.date }) : t('目标'),
      m ? valueText(target.metric, m.target) : '—',
    ]);
    rows.push([t('完成比例'), pct(m?.percentOfTarget ?? null)]);
    rows.push([
      t('所需周增长'),
      m?.requiredWeeklyGrowth === null || m?.requiredWeeklyGrowth === undefined
        ? '—'
        : t('{value} / 周', { value: valueText(target.metric, m.requiredWeeklyGrowth) }),
    ]);
  } else if (quota) {
    rows.push([t('已完成'), fmt(quota.done)]);
    rows.push([
      t('要求（{from} 至 {to}）', { from: quota.periodStart, to: quota.periodEnd }),
      fmt(quota.required),
    ]);
    rows.push([
      t('完成比例'),
      pct(quota.required ? Math.round((quota.done / quota.required) * 1000) / 10 : null),
    ]);
    rows.push([t('按进度应完成'), fmt(quota.expectedByNow, 2)]);
  }
  return el(
    'article',
    {
      class: `card status-${status}`,
      'aria-label': t('{name}：{status}', { name: target.name, status: STATUS_LABELS[status] ?? status }),
    },
    el('h3', {}, clipped(target.name)),
    el('p', { class: 'metric muted' }, METRIC_LABELS[target.metric] ?? target.metric),
    statusBadge(status),
    el(
      'dl',
      {},
      rows.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]),
    ),
    el('p', { class: 'reason' }, (growth ?? quota)?.statusReason ?? ''),
  );
}

export function renderKpi(kpi) {
  const cards = $('kpi-cards');
  cards.replaceChildren();
  if (!kpi || kpi.items.length === 0) {
    $('kpi-summary').textContent = t('尚未设置合同目标。目标由运营团队按合同录入后在此显示。');
    return;
  }
  const c = kpi.counts;
  $('kpi-summary').textContent = t(
    '截至 {today}：{onTrack} {on} 项，{atRisk} {risk} 项，{offTrack} {off} 项。',
    {
      today: kpi.today,
      onTrack: STATUS_LABELS.on_track,
      on: c.on_track,
      atRisk: STATUS_LABELS.at_risk,
      risk: c.at_risk,
      offTrack: STATUS_LABELS.off_track,
      off: c.off_track,
    },
  );
  cards.append(...kpi.items.map(kpiCard));
}

/** Shows a chart, or its empty message; returns whether there was anything to draw. */
function chartOrEmpty(id, hasData) {
  const canvas = $(`${id}-chart`);
  canvas.parentElement.hidden = !hasData;
  $(`${id}-empty`).hidden = hasData;
  if (!hasData) clearChart(canvas);
  return canvas;
}

export function renderFollowers(points, kpi) {
  const target = kpi?.items.find((i) => i.target.metric === 'followers_total' && i.growth);
  const growth = target?.growth ?? null;
  const actual = points
    .filter((p) => p.followers !== null)
    .map((p) => ({ x: dayNumber(p.period), y: p.followers }));
  const milestones = growth?.milestones ?? [];
  const canvas = chartOrEmpty('followers', actual.length > 0);
  if (actual.length > 0) {
    const datasets = [series(t('粉丝总数'), COLOURS.primary, actual)];
    if (milestones.length > 0) {
      datasets.push(
        series(
          t('合同目标'),
          COLOURS.target,
          milestones.map((m) => ({ x: dayNumber(m.date), y: m.target })),
          { showLine: false, pointRadius: 6, pointStyle: 'rectRot' },
        ),
      );
      const last = actual.at(-1);
      const forecast = milestones.filter((m) => m.forecast !== null && dayNumber(m.date) > last.x);
      if (forecast.length > 0)
        datasets.push(
          series(
            t('趋势预测'),
            COLOURS.forecast,
            [last, ...forecast.map((m) => ({ x: dayNumber(m.date), y: m.forecast }))],
            {
              borderDash: [6, 4],
            },
          ),
        );
    }
    drawLineChart(canvas, { datasets, yTitle: t('粉丝数') });
    const m = growth ? currentMilestone(growth) : null;
    canvas.setAttribute(
      'aria-label',
      t('粉丝总数折线图：最新 {latest}', { latest: fmt(actual.at(-1).y) }) +
        (m
          ? t('，{date} 目标 {target}，预测 {forecast}', {
              date: m.date,
              target: fmt(m.target),
              forecast: fmt(m.forecast),
            })
          : ''),
    );
  }
  const table = $('followers-table');
  table.replaceChildren(
    points.length
      ? dataTable(
          t('粉丝总数（按所选粒度，期初日期）'),
          [
            { label: t('期间'), value: (p) => p.period },
            { label: t('粉丝总数'), value: (p) => fmt(p.followers), numeric: true },
            { label: t('新增'), value: (p) => fmt(p.newFollowers), numeric: true },
            { label: t('取关'), value: (p) => fmt(p.lostFollowers), numeric: true },
            { label: t('净增'), value: (p) => fmt(p.netFollowers), numeric: true },
          ],
          points,
        )
      : el('p', { class: 'empty' }, t('暂无数据')),
    milestones.length
      ? dataTable(
          t('合同节点目标与预测'),
          [
            { label: t('节点日期'), value: (m) => m.date },
            { label: t('目标'), value: (m) => fmt(m.target), numeric: true },
            { label: t('预测'), value: (m) => fmt(m.forecast), numeric: true },
            { label: t('完成比例'), value: (m) => pct(m.percentOfTarget), numeric: true },
            { label: t('所需周增长'), value: (m) => fmt(m.requiredWeeklyGrowth, 2), numeric: true },
          ],
          milestones,
        )
      : el('p', { class: 'muted' }, t('未设置粉丝目标')),
  );
}

export function renderReads(weekly, kpi) {
  const target = kpi?.items.find((i) => i.target.metric === 'weekly_average_reads' && i.growth);
  const baseline = target?.growth?.baselineValue ?? null;
  const actual = weekly.filter((p) => p.reads !== null).map((p) => ({ x: dayNumber(p.period), y: p.reads }));
  const canvas = chartOrEmpty('reads', actual.length > 0);
  const lines =
    baseline === null
      ? []
      : [
          [t('基线'), COLOURS.baseline, baseline],
          [t('基线 +10%'), COLOURS.plus10, baseline * 1.1],
          [t('基线 +20%'), COLOURS.plus20, baseline * 1.2],
        ];
  if (actual.length > 0) {
    const first = actual[0].x;
    const last = actual.at(-1).x;
    drawLineChart(canvas, {
      yTitle: t('阅读量'),
      datasets: [
        series(t('周阅读量'), COLOURS.primary, actual),
        ...lines.map(([label, colour, y]) =>
          series(
            label,
            colour,
            [
              { x: first, y },
              { x: last, y },
            ],
            { pointRadius: 0, borderDash: [4, 4], borderWidth: 1.5 },
          ),
        ),
      ],
    });
    canvas.setAttribute(
      'aria-label',
      t('周阅读量折线图：最近一周 {latest}', { latest: fmt(actual.at(-1).y) }) +
        (baseline === null ? t('，未设置基线') : t('，基线 {baseline}', { baseline: fmt(baseline) })),
    );
  }
  $('reads-note').textContent =
    baseline === null
      ? t('每周（周一至周日）阅读量。尚未设置周均阅读量目标，因此不显示基线。')
      : t('每周（周一至周日）阅读量；基线 {baseline}，+10% 为 {plus10}，+20% 为 {plus20}。', {
          baseline: fmt(baseline),
          plus10: fmt(baseline * 1.1),
          plus20: fmt(baseline * 1.2),
        });
  $('reads-table').replaceChildren(
    weekly.length
      ? dataTable(
          t('周阅读量（周一起始日期）'),
          [
            { label: t('周'), value: (p) => p.period },
            { label: t('阅读量'), value: (p) => fmt(p.reads), numeric: true },
            { label: t('阅读人数'), value: (p) => fmt(p.readers), numeric: true },
            { label: t('分享'), value: (p) => fmt(p.shares), numeric: true },
            {
              label: t('相对基线'),
              value: (p) =>
                baseline && p.reads !== null ? pct(Math.round((p.reads / baseline - 1) * 1000) / 10) : '—',
              numeric: true,
            },
          ],
          weekly,
        )
      : el('p', { class: 'empty' }, t('暂无数据')),
  );
}

export function renderQuotas(kpi) {
  const box = $('quotas');
  const quotas = (kpi?.items ?? []).filter((i) => i.quota);
  if (quotas.length === 0) {
    box.replaceChildren(el('p', { class: 'empty' }, t('尚未设置内容配额目标')));
    return;
  }
  box.replaceChildren(
    el(
      'ul',
      { class: 'quotas' },
      quotas.map(({ target, quota }) => {
        const label = t('{name}：已完成 {done} / {required}', {
          name: target.name,
          done: fmt(quota.done),
          required: fmt(quota.required),
        });
        return el(
          'li',
          {},
          el('div', { class: 'quota-head' }, clipped(target.name, 'strong'), statusBadge(quota.status)),
          el('progress', {
            max: String(Math.max(quota.required, 1)),
            value: String(Math.min(quota.done, quota.required)),
            'aria-label': label,
          }),
          el(
            'p',
            { class: 'muted' },
            t('已完成 {done} / 要求 {required}（{from} 至 {to}，按进度应完成 {expected}）', {
              done: fmt(quota.done),
              required: fmt(quota.required),
              from: quota.periodStart,
              to: quota.periodEnd,
              expected: fmt(quota.expectedByNow, 2),
            }),
          ),
        );
      }),
    ),
  );
}

export function renderSla(kpi) {
  const item = kpi?.items.find((i) => i.target.metric === 'sla_compliance_rate' && i.growth);
  const box = $('sla');
  if (!item) {
    box.replaceChildren(el('p', { class: 'empty' }, t('尚未设置发布时效（SLA）目标')));
    return;
  }
  const m = currentMilestone(item.growth);
  box.replaceChildren(
    el(
      'div',
      { class: 'sla' },
      el('p', { class: 'big' }, pct(item.growth.current)),
      statusBadge(item.growth.status),
      el(
        'p',
        {},
        t('目标 {target}（审定后工作日 1 小时内、非工作日 2 小时内发布）', {
          target: m ? pct(m.target) : '—',
        }),
      ),
      el('p', { class: 'muted' }, item.growth.statusReason),
    ),
  );
}

/** Campaign details (as GET /portal/api/campaigns/:id) as a table; `total` counts those not shown. */
export function renderCampaigns(details, total = details.length) {
  const box = $('campaigns');
  if (details.length === 0) {
    box.replaceChildren(el('p', { class: 'empty' }, t('{range}暂无营销活动', { range })));
    return;
  }
  box.replaceChildren(
    dataTable(
      t('营销活动及效果'),
      [
        { label: t('活动'), value: (c) => clipped(c.name) },
        { label: t('起止日期'), value: (c) => t('{from} 至 {to}', { from: c.startsOn, to: c.endsOn }) },
        { label: t('天数'), value: (c) => fmt(c.days), numeric: true },
        { label: t('关联内容'), value: (c) => fmt(c.results.linkedContents), numeric: true },
        { label: t('阅读量'), value: (c) => fmt(c.results.reads.total), numeric: true },
        { label: t('净增粉丝'), value: (c) => fmt(c.results.netFollowers.total), numeric: true },
        { label: t('较活动前'), value: (c) => pct(c.results.netFollowers.upliftPercent), numeric: true },
        {
          label: t('目标达成'),
          value: (c) =>
            c.results.goals.length === 0
              ? '—'
              : c.results.goals
                  .map(
                    (g) =>
                      `${g.met === null ? t('待统计') : g.met ? t('已达成') : t('未达成')} ${pct(g.percent)}`,
                  )
                  .join(t('；')),
        },
      ],
      details,
    ),
  );
  if (total > details.length)
    box.append(
      el(
        'p',
        { class: 'muted' },
        t('仅显示前 {shown} 个活动，共 {total} 个。', { shown: details.length, total }),
      ),
    );
}

/** The most-read articles of the range (GET /portal/api/top-articles). */
export function renderTopArticles(items) {
  const box = $('top-articles');
  if (items.length === 0) {
    box.replaceChildren(el('p', { class: 'empty' }, t('{range}暂无文章数据', { range })));
    return;
  }
  box.replaceChildren(
    dataTable(
      t('热门文章（按{range}的阅读量排序）', { range }),
      [
        { label: t('排名'), value: (_a, i) => String(i + 1), numeric: true },
        { label: t('标题'), value: (a) => clipped(a.title) },
        { label: t('账号'), value: (a) => clipped(a.account) },
        { label: t('首次有数据'), value: (a) => a.firstDay },
        { label: t('阅读量'), value: (a) => fmt(a.reads), numeric: true },
        { label: t('分享'), value: (a) => fmt(a.shares), numeric: true },
        { label: t('点赞'), value: (a) => fmt(a.likes), numeric: true },
      ],
      items,
    ),
  );
}

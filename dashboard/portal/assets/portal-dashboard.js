import { ApiError, api, dataTable, el, setStatus, showError, startSession } from './portal-common.js';
import { locale, t } from './portal-i18n.js';
import {
  renderCampaigns,
  renderFollowers,
  renderKpi,
  renderQuotas,
  renderReads,
  renderSla,
  renderTopArticles,
} from './portal-sections.js';

const REPORT_STATUS = {
  queued: t('排队中'),
  generating: t('生成中'),
  done: t('已生成'),
  failed: t('生成失败'),
};

const $ = (id) => document.getElementById(id);
const isoDay = (d) => d.toISOString().slice(0, 10);

/** The filters from the URL (shareable, survives reload), with defaults: the last 26 weeks, weekly. */
function readFilters() {
  const q = new URLSearchParams(location.search);
  const today = new Date();
  const day = /^\d{4}-\d{2}-\d{2}$/;
  const to = day.test(q.get('to') ?? '') ? q.get('to') : isoDay(today);
  const from = day.test(q.get('from') ?? '')
    ? q.get('from')
    : isoDay(new Date(Date.parse(to) - 181 * 86_400_000));
  const granularity = ['day', 'week', 'month'].includes(q.get('granularity')) ? q.get('granularity') : 'week';
  const account = /^[0-9a-f-]{36}$/i.test(q.get('account') ?? '') ? q.get('account') : '';
  return { from, to, granularity, account };
}

function metricsUrl(f, granularity) {
  const p = new URLSearchParams({ from: f.from, to: f.to, granularity });
  if (f.account) p.set('accounts', f.account);
  return `/portal/api/metrics?${p}`;
}

async function loadCampaigns(f) {
  const list = await api(`/portal/api/campaigns?${new URLSearchParams({ from: f.from, to: f.to })}`);
  const details = await Promise.all(list.items.slice(0, 20).map((c) => api(`/portal/api/campaigns/${c.id}`)));
  renderCampaigns(details, list.items.length);
}

async function loadTopArticles(f) {
  const q = new URLSearchParams({ from: f.from, to: f.to, limit: '10' });
  if (f.account) q.set('accounts', f.account);
  renderTopArticles((await api(`/portal/api/top-articles?${q}`)).items);
}

async function renderReports() {
  const box = $('reports');
  let items = [];
  try {
    items = (await api('/portal/api/reports')).items;
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 404) throw err;
  }
  if (items.length === 0) {
    box.replaceChildren(el('p', { class: 'empty' }, t('暂无报告')));
    return;
  }
  box.replaceChildren(
    dataTable(
      t('运营数据月报'),
      [
        { label: t('月份'), value: (r) => r.month },
        { label: t('版本'), value: (r) => t('第 {version} 版', { version: r.version }), numeric: true },
        { label: t('状态'), value: (r) => REPORT_STATUS[r.status] ?? r.status },
        {
          label: t('生成时间'),
          value: (r) => (r.generatedAt ? new Date(r.generatedAt).toLocaleString(locale) : '—'),
        },
        {
          label: t('下载'),
          value: (r) =>
            r.pdfUrl
              ? el(
                  'span',
                  { class: 'links' },
                  el('a', { href: r.pdfUrl, download: true }, t('PDF（{month} 第 {version} 版）', r)),
                  r.xlsxUrl
                    ? el(
                        'a',
                        { href: r.xlsxUrl, download: true },
                        t('Excel 报表（{month} 第 {version} 版）', r),
                      )
                    : null,
                )
              : '—',
        },
      ],
      items,
    ),
  );
}

async function loadAccounts(selected) {
  const select = $('account');
  const { items } = await api('/portal/api/accounts');
  select.replaceChildren(
    el('option', { value: '' }, t('全部账号')),
    ...items.map((a) =>
      el(
        'option',
        { value: a.id, selected: a.id === selected },
        t('{name}（{platform}）', {
          name: a.name,
          platform: a.platform === 'wechat' ? t('微信') : t('微博'),
        }),
      ),
    ),
  );
}

/** Runs one part; a failing part shows its own error and never blanks the rest of the page. */
async function part(name, work) {
  try {
    await work();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) throw err;
    console.error(name, err);
    showError(t('{part}加载失败：{message}', { part: name, message: err.message }));
  }
}

/**
 * The session, started once: a filter change (or Back) reloads the figures, not the top bar, so the
 * logout button is wired once and the session is not fetched again.
 */
let sessionStarted = null;

async function load() {
  const started = performance.now();
  const f = readFilters();
  $('from').value = f.from;
  $('to').value = f.to;
  $('granularity').value = f.granularity;
  setStatus(t('正在加载…'));
  showError('');
  document.body.dataset.ready = 'false';
  sessionStarted ??= startSession();
  await sessionStarted;
  // Every request starts at once; each part draws as soon as what it needs has arrived.
  const kpi = api('/portal/api/kpi');
  const kpiOrNull = kpi.catch(() => null);
  const series = api(metricsUrl(f, f.granularity));
  const weekly = f.granularity === 'week' ? series : api(metricsUrl(f, 'week'));
  await Promise.all([
    part(t('账号列表'), () => loadAccounts(f.account)),
    part(t('合同目标'), async () => {
      const k = await kpi;
      renderKpi(k);
      renderQuotas(k);
      renderSla(k);
    }),
    part(t('粉丝数据'), async () => renderFollowers((await series).points, await kpiOrNull)),
    part(t('阅读数据'), async () => renderReads((await weekly).points, await kpiOrNull)),
    part(t('营销活动'), () => loadCampaigns(f)),
    part(t('热门文章'), () => loadTopArticles(f)),
    part(t('月度报告'), renderReports),
  ]);
  const range = t('{from} 至 {to}', f);
  setStatus(
    t('已加载 {range} 的数据{note}。', {
      range,
      note: f.account ? t('（单个账号；合同目标按全部账号计算）') : '',
    }),
  );
  document.body.dataset.ready = 'true';
  document.body.dataset.renderMs = String(Math.round(performance.now() - started));
}

$('filters').addEventListener('submit', (event) => {
  event.preventDefault();
  const from = $('from').value;
  const to = $('to').value;
  if (!from || !to || from > to) {
    showError(t('请选择有效的日期范围：开始日期不能晚于结束日期。'));
    return;
  }
  const q = new URLSearchParams({ from, to, granularity: $('granularity').value });
  if ($('account').value) q.set('account', $('account').value);
  history.pushState(null, '', `/portal?${q}`);
  load().catch(fail);
});
window.addEventListener('popstate', () => load().catch(fail));

function fail(err) {
  if (err instanceof ApiError && err.status === 401) return;
  console.error(err);
  showError(t('加载失败：{message}', { message: err.message }));
  setStatus('');
}

load().catch(fail);

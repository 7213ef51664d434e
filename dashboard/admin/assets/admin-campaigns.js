// Campaigns of an organisation: list, create and edit (with goals), delete (its contents stay); 管理 opens a
// panel with the results, the goals met and the linked contents (link, unlink). Deliverables below.
import { api, attempt, can, el, fmtTime, STATUS_LABELS, startPage } from './admin-common.js';
import { deliverables } from './admin-deliverables.js';
import {
  $,
  action,
  actions,
  clip,
  createOrEdit,
  deleteAction,
  openDetail,
  orgPicker,
  table,
  wireDetailClose,
} from './admin-manage.js';

const TYPES = { marketing: '营销活动', theme: '主题活动', topic: '专题' };
/** The measured goals and their fields in the form; any other goal is kept as the API has it. */
const GOALS = {
  reads: ['f-goal-reads', '阅读量'],
  shares: ['f-goal-shares', '分享次数'],
  net_followers: ['f-goal-net', '净增粉丝'],
};
const SCOPE = { linked_accounts: '关联内容所在账号', organisation: '本单位全部账号' };

const num = (v) => (v === null || v === undefined ? '暂无数据' : v.toLocaleString('zh-CN'));
const signed = (v) => (v === null ? '—' : `${v > 0 ? '+' : ''}${v.toLocaleString('zh-CN')}`);

/** The goals as the API takes them: the three measured ones from the form, the others unchanged. */
function goalsOf(editing) {
  const kept = (editing?.goals ?? []).filter((g) => !(g.metric in GOALS));
  const measured = Object.entries(GOALS).flatMap(([metric, [id]]) => {
    const value = $(id).value.trim();
    if (!value) return [];
    const note = editing?.goals.find((g) => g.metric === metric)?.note;
    return [{ metric, target: Number(value), ...(note ? { note } : {}) }];
  });
  return [...kept, ...measured].map((g) => ({
    metric: g.metric,
    target: g.target,
    ...(g.note ? { note: g.note } : {}),
  }));
}

const goalsText = (goals) =>
  goals.length ? goals.map((g) => `${GOALS[g.metric]?.[1] ?? g.metric} ${num(g.target)}`).join('；') : '—';

function results(r) {
  const net = r.netFollowers;
  const facts = [
    ['统计期间', `${r.startsOn} 至 ${r.endsOn}（${r.days} 天），关联内容 ${r.linkedContents} 篇`],
    ['阅读量', num(r.reads.total)],
    ['分享次数', num(r.shares.total)],
    ['净增粉丝', `${num(net.total)}（${SCOPE[net.scope] ?? net.scope}，${net.accounts} 个账号）`],
    ['活动前同期净增', `${num(net.before.total)}（${net.before.from} 至 ${net.before.to}）`],
    [
      '净增粉丝提升',
      net.uplift === null
        ? '无法计算（缺少数据）'
        : `${signed(net.uplift)}${net.upliftPercent === null ? '' : `（${signed(Math.round(net.upliftPercent * 10) / 10)}%）`}`,
    ],
  ];
  return facts.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]);
}

function goalsTable(goals) {
  if (!goals.length) return el('p', {}, '未设目标。');
  const met = (g) =>
    !g.measured ? '不自动计算' : g.met === null ? '暂无数据' : g.met ? '✓ 已达成' : '✕ 未达成';
  return el(
    'table',
    { class: 'table' },
    el('caption', {}, '目标与完成'),
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        ['目标', '目标值', '完成', '完成率', '结果'].map((h) => el('th', { scope: 'col' }, h)),
      ),
    ),
    el(
      'tbody',
      {},
      goals.map((g) =>
        el(
          'tr',
          {},
          el('td', {}, `${GOALS[g.metric]?.[1] ?? g.metric}${g.note ? `（${g.note}）` : ''}`),
          el('td', {}, num(g.target)),
          el('td', {}, g.achieved === null ? '—' : num(g.achieved)),
          el('td', {}, g.percent === null ? '—' : `${Math.round(g.percent)}%`),
          el('td', {}, met(g)),
        ),
      ),
    ),
  );
}

startPage(async () => {
  const org = await orgPicker(() => refresh());
  /** The campaign whose panel is open. */
  let current = null;
  const form = createOrEdit({
    what: '活动',
    fill(c) {
      $('f-name').value = c.name;
      $('f-type').value = c.type;
      $('f-start').value = c.startsOn;
      $('f-end').value = c.endsOn;
      $('f-short').checked = c.shortEvent;
      $('f-description').value = c.description ?? '';
      for (const [metric, [id]] of Object.entries(GOALS))
        $(id).value = String(c.goals.find((g) => g.metric === metric)?.target ?? '');
    },
    save(editing) {
      const body = {
        name: $('f-name').value.trim(),
        type: $('f-type').value,
        startsOn: $('f-start').value,
        endsOn: $('f-end').value,
        shortEvent: $('f-short').checked,
        description: $('f-description').value.trim(),
        goals: goalsOf(editing),
      };
      const base = `/api/orgs/${org()}/campaigns`;
      return editing ? api('PATCH', `${base}/${editing.id}`, body) : api('POST', base, body);
    },
    done: () => refresh(),
  });
  const deliverableList = deliverables({ org, onChange: () => refresh() });

  /** The panel of one campaign: results, goals met, linked contents and the contents one may link. */
  async function show(id) {
    const orgId = org();
    const c = await api('GET', `/api/orgs/${orgId}/campaigns/${id}`);
    current = c;
    openDetail(
      `活动：${c.name}`,
      `${TYPES[c.type] ?? c.type} · ${c.startsOn} 至 ${c.endsOn}${c.countsForContract ? '' : ' · 短期活动，不计入合同'}`,
    );
    $('c-results').replaceChildren(
      ...results(c.results),
      el('dt', {}, '定制栏目与专题页'),
      el('dd', {}, c.deliverables.map((d) => `${d.title}（${d.deliveredOn}）`).join('；') || '无'),
    );
    $('c-goals').replaceChildren(goalsTable(c.results.goals));
    $('c-contents').replaceChildren(
      c.contents.length
        ? el(
            'ul',
            { class: 'plain' },
            c.contents.map((x) =>
              el(
                'li',
                {},
                el('a', { href: `/admin/contents/${x.id}` }, x.title || '（无标题）'),
                ` · ${STATUS_LABELS[x.status] ?? x.status}${x.publishedAt ? ` · 发布于 ${fmtTime(x.publishedAt)}` : ''} `,
                action('取消关联', x.title, () => link(x, false), { perm: 'campaigns.manage' }),
              ),
            ),
          )
        : el('p', {}, '尚未关联内容。'),
    );
    await fillContentChoices(c);
  }

  async function fillContentChoices(c) {
    const select = $('c-content');
    // Listing contents needs content.read; without it the link form stays hidden.
    $('link-form').hidden = !(can('campaigns.manage') && can('content.read'));
    if ($('link-form').hidden) return;
    const { items } = await api('GET', `/api/contents?organisationId=${org()}&limit=200`);
    const linked = new Set(c.contents.map((x) => x.id));
    const choices = items.filter((x) => !linked.has(x.id) && x.status !== 'cancelled');
    select.replaceChildren(
      ...(choices.length
        ? choices.map((x) =>
            el(
              'option',
              { value: x.id },
              `${x.title || '（无标题）'}（${STATUS_LABELS[x.status] ?? x.status}）`,
            ),
          )
        : [el('option', { value: '' }, '没有可关联的内容')]),
    );
  }

  async function link(content, on) {
    const c = current;
    const label = on ? `关联“${content.title}”` : `取消关联“${content.title}”`;
    const url = `/api/orgs/${org()}/campaigns/${c.id}/contents/${content.id}`;
    if ((await attempt(label, () => api(on ? 'PUT' : 'DELETE', url))) === undefined) return;
    await refresh();
    $('detail-h').focus();
  }

  $('link-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const option = $('c-content').selectedOptions[0];
    if (!option?.value) return;
    await link({ id: option.value, title: option.textContent }, true);
  });

  wireDetailClose();
  $('detail-close').addEventListener('click', () => {
    current = null;
  });

  /** The table, the deliverables, and the open panel, after any change. */
  async function refresh() {
    const items = await render();
    if (current && items.some((c) => c.id === current.id)) await show(current.id);
    else if (current) $('detail-close').click();
  }

  async function render() {
    const orgId = org();
    const { items } = await api('GET', `/api/orgs/${orgId}/campaigns`);
    table(
      ['名称', '类型', '起止', '目标', '内容数', '操作'],
      items.map((c) => [
        clip(c.name),
        `${TYPES[c.type] ?? c.type}${c.shortEvent ? '（短期）' : ''}`,
        `${c.startsOn} 至 ${c.endsOn}`,
        goalsText(c.goals),
        String(c.contentCount),
        actions(
          action('管理', c.name, () => show(c.id)),
          action('编辑', c.name, () => form.edit(c), { perm: 'campaigns.manage' }),
          deleteAction('活动', c.name, `/api/orgs/${orgId}/campaigns/${c.id}`, 'campaigns.manage', refresh),
        ),
      ]),
    );
    await deliverableList.render(items);
    return items;
  }
  await render();
});

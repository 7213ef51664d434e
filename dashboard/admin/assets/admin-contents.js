// Content list: the newest items, filtered by status and account (kept in the URL, so a link such as
// /admin/contents?status=attention opens the items whose publishing failed or is unconfirmed).
import {
  accountLabel,
  api,
  badge,
  el,
  fmtTime,
  KIND_LABELS,
  loadAccounts,
  STATUS_LABELS,
  startPage,
} from './admin-common.js';

/** Filter values that stand for several statuses. */
const GROUPS = { attention: { label: '需处理：发布失败或结果待确认', statuses: ['failed', 'unconfirmed'] } };
const statusesOf = (value) => GROUPS[value]?.statuses ?? (value ? [value] : []);

startPage(async () => {
  const statusSelect = document.getElementById('filter-status');
  const accountSelect = document.getElementById('filter-account');
  for (const [value, g] of Object.entries(GROUPS)) statusSelect.append(el('option', { value }, g.label));
  for (const [value, label] of Object.entries(STATUS_LABELS))
    statusSelect.append(el('option', { value }, label));
  const accounts = await loadAccounts();
  const byId = new Map(accounts.map((a) => [a.id, a]));
  for (const a of accounts) accountSelect.append(el('option', { value: a.id }, accountLabel(a)));
  const params = new URLSearchParams(location.search);
  statusSelect.value = params.get('status') ?? '';
  accountSelect.value = params.get('accountId') ?? '';

  /** A notice above the table while anything needs a person: failed or unconfirmed publishing. */
  async function showAttention() {
    const box = document.getElementById('attention');
    // Already listing those items: the notice would repeat the table.
    if (statusSelect.value === 'attention') {
      box.hidden = true;
      return;
    }
    const q = new URLSearchParams({ limit: '1000' });
    for (const s of GROUPS.attention.statuses) q.append('status', s);
    const { items } = await api('GET', `/api/contents?${q}`);
    box.hidden = items.length === 0;
    const failed = items.filter((c) => c.status === 'failed').length;
    const parts = [
      failed ? `${failed} 条内容发布失败` : '',
      items.length - failed ? `${items.length - failed} 条发布结果待确认` : '',
    ];
    box.replaceChildren(
      `${parts.filter(Boolean).join('，')}。`,
      el('a', { href: '/admin/contents?status=attention' }, '查看需处理的内容'),
    );
  }

  async function render() {
    const q = new URLSearchParams({ limit: '200' });
    for (const s of statusesOf(statusSelect.value)) q.append('status', s);
    if (accountSelect.value) q.set('accountId', accountSelect.value);
    const { items } = await api('GET', `/api/contents?${q}`);
    const body = document.querySelector('#contents-table tbody');
    body.replaceChildren(
      ...items.map((c) =>
        el(
          'tr',
          {},
          el(
            'td',
            {},
            el(
              'a',
              { href: `/admin/contents/${c.id}`, class: 'clip', title: c.title },
              c.title || '（无标题）',
            ),
          ),
          el('td', {}, KIND_LABELS[c.kind]),
          el('td', {}, accountLabel(byId.get(c.accountId))),
          el('td', {}, badge(c.status)),
          el('td', {}, fmtTime(c.scheduledAt ?? c.publishAt)),
          el('td', {}, fmtTime(c.updatedAt)),
        ),
      ),
    );
    if (!items.length) body.append(el('tr', {}, el('td', { colspan: '6' }, '暂无内容')));
    await showAttention();
  }
  document.getElementById('filters').addEventListener('submit', async (event) => {
    event.preventDefault();
    const q = new URLSearchParams();
    if (statusSelect.value) q.set('status', statusSelect.value);
    if (accountSelect.value) q.set('accountId', accountSelect.value);
    history.replaceState(null, '', `/admin/contents${q.size ? `?${q}` : ''}`);
    await render();
  });
  await render();
});

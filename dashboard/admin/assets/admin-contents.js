// Content list: the newest items, filtered by status and account.
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

startPage(async () => {
  const statusSelect = document.getElementById('filter-status');
  const accountSelect = document.getElementById('filter-account');
  for (const [value, label] of Object.entries(STATUS_LABELS))
    statusSelect.append(el('option', { value }, label));
  const accounts = await loadAccounts();
  const byId = new Map(accounts.map((a) => [a.id, a]));
  for (const a of accounts) accountSelect.append(el('option', { value: a.id }, accountLabel(a)));
  const params = new URLSearchParams(location.search);
  statusSelect.value = params.get('status') ?? '';
  accountSelect.value = params.get('accountId') ?? '';

  async function render() {
    const q = new URLSearchParams({ limit: '200' });
    if (statusSelect.value) q.set('status', statusSelect.value);
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
  }
  document.getElementById('filters').addEventListener('submit', async (event) => {
    event.preventDefault();
    await render();
  });
  await render();
});

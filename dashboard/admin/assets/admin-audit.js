// The audit log: newest first, filtered by action (auth.* prefix) and outcome, 50 at a time.
import { api, fmtTime, startPage } from './admin-common.js';
import { $, table } from './admin-manage.js';

const OUTCOMES = { success: '成功', failure: '失败', denied: '拒绝' };

startPage(async () => {
  let cursor = null;
  const rows = [];
  const load = async (reset) => {
    if (reset) {
      cursor = null;
      rows.length = 0;
    }
    const q = new URLSearchParams({ limit: '50' });
    if ($('f-action').value.trim()) q.set('action', $('f-action').value.trim());
    if ($('f-outcome').value) q.set('outcome', $('f-outcome').value);
    if (cursor) q.set('before', cursor);
    const page = await api('GET', `/api/audit?${q}`);
    cursor = page.nextCursor;
    rows.push(
      ...page.items.map((r) => [
        fmtTime(r.occurredAt),
        r.actorUsername ?? r.actorKind,
        r.action,
        r.targetType ? `${r.targetType} ${r.targetId ?? ''}` : '—',
        OUTCOMES[r.outcome] ?? r.outcome,
        r.ip ?? '—',
      ]),
    );
    table(['时间', '操作人', '操作', '对象', '结果', 'IP'], rows);
    $('more').hidden = !cursor;
  };
  $('filter-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    await load(true);
  });
  $('more').addEventListener('click', () => load(false));
  await load(true);
});

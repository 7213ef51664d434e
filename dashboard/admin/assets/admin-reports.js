// Monthly reports of an organisation: the list with PDF and Excel downloads, request a month, regenerate
// (a new version; the old ones stay). Refreshed every 2 s while a report is queued or being generated.
import { api, ask, attempt, el, errorText, fmtTime, setStatus, startPage } from './admin-common.js';
import { $, action, actions, orgPicker, table } from './admin-manage.js';

const STATUS = { queued: '排队中', generating: '生成中', done: '已生成', failed: '生成失败' };
const POLL_MS = 2000;
const pending = (r) => r.status === 'queued' || r.status === 'generating';

/** The month before this one in Beijing, YYYY-MM. */
function lastMonth() {
  const d = new Date(Date.now() + 8 * 3600_000);
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() - 1);
  return d.toISOString().slice(0, 7);
}

const size = (bytes) =>
  bytes === null
    ? ''
    : bytes < 1048576
      ? `${Math.max(1, Math.round(bytes / 1024))} KB`
      : `${(bytes / 1048576).toFixed(1)} MB`;

function downloads(r) {
  if (r.status !== 'done') return '—';
  const name = `${r.month} 第 ${r.version} 版`;
  return el(
    'span',
    { class: 'actions' },
    el('a', { href: r.pdfUrl, 'aria-label': `下载 ${name} PDF（${size(r.pdfBytes)}）` }, 'PDF'),
    el('a', { href: r.xlsxUrl, 'aria-label': `下载 ${name} Excel（${size(r.xlsxBytes)}）` }, 'Excel'),
  );
}

function statusCell(r) {
  if (r.status === 'failed')
    return el('span', { class: 'error' }, `生成失败：${r.error ?? '原因未记录'}（已尝试 ${r.attempts} 次）`);
  return STATUS[r.status] ?? r.status;
}

startPage(async () => {
  const org = await orgPicker(() => render());
  const base = () => `/api/orgs/${org()}/reports`;
  /** The reports last listed, to tell a new request from a month that already had one. */
  let listed = [];
  let polling = null;

  $('r-month').value = lastMonth();
  $('request-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const month = $('r-month').value;
    const r = await attempt(`生成 ${month} 月度报告`, () => api('POST', base(), { month }));
    if (!r) return;
    const existing = listed.some((x) => x.id === r.id);
    await render();
    setStatus(
      existing
        ? `${month} 已有报告（第 ${r.version} 版，${STATUS[r.status]}）。需要新版本请在列表中点“重新生成”。`
        : `已提交 ${month} 月度报告（第 ${r.version} 版），生成后可在列表中下载。`,
    );
  });

  async function regenerate(r) {
    const yes = await ask({
      title: '重新生成报告',
      message: `将为 ${r.month} 生成新的版本（第 ${r.version + 1} 版）。原有版本保留，仍可下载。`,
      confirmLabel: '重新生成',
    });
    if (!yes) return;
    const next = await attempt(`重新生成 ${r.month} 月度报告`, () =>
      api('POST', base(), { month: r.month, regenerate: true }),
    );
    if (!next) return;
    await render();
    setStatus(`已提交 ${r.month} 月度报告第 ${next.version} 版，原有版本保留。`);
  }

  async function render() {
    clearTimeout(polling);
    const orgId = org();
    const { items } = await api('GET', `/api/orgs/${orgId}/reports`);
    if (orgId !== org()) return;
    const finished = items.filter(
      (r) => r.status !== 'queued' && listed.some((x) => x.id === r.id && pending(x)),
    );
    listed = items;
    const months = new Set();
    table(
      ['月份', '版本', '状态', '生成时间', '下载', '操作'],
      items.map((r) => {
        // Only a month's newest version offers 重新生成, and only once it has finished.
        const newest = !months.has(r.month);
        months.add(r.month);
        return [
          r.month,
          `第 ${r.version} 版`,
          statusCell(r),
          fmtTime(r.generatedAt),
          downloads(r),
          actions(
            newest && !pending(r)
              ? action('重新生成', `${r.month} 月度报告`, () => regenerate(r), { perm: 'reports.manage' })
              : null,
          ),
        ];
      }),
    );
    for (const r of finished)
      setStatus(
        r.status === 'done'
          ? `${r.month} 月度报告第 ${r.version} 版已生成，可以下载。`
          : `${r.month} 月度报告第 ${r.version} 版生成失败：${r.error ?? '原因未记录'}`,
        r.status === 'failed',
      );
    if (items.some(pending))
      polling = setTimeout(
        () => render().catch((err) => setStatus(`刷新报告列表失败：${errorText(err)}`, true)),
        POLL_MS,
      );
  }
  await render();
});

import { ApiError, api, clipped, el, setStatus, showError, startSession } from './portal-common.js';

const KIND_LABELS = { wechat_edition: '微信图文', weibo_post: '微博' };
const $ = (id) => document.getElementById(id);
const when = (iso) =>
  iso ? new Date(iso).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai' }) : '尽快发布';

async function review(item, body, row) {
  const buttons = row.querySelectorAll('button, textarea');
  for (const b of buttons) b.disabled = true;
  try {
    const result = await api(`/portal/api/contents/${item.id}/review`, {
      method: 'POST',
      body: { ...body, revision: item.revision },
    });
    row.remove();
    const verb = body.decision === 'approved' ? '已通过' : '已驳回';
    const next = result.status === 'in_review' ? '（等待下一位审定人）' : '';
    setStatus(`${verb}：${item.title}${next}`);
    showError('');
    if (!$('inbox').querySelector('li')) renderEmpty();
    $('main').focus();
  } catch (err) {
    for (const b of buttons) b.disabled = false;
    if (err instanceof ApiError && err.status === 401) return;
    showError(`操作失败：${err.message}`);
  }
}

function renderEmpty() {
  $('inbox').replaceChildren(el('p', { class: 'empty' }, '暂无待审内容'));
}

function itemRow(item) {
  const titleId = `title-${item.id}`;
  const reasonId = `reason-${item.id}`;
  const rejectForm = el(
    'form',
    { class: 'reject', hidden: true, 'aria-labelledby': titleId },
    el('label', { for: reasonId }, '驳回原因（必填）'),
    el('textarea', { id: reasonId, name: 'comment', required: true, maxlength: '1000', rows: '3' }),
    el(
      'div',
      { class: 'actions' },
      el('button', { type: 'submit', class: 'btn danger' }, '确认驳回'),
      el('button', { type: 'button', class: 'btn secondary', onclick: () => toggleReject(false) }, '取消'),
    ),
  );
  const row = el(
    'li',
    { class: 'inbox-item' },
    el('h2', { id: titleId }, clipped(item.title || '（无标题）')),
    el(
      'p',
      { class: 'muted' },
      `${KIND_LABELS[item.kind] ?? item.kind} · 第 ${item.revision} 稿 · 预定发布：${when(item.publishAt)} · 提交于 ${when(item.updatedAt)}`,
    ),
    el(
      'div',
      { class: 'actions' },
      el(
        'a',
        {
          href: `/portal/api/contents/${item.id}/preview`,
          target: '_blank',
          rel: 'noopener',
          class: 'btn secondary',
        },
        `预览「${item.title.length > 20 ? `${item.title.slice(0, 20)}…` : item.title}」`,
      ),
      el(
        'button',
        {
          type: 'button',
          class: 'btn',
          'data-action': 'approve',
          onclick: () => review(item, { decision: 'approved' }, row),
        },
        '审定通过',
      ),
      el(
        'button',
        { type: 'button', class: 'btn danger', 'data-action': 'reject', onclick: () => toggleReject(true) },
        '驳回',
      ),
    ),
    rejectForm,
  );
  function toggleReject(open) {
    rejectForm.hidden = !open;
    if (open) rejectForm.querySelector('textarea').focus();
  }
  rejectForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const comment = rejectForm.querySelector('textarea').value.trim();
    if (!comment) {
      showError('请填写驳回原因');
      rejectForm.querySelector('textarea').focus();
      return;
    }
    review(item, { decision: 'rejected', comment }, row);
  });
  return row;
}

async function load() {
  const session = await startSession();
  if (!session.permissions.includes('portal.review')) {
    setStatus('');
    showError('您的账号没有审定权限。');
    return;
  }
  const { items } = await api('/portal/api/contents');
  setStatus(items.length ? `共 ${items.length} 条待审内容` : '');
  if (items.length === 0) renderEmpty();
  else $('inbox').replaceChildren(el('ul', { class: 'inbox' }, items.map(itemRow)));
  document.body.dataset.ready = 'true';
}

$('main').setAttribute('tabindex', '-1');
load().catch((err) => {
  if (err instanceof ApiError && err.status === 401) return;
  console.error(err);
  showError(`加载失败：${err.message}`);
});

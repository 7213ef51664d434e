import { ApiError, api, clipped, el, setStatus, showError, startSession } from './portal-common.js';
import { locale, t } from './portal-i18n.js';

const KIND_LABELS = { wechat_edition: t('微信图文'), weibo_post: t('微博') };
const $ = (id) => document.getElementById(id);
const when = (iso) =>
  iso ? new Date(iso).toLocaleString(locale, { timeZone: 'Asia/Shanghai' }) : t('尽快发布');

async function review(item, body, row) {
  const buttons = row.querySelectorAll('button, textarea');
  for (const b of buttons) b.disabled = true;
  try {
    const result = await api(`/portal/api/contents/${item.id}/review`, {
      method: 'POST',
      body: { ...body, revision: item.revision },
    });
    row.remove();
    const verb = body.decision === 'approved' ? t('已通过') : t('已驳回');
    const next = result.status === 'in_review' ? t('（等待下一位审定人）') : '';
    setStatus(t('{verb}：{title}{next}', { verb, title: item.title, next }));
    showError('');
    if (!$('inbox').querySelector('li')) renderEmpty();
    $('main').focus();
  } catch (err) {
    for (const b of buttons) b.disabled = false;
    if (err instanceof ApiError && err.status === 401) return;
    showError(t('操作失败：{message}', { message: err.message }));
  }
}

function renderEmpty() {
  $('inbox').replaceChildren(el('p', { class: 'empty' }, t('暂无待审内容')));
}

function itemRow(item) {
  const titleId = `title-${item.id}`;
  const reasonId = `reason-${item.id}`;
  const rejectForm = el(
    'form',
    { class: 'reject', hidden: true, 'aria-labelledby': titleId },
    el('label', { for: reasonId }, t('驳回原因（必填）')),
    el('textarea', { id: reasonId, name: 'comment', required: true, maxlength: '1000', rows: '3' }),
    el(
      'div',
      { class: 'actions' },
      el('button', { type: 'submit', class: 'btn danger' }, t('确认驳回')),
      el('button', { type: 'button', class: 'btn secondary', onclick: () => toggleReject(false) }, t('取消')),
    ),
  );
  const row = el(
    'li',
    { class: 'inbox-item' },
    el('h2', { id: titleId }, clipped(item.title || t('（无标题）'))),
    el(
      'p',
      { class: 'muted' },
      t('{kind} · 第 {revision} 稿 · 预定发布：{publishAt} · 提交于 {submittedAt}', {
        kind: KIND_LABELS[item.kind] ?? item.kind,
        revision: item.revision,
        publishAt: when(item.publishAt),
        submittedAt: when(item.updatedAt),
      }),
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
        t('预览「{title}」', { title: item.title.length > 20 ? `${item.title.slice(0, 20)}…` : item.title }),
      ),
      el(
        'button',
        {
          type: 'button',
          class: 'btn',
          'data-action': 'approve',
          onclick: () => review(item, { decision: 'approved' }, row),
        },
        t('审定通过'),
      ),
      el(
        'button',
        { type: 'button', class: 'btn danger', 'data-action': 'reject', onclick: () => toggleReject(true) },
        t('驳回'),
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
      showError(t('请填写驳回原因'));
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
    showError(t('您的账号没有审定权限。'));
    return;
  }
  const { items } = await api('/portal/api/contents');
  setStatus(items.length ? t('共 {count} 条待审内容', { count: items.length }) : '');
  if (items.length === 0) renderEmpty();
  else $('inbox').replaceChildren(el('ul', { class: 'inbox' }, items.map(itemRow)));
  document.body.dataset.ready = 'true';
}

$('main').setAttribute('tabindex', '-1');
load().catch((err) => {
  if (err instanceof ApiError && err.status === 401) return;
  console.error(err);
  showError(t('加载失败：{message}', { message: err.message }));
});

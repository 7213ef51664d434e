// Editor of a WeChat edition or a Weibo post: save (proofread on save, findings shown inline), submit for
// review, review, schedule, cancel, and the publishing status of the item.
import {
  accountLabel,
  api,
  attempt,
  badge,
  can,
  el,
  errorText,
  fmtTime,
  isoToLocal,
  KIND_LABELS,
  loadAccounts,
  localToIso,
  setStatus,
  startPage,
} from './admin-common.js';

const FIELD_LABELS = { title: '标题', author: '作者', digest: '摘要', body: '正文', text: '微博正文' };
const SCHEDULE_NOTES = {
  approved: '审核已通过但尚未排期（例如当天的群发次数已用完）：请选择其他发布时间后排期。',
  failed: '上次发布失败：重新排期会再次发送，审核结果保留。',
};
const OUTCOMES = {
  published: '已发布',
  failed: '失败',
  unconfirmed: '结果待确认',
  retry: '稍后重试',
  abandoned: '已放弃',
};
const ERROR_KINDS = {
  auth: '凭据错误',
  reauth: '需重新授权',
  rate_limited: '频率受限',
  quota_exhausted: '次数用完',
  invalid_content: '内容不符合平台要求',
  not_permitted: '无权限',
  transient: '暂时性错误',
  unknown_outcome: '结果未知',
};
const PLATFORM_IDS = {
  draftMediaId: '草稿 media_id',
  msgId: '群发 msg_id',
  msgDataId: 'msg_data_id',
  publishId: '发布 publish_id',
  postId: '微博 id',
};

/** A publishing error in the editor's words, with its kind and platform code. */
function errorLine(e) {
  if (typeof e === 'string') return e;
  const code = [ERROR_KINDS[e.kind] ?? e.kind, e.code].filter(Boolean).join(' ');
  return `${e.editorMessage ?? e.message}${code ? `（${code}）` : ''}${e.at ? ` · ${fmtTime(e.at)}` : ''}`;
}

/** The platform ids recorded so far: what to look for on the platform when an outcome is unknown. */
function platformIds(ids) {
  const known = Object.entries(PLATFORM_IDS).filter(([k]) => ids?.[k]);
  if (!known.length) return '';
  return el('p', {}, `平台记录：${known.map(([k, label]) => `${label} ${ids[k]}`).join('，')}`);
}
const $ = (id) => document.getElementById(id);
const blankArticle = () => ({
  title: '',
  author: null,
  digest: null,
  contentHtml: '',
  original: false,
  coverMediaId: null,
});

startPage(async (session) => {
  const match = location.pathname.match(/^\/admin\/contents\/([0-9a-f-]{36})$/i);
  let id = match ? match[1] : null;
  let item = null;
  let articles = [blankArticle()];
  let current = 0;
  const accounts = await loadAccounts();
  const accountSelect = $('account');
  for (const a of accounts.filter((x) => x.status !== 'disabled'))
    accountSelect.append(el('option', { value: a.id }, accountLabel(a)));
  const account = () => accounts.find((a) => a.id === accountSelect.value);
  const kind = () => (account()?.platform === 'weibo' ? 'weibo_post' : 'wechat_edition');
  const editable = () =>
    can('content.write') &&
    (!item || !['publishing', 'published', 'cancelled', 'unconfirmed'].includes(item.status));

  function showKind() {
    $('wechat-fields').hidden = kind() !== 'wechat_edition';
    $('weibo-fields').hidden = kind() !== 'weibo_post';
  }

  function readArticle() {
    const a = articles[current];
    a.title = $('title').value.trim();
    a.author = $('author').value.trim() || null;
    a.digest = $('digest').value.trim() || null;
    a.contentHtml = $('body').value;
    a.original = $('original').checked;
  }

  function showArticle() {
    const a = articles[current];
    $('article-no').textContent = String(current + 1);
    $('title').value = a.title;
    $('author').value = a.author ?? '';
    $('digest').value = a.digest ?? '';
    $('body').value = a.contentHtml;
    $('original').checked = Boolean(a.original);
    $('cover-state').textContent = a.coverMediaId ? '已上传封面' : '未上传封面（提交审核前需要）';
    const tabs = articles.map((_x, i) =>
      el(
        'button',
        {
          type: 'button',
          class: 'btn secondary',
          'aria-pressed': String(i === current),
          onclick: () => {
            readArticle();
            current = i;
            showArticle();
          },
        },
        `第 ${i + 1} 篇`,
      ),
    );
    if (articles.length < 8 && editable())
      tabs.push(
        el(
          'button',
          {
            type: 'button',
            class: 'btn secondary',
            id: 'add-article',
            onclick: () => {
              readArticle();
              articles.push(blankArticle());
              current = articles.length - 1;
              showArticle();
            },
          },
          '添加一篇',
        ),
      );
    $('article-tabs').replaceChildren(...tabs);
    showFindings();
  }

  function fieldName(field) {
    const m = field?.match(/^articles\.(\d+)\.(\w+)$/);
    if (m) return `第 ${Number(m[1]) + 1} 篇${FIELD_LABELS[m[2]] ?? m[2]}`;
    return FIELD_LABELS[field] ?? field ?? '';
  }

  function findingView(f) {
    return el(
      'li',
      { class: `finding ${f.severity}` },
      el('strong', {}, f.severity === 'block' ? '阻断' : '提醒'),
      ` ${fieldName(f.field)}：“${f.match}”`,
      f.suggestion ? ` → 建议“${f.suggestion}”` : '',
      el('br'),
      el('small', {}, `${f.category} · ${f.context}`),
    );
  }

  /** The list in the side panel, and each field's findings under its input. */
  function showFindings() {
    for (const e of document.querySelectorAll('.inline-findings')) e.remove();
    if (!item) return;
    const findings = item.findings;
    $('findings').replaceChildren(
      findings.length
        ? el('ul', { class: 'plain' }, findings.map(findingView))
        : el('p', {}, `第 ${item.revision} 版：未发现问题`),
    );
    const failed = item.report.checks.filter((c) => !c.ok);
    $('checks').replaceChildren(
      ...failed.map((c) =>
        el('p', { class: 'error' }, `超出限制：${fieldName(c.field)} ${c.value} / ${c.limit} ${c.unit}`),
      ),
    );
    const inputs =
      kind() === 'weibo_post'
        ? { text: 'text' }
        : Object.fromEntries(
            ['title', 'author', 'digest', 'body'].map((k) => [`articles.${current}.${k}`, k]),
          );
    for (const [field, inputId] of Object.entries(inputs)) {
      const mine = findings.filter((f) => f.field === field);
      if (!mine.length) continue;
      const list = el('ul', { class: 'inline-findings', id: `${inputId}-findings` }, mine.map(findingView));
      $(inputId).setAttribute('aria-describedby', list.id);
      $(inputId).closest('.field').append(list);
    }
  }

  function bodyOf() {
    if (kind() === 'weibo_post') return { kind: 'weibo_post', text: $('text').value };
    readArticle();
    return { kind: 'wechat_edition', articles };
  }

  async function showItem(view) {
    item = view;
    const allowed = new Set(item.allowedActions);
    // Asked before anything is drawn, so the page changes in one go: the state line never shows the new
    // status beside the old review box.
    const whyNot = allowed.has('approve') && can('content.review') ? await reviewBlocker() : null;
    $('item-state').replaceChildren(
      `${KIND_LABELS[item.kind]} · 第 ${item.revision} 版 · 状态：`,
      badge(item.status),
      item.publishAt ? ` · 计划 ${fmtTime(item.scheduledAt ?? item.publishAt)}` : '',
    );
    document.querySelector('h1').textContent = `编辑内容：${item.title}`;
    document.title = `${item.title} · 运营 Yunying 后台`;
    accountSelect.value = item.accountId;
    accountSelect.disabled = true;
    showKind();
    if (item.body.kind === 'weibo_post') $('text').value = item.body.text;
    else {
      articles = item.body.articles.map((a) => ({ ...blankArticle(), ...a }));
      current = Math.min(current, articles.length - 1);
      showArticle();
    }
    $('publish-at').value = isoToLocal(item.publishAt);
    $('schedule-at').value = isoToLocal(item.scheduledAt ?? item.publishAt);
    $('preview').href = `/api/contents/${item.id}/preview`;
    $('preview').hidden = false;
    $('save').disabled = !editable();
    showFindings();
    $('workflow').hidden = false;
    $('submit-box').hidden = !(allowed.has('submit') && can('content.submit'));
    $('withdraw-box').hidden = !(allowed.has('withdraw') && can('content.submit'));
    $('review-box').hidden = !(allowed.has('approve') && can('content.review')) || Boolean(whyNot);
    $('review-note').hidden = !whyNot;
    $('review-note').textContent = whyNot ?? '';
    $('schedule-box').hidden = !(
      (allowed.has('schedule') || allowed.has('reschedule')) &&
      can('content.schedule')
    );
    $('schedule').hidden = !allowed.has('schedule');
    $('schedule').textContent = item.status === 'failed' ? '重新排期发布' : '排期发布';
    $('reschedule').hidden = !allowed.has('reschedule');
    $('schedule-note').textContent = SCHEDULE_NOTES[item.status] ?? '';
    $('cancel-box').hidden = !(allowed.has('cancel') && can('content.cancel'));
    $('review-steps').replaceChildren(
      el('p', {}, `审核：需 ${item.review.stepsRequired} 级`),
      ...item.review.steps.map((s) =>
        el(
          'p',
          {},
          `第 ${s.step} 级 ${s.decision === 'approved' ? '通过' : '驳回'} · ${s.reviewerName ?? '—'}（${s.surface === 'portal' ? '客户' : '后台'}）${s.comment ? ` · ${s.comment}` : ''} · ${fmtTime(s.at)}`,
        ),
      ),
      item.sla
        ? el(
            'p',
            {},
            `发布时限：${fmtTime(item.sla.deadline)}（${{ pending: '进行中', met: '已达标', missed: '已超时', void: '不计' }[item.sla.outcome]}）`,
          )
        : '',
    );
    await showPublishing();
  }

  /**
   * Why this person may not review the item, or null: only the organisation's named reviewers review,
   * each step by a different person, and authors not at all unless the organisation allows it.
   */
  async function reviewBlocker() {
    const me = session.user.id;
    const settings = await api('GET', `/api/organisations/${item.organisationId}/review-settings`);
    if (!settings.reviewers.some((r) => r.id === me))
      return '你不是该单位的指定审核人。审核人由超级管理员在“客户单位”页面指定。';
    if (item.review.steps.some((s) => s.reviewerUserId === me))
      return '你已审核过本版本，下一级审核需由其他审核人完成。';
    if (!settings.allowSelfApproval && item.createdBy === me) return '该单位不允许作者审核自己的内容。';
    return null;
  }

  async function showPublishing() {
    const box = $('publishing');
    if (!['scheduled', 'publishing', 'published', 'failed', 'unconfirmed'].includes(item.status)) {
      box.hidden = true;
      return;
    }
    const p = await api('GET', `/api/contents/${item.id}/publishing`);
    box.hidden = false;
    const rows = (p.history ?? []).map((h) =>
      el(
        'tr',
        {},
        el('td', {}, String(h.attempt)),
        el('td', {}, fmtTime(h.startedAt)),
        el('td', {}, OUTCOMES[h.outcome] ?? h.outcome ?? '进行中'),
        el(
          'td',
          {},
          h.error
            ? `${ERROR_KINDS[h.error.kind] ?? h.error.kind} ${h.error.code ?? ''} ${h.error.message ?? ''}`
            : '—',
        ),
      ),
    );
    $('publishing-body').replaceChildren(
      el(
        'p',
        {},
        '状态：',
        badge(p.status),
        ` · 尝试 ${p.attempts} 次 · 排期 ${fmtTime(p.scheduledAt)} · 发布于 ${fmtTime(p.publishedAt)}`,
      ),
      p.status === 'unconfirmed'
        ? el(
            'p',
            { class: 'error' },
            '结果待确认：提交后平台未答复。系统会向平台查询结果，不会重复发送；请勿手工重发。',
          )
        : '',
      p.status === 'failed'
        ? el(
            'p',
            { class: 'error' },
            '发布失败：内容仍保留审核结果。排除原因后可在“审核与发布”中重新排期，或修改内容（需重新审核），或取消发布。',
          )
        : '',
      p.lastError ? el('p', { class: 'error' }, `最近错误：${errorLine(p.lastError)}`) : '',
      platformIds(p.platformIds),
      ...(Array.isArray(p.publishedUrls) ? p.publishedUrls : []).map((u) =>
        el('p', {}, '已发布：', el('a', { href: u.url, rel: 'noopener' }, u.url)),
      ),
      rows.length
        ? el(
            'table',
            { class: 'table' },
            el('caption', {}, '发布尝试'),
            el(
              'thead',
              {},
              el(
                'tr',
                {},
                ['次数', '开始', '结果', '错误'].map((h) => el('th', { scope: 'col' }, h)),
              ),
            ),
            el('tbody', {}, rows),
          )
        : el('p', {}, '尚无发布尝试'),
    );
  }

  async function reload() {
    await showItem(await api('GET', `/api/contents/${id}`));
  }

  const act = (label, fn) => async () => {
    const r = await attempt(label, fn);
    if (r) await showItem(r);
  };

  $('editor-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!account()) return setStatus('请先选择发布账号', true);
    const publishAt = localToIso($('publish-at').value);
    const saved = await attempt('保存', () =>
      id
        ? api('PATCH', `/api/contents/${id}`, { body: bodyOf(), publishAt, baseRevision: item.revision })
        : api('POST', '/api/contents', {
            accountId: accountSelect.value,
            body: bodyOf(),
            ...(publishAt ? { publishAt } : {}),
          }),
    );
    if (!saved) return;
    if (!id) {
      id = saved.id;
      history.replaceState(null, '', `/admin/contents/${id}`);
    }
    await showItem(saved);
    setStatus(`已保存第 ${saved.revision} 版，校对发现 ${saved.findings.length} 处问题`);
  });

  $('cover').addEventListener('change', async () => {
    const file = $('cover').files[0];
    if (!file || !account()) return;
    const form = new FormData();
    form.append('file', file);
    const media = await attempt('上传封面', () =>
      api('POST', `/api/media?organisationId=${account().organisationId}`, form),
    );
    if (!media) return;
    articles[current].coverMediaId = media.id;
    $('cover-state').textContent = `已上传封面：${media.originalName}（保存后生效）`;
  });

  $('submit-review').addEventListener(
    'click',
    act('提交审核', () => {
      const reason = $('override-reason').value.trim();
      return api('POST', `/api/contents/${id}/submit`, reason ? { overrideReason: reason } : {});
    }),
  );
  $('withdraw').addEventListener(
    'click',
    act('撤回', () => api('POST', `/api/contents/${id}/withdraw`)),
  );
  for (const decision of ['approved', 'rejected'])
    $(decision === 'approved' ? 'approve' : 'reject').addEventListener(
      'click',
      act(decision === 'approved' ? '审核通过' : '驳回', () =>
        api('POST', `/api/contents/${id}/review`, {
          decision,
          comment: $('review-comment').value.trim() || null,
          revision: item.revision,
        }),
      ),
    );
  for (const action of ['schedule', 'reschedule'])
    $(action).addEventListener(
      'click',
      act(action === 'schedule' ? '排期' : '改期', () =>
        api('POST', `/api/contents/${id}/${action}`, { publishAt: localToIso($('schedule-at').value) }),
      ),
    );
  $('cancel').addEventListener(
    'click',
    act('取消发布', () => {
      const reason = $('cancel-reason').value.trim();
      if (!reason) throw new Error('请填写取消理由');
      return api('POST', `/api/contents/${id}/cancel`, { reason });
    }),
  );
  accountSelect.addEventListener('change', showKind);

  showKind();
  if (id) await reload().catch((err) => setStatus(`无法打开内容：${errorText(err)}`, true));
  else {
    showArticle();
    if (!can('content.write')) setStatus('你的角色不能新建内容', true);
    if (!accounts.length) setStatus('还没有可用的账号：请先由超级管理员登记账号', true);
  }
});

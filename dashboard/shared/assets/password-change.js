// The first-login password change of both setup pages (/admin/setup and /portal/setup): checks the two
// new-password fields agree, posts the change, and when the server refuses the password marks each rule it
// names in the list beside the field (a ✕ and the words, never colour alone) and says them in the alert.
// Each surface passes its own `post` (its API client keeps the CSRF token), so this file knows no URLs.
// The portal also passes its `t` and `lang` (its English switch); /admin keeps the Chinese defaults.

const $ = (id) => document.getElementById(id);

/** An API error as a line of text with its stable code, e.g. "当前密码不正确 [INVALID_CREDENTIALS]". */
function describeError(err) {
  if (err?.code) return `${err.message} [${err.code}]`;
  return String(err?.message ?? err);
}

function markRules(codes, t) {
  for (const li of document.querySelectorAll('#password-rules [data-rule]')) {
    const broken = codes.includes(li.dataset.rule);
    li.classList.toggle('broken', broken);
    const mark = li.querySelector('.mark');
    if (broken && !mark)
      li.prepend(
        Object.assign(document.createElement('span'), { className: 'mark', textContent: t('✕ 未满足：') }),
      );
    if (!broken && mark) mark.remove();
  }
}

/**
 * Wires #password-form. `post({ currentPassword, newPassword })` resolves to the API's answer
 * ({ stage, csrfToken }); `onChanged(answer)` runs after a successful change. `t(zh)` gives a message in
 * the page's language, and `lang` picks the language of the rules the server names.
 */
export function wirePasswordChange({ post, onChanged, t = (zh) => zh, lang = 'zh-CN' }) {
  const form = $('password-form');
  const error = $('password-error');
  const button = form.querySelector('button[type="submit"]');
  const fail = (text, focusId) => {
    error.textContent = text;
    error.hidden = false;
    if (focusId) $(focusId).focus();
  };
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.hidden = true;
    markRules([], t);
    for (const id of ['current-password', 'new-password', 'confirm-password'])
      $(id).removeAttribute('aria-invalid');
    const currentPassword = $('current-password').value;
    const newPassword = $('new-password').value;
    if (!currentPassword || !newPassword)
      return fail(t('请填写当前密码和新密码'), currentPassword ? 'new-password' : 'current-password');
    if (newPassword !== $('confirm-password').value) {
      $('confirm-password').setAttribute('aria-invalid', 'true');
      return fail(t('两次输入的新密码不一致'), 'confirm-password');
    }
    button.disabled = true;
    try {
      const answer = await post({ currentPassword, newPassword });
      form.reset();
      onChanged(answer);
    } catch (err) {
      const violations = err?.details?.violations ?? [];
      if (err?.code === 'PASSWORD_POLICY' && violations.length) {
        markRules(
          violations.map((v) => v.code),
          t,
        );
        $('new-password').setAttribute('aria-invalid', 'true');
        const rule = (v) => `${lang === 'en' ? (v.messageEn ?? v.message) : v.message} [${v.code}]`;
        fail(`${t('新密码不符合要求：')}${violations.map(rule).join(t('；'))}`, 'new-password');
      } else if (err?.code === 'PASSWORD_REUSED') {
        markRules(['PASSWORD_REUSED'], t);
        $('new-password').setAttribute('aria-invalid', 'true');
        fail(describeError(err), 'new-password');
      } else if (err?.code === 'INVALID_CREDENTIALS') {
        $('current-password').setAttribute('aria-invalid', 'true');
        fail(`${t('当前密码不正确，请重新输入（连续输错会锁定账号）')} [${err.code}]`, 'current-password');
      } else fail(describeError(err));
    } finally {
      button.disabled = false;
    }
  });
}

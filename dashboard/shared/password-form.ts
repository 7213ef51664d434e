import { escapeHtml } from '../../core/html.js';
import { PASSWORD_HISTORY } from '../../core/identity/account.service.js';
import { PASSWORD_RULES } from '../../core/identity/password-policy.js';

/**
 * The first-login password form of both setup pages (/admin/setup, /portal/setup). The rules are listed
 * from the policy itself, so the page and the server never disagree; each item carries its error code,
 * and password-change.js marks the ones the server names when it refuses a password. English only for the
 * portal's language switch; /admin is Chinese.
 */
export function passwordChangeForm(lang: 'zh-CN' | 'en' = 'zh-CN'): string {
  const t = (zh: string, en: string) => (lang === 'en' ? en : zh);
  const rules: Array<[code: string, text: string]> = [
    ...PASSWORD_RULES.filter((r) => r.code !== 'PASSWORD_TOO_LONG').map((r): [string, string] => [
      r.code,
      t(r.message, r.messageEn),
    ]),
    [
      'PASSWORD_REUSED',
      t(
        `不能与最近 ${PASSWORD_HISTORY} 次用过的密码相同`,
        `Do not reuse any of your last ${PASSWORD_HISTORY} passwords`,
      ),
    ],
  ];
  const field = (id: string, label: string, autocomplete: string, describedBy = '') =>
    `<div class="field"><label for="${id}">${label}</label><input id="${id}" type="password" autocomplete="${autocomplete}" maxlength="128" required${describedBy ? ` aria-describedby="${describedBy}"` : ''}></div>`;
  return `<form id="password-form" class="setup-step" novalidate aria-labelledby="password-h" hidden>
<h2 id="password-h">${t('设置新密码', 'Set a new password')}</h2>
<p>${t('首次登录、管理员重置密码后或密码过期时，需要先设置自己的密码。修改后，其他设备上的登录会结束。', 'At your first sign-in, after an administrator resets your password, or when it expires, you first set a password of your own. Changing it signs you out on other devices.')}</p>
${field('current-password', t('当前密码（初始密码）', 'Current (initial) password'), 'current-password')}
${field('new-password', t('新密码', 'New password'), 'new-password', 'password-rules-h')}
${field('confirm-password', t('再次输入新密码', 'New password again'), 'new-password')}
<p id="password-rules-h" class="rules-title">${t('新密码须满足：', 'The new password must:')}</p>
<ul id="password-rules" class="rules">
${rules.map(([code, text]) => `<li data-rule="${escapeHtml(code)}">${escapeHtml(text)}</li>`).join('\n')}
</ul>
<p id="password-error" class="error" role="alert" hidden></p>
<button type="submit" class="btn">${t('修改密码', 'Change password')}</button>
</form>`;
}

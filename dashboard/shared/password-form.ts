import { escapeHtml } from '../../core/html.js';
import { PASSWORD_HISTORY } from '../../core/identity/account.service.js';
import { PASSWORD_RULES } from '../../core/identity/password-policy.js';

/**
 * The first-login password form of both setup pages (/admin/setup, /portal/setup). The rules are listed
 * from the policy itself, so the page and the server never disagree; each item carries its error code,
 * and password-change.js marks the ones the server names when it refuses a password.
 */
export function passwordChangeForm(): string {
  const rules = [
    ...PASSWORD_RULES.filter((r) => r.code !== 'PASSWORD_TOO_LONG').map((r) => [r.code, r.message]),
    ['PASSWORD_REUSED', `不能与最近 ${PASSWORD_HISTORY} 次用过的密码相同`],
  ];
  const field = (id: string, label: string, autocomplete: string, describedBy = '') =>
    `<div class="field"><label for="${id}">${label}</label><input id="${id}" type="password" autocomplete="${autocomplete}" maxlength="128" required${describedBy ? ` aria-describedby="${describedBy}"` : ''}></div>`;
  return `<form id="password-form" class="setup-step" novalidate aria-labelledby="password-h" hidden>
<h2 id="password-h">设置新密码</h2>
<p>首次登录、管理员重置密码后或密码过期时，需要先设置自己的密码。修改后，其他设备上的登录会结束。</p>
${field('current-password', '当前密码（初始密码）', 'current-password')}
${field('new-password', '新密码', 'new-password', 'password-rules-h')}
${field('confirm-password', '再次输入新密码', 'new-password')}
<p id="password-rules-h" class="rules-title">新密码须满足：</p>
<ul id="password-rules" class="rules">
${rules.map(([code, text]) => `<li data-rule="${escapeHtml(code ?? '')}">${escapeHtml(text ?? '')}</li>`).join('\n')}
</ul>
<p id="password-error" class="error" role="alert" hidden></p>
<button type="submit" class="btn">修改密码</button>
</form>`;
}

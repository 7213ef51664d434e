// Users: list and create (the one-time password is shown once); 管理 opens a panel to change the name or
// status, grant a role, lift a lock, reset two-factor sign-in or the password, and end every session. Each
// control is shown only to the role that may use it (三权分立: superadmin and security admin differ).
import { api, ask, attempt, can, fmtTime, startPage } from './admin-common.js';
import {
  $,
  action,
  actions,
  fillOrganisations,
  isClientRole,
  openDetail,
  ROLES,
  table,
  wireDetailClose,
} from './admin-manage.js';

const locked = (u) => Boolean(u.lockedUntil) && new Date(u.lockedUntil) > new Date();
const stateText = (u) => `${u.status === 'active' ? '正常' : '已停用'}${locked(u) ? '（已锁定）' : ''}`;

/** Shows the organisation field of a form only while a client role is chosen. */
function followRole(roleSelect) {
  const wrap = roleSelect.closest('form').querySelector('.client-only');
  const sync = () => {
    wrap.hidden = !isClientRole(roleSelect.value);
  };
  roleSelect.addEventListener('change', sync);
  sync();
  return sync;
}

startPage(async () => {
  const orgs = can('organisations.read') ? await fillOrganisations($('f-org')) : [];
  $('e-org').replaceChildren(...[...$('f-org').options].map((o) => o.cloneNode(true)));
  const orgName = (id) => orgs.find((o) => o.id === id)?.name ?? '';
  const syncCreate = followRole($('f-role'));
  const syncGrant = followRole($('e-role'));
  let current = null;

  $('create-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const role = $('f-role').value;
    const r = await attempt('创建用户', () =>
      api('POST', '/api/users', {
        username: $('f-username').value.trim(),
        displayName: $('f-name').value.trim(),
        role,
        ...(isClientRole(role) ? { organisationId: $('f-org').value } : {}),
      }),
    );
    if (!r) return;
    $('initial-password').textContent =
      `${r.user.username} 的初始密码（仅显示一次，请安全转交；首次登录须修改）：${r.initialPassword}`;
    $('create-form').reset();
    syncCreate();
    await render();
  });

  function show(u) {
    current = u;
    openDetail(
      `管理用户：${u.displayName}（${u.username}）`,
      `${ROLES[u.role] ?? u.role}${u.organisationId ? ` · ${orgName(u.organisationId)}` : ''} · ${stateText(u)} · 两步验证${u.totpEnabled ? '已启用' : '未启用'} · 最近登录 ${fmtTime(u.lastLoginAt)}`,
    );
    $('e-name').value = u.displayName;
    $('e-status').value = u.status;
    $('e-role').value = u.role in ROLES && u.role !== 'superadmin' ? u.role : 'editor';
    if (u.organisationId) $('e-org').value = u.organisationId;
    syncGrant();
    $('unlock').disabled = !locked(u);
    $('reset-2fa').disabled = !u.totpEnabled;
    $('one-time-password').textContent = '';
  }

  /** Runs a change on the open user, then shows the answer and the refreshed list. */
  async function change(label, run) {
    const r = await attempt(`${label}（${current.username}）`, run);
    if (r === undefined) return undefined;
    await render();
    if (r?.id) show(r);
    return r;
  }

  $('edit-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const status = $('e-status').value;
    if (status === 'disabled' && current.status !== 'disabled') {
      const yes = await ask({
        title: '停用用户',
        message: `停用后“${current.displayName}”将无法登录，现有登录立即结束。确定停用吗？`,
        confirmLabel: '停用',
        danger: true,
      });
      if (!yes) return;
    }
    await change('保存用户', () =>
      api('PATCH', `/api/users/${current.id}`, { displayName: $('e-name').value.trim(), status }),
    );
  });

  $('role-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const role = $('e-role').value;
    const yes = await ask({
      title: '授予角色',
      message: `把“${current.displayName}”的角色改为“${ROLES[role]}”？该用户的现有登录会结束。`,
      confirmLabel: '授予',
    });
    if (!yes) return;
    await change('授予角色', () =>
      api('PUT', `/api/users/${current.id}/role`, {
        role,
        organisationId: isClientRole(role) ? $('e-org').value : null,
      }),
    );
  });

  $('unlock').addEventListener('click', () =>
    change('解除锁定', () => api('POST', `/api/users/${current.id}/unlock`)),
  );

  /** A button that asks first; `message(user)` says what happens to the open user. */
  const confirmed = (id, title, message, confirmLabel, run) =>
    $(id).addEventListener('click', async () => {
      if (await ask({ title, message: message(current), confirmLabel, danger: true })) await run();
    });
  confirmed(
    'reset-2fa',
    '重置两步验证',
    (u) => `“${u.displayName}”下次登录时需要重新绑定验证器。确定重置吗？`,
    '重置',
    () => change('重置两步验证', () => api('POST', `/api/users/${current.id}/reset-2fa`)),
  );
  confirmed(
    'reset-password',
    '重置密码',
    (u) => `“${u.displayName}”的原密码立即失效并生成一次性密码，登录后须修改。确定重置吗？`,
    '重置密码',
    async () => {
      const user = current;
      const r = await change('重置密码', () => api('POST', `/api/users/${user.id}/reset-password`));
      if (r)
        $('one-time-password').textContent =
          `${user.username} 的一次性密码（仅显示一次，请安全转交）：${r.initialPassword}`;
    },
  );
  confirmed(
    'revoke',
    '结束全部登录',
    (u) => `“${u.displayName}”在所有设备上的登录将立即结束。确定吗？`,
    '结束登录',
    async () => {
      const r = await change('结束全部登录', () => api('POST', `/api/users/${current.id}/revoke-sessions`));
      if (r) $('one-time-password').textContent = `已结束 ${r.revoked} 个登录`;
    },
  );
  wireDetailClose();

  async function render() {
    const { items } = await api('GET', '/api/users');
    table(
      ['用户名', '姓名', '角色', '状态', '两步验证', '最近登录', '操作'],
      items.map((u) => [
        u.username,
        u.displayName,
        `${ROLES[u.role] ?? u.role}${u.organisationId ? `（${orgName(u.organisationId)}）` : ''}`,
        stateText(u),
        u.totpEnabled ? '已启用' : '未启用',
        fmtTime(u.lastLoginAt),
        actions(action('管理', u.username, () => show(u))),
      ]),
    );
    if (current) current = items.find((u) => u.id === current.id) ?? current;
  }
  await render();
});

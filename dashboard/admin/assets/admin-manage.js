// The management pages (accounts, KPI targets, campaigns, alert channels, users, audit log): a table, and
// a form for the roles that may change things. Which page is read from body[data-page].
import { accountLabel, api, attempt, can, el, fmtTime, PLATFORM_LABELS, startPage } from './admin-common.js';

const $ = (id) => document.getElementById(id);
const STATUS = { active: '正常', needs_reauth: '需重新授权', disabled: '已停用' };
const ROLES = {
  superadmin: '超级管理员',
  security_admin: '安全管理员',
  auditor: '审计管理员',
  editor: '内容编辑',
  planner: '活动策划',
  client_approver: '客户审定人',
  client_viewer: '客户',
};
const OUTCOMES = { success: '成功', failure: '失败', denied: '拒绝' };
const CAMPAIGN_TYPES = { marketing: '营销活动', theme: '主题活动', topic: '专题' };

function table(headers, rows) {
  $('list')
    .querySelector('thead')
    .replaceChildren(
      el(
        'tr',
        {},
        headers.map((h) => el('th', { scope: 'col' }, h)),
      ),
    );
  const body = $('list').querySelector('tbody');
  body.replaceChildren(
    ...rows.map((cells) =>
      el(
        'tr',
        {},
        cells.map((c) => el('td', {}, c)),
      ),
    ),
  );
  if (!rows.length) body.append(el('tr', {}, el('td', { colspan: String(headers.length) }, '暂无记录')));
}

async function orgPicker(onChange) {
  const select = $('org');
  const { items } = await api('GET', '/api/organisations');
  select.replaceChildren(...items.map((o) => el('option', { value: o.id }, o.name)));
  select.addEventListener('change', onChange);
  return () => select.value;
}

const PAGES = {
  async accounts() {
    const render = async () => {
      const { items } = await api('GET', `/api/accounts?organisationId=${org()}`);
      table(
        ['账号', '平台', '状态', '凭据', '操作'],
        items.map((a) => [
          el('span', { class: 'clip', title: a.name }, accountLabel(a)),
          PLATFORM_LABELS[a.platform],
          `${STATUS[a.status]}${a.statusReason ? `：${a.statusReason}` : ''}${a.sandbox ? '（沙箱）' : ''}`,
          a.credentials.length
            ? a.credentials.map((c) => `${c.name} 更新于 ${fmtTime(c.updatedAt)}`).join('；')
            : '未设置',
          can('accounts.verify')
            ? el(
                'button',
                {
                  type: 'button',
                  class: 'btn secondary',
                  onclick: async () => {
                    const r = await attempt(`检查 ${a.name}`, () =>
                      api('POST', `/api/accounts/${a.id}/verify`),
                    );
                    if (!r) return;
                    const c = r.check;
                    const yn = (v) => (v === null ? '未检查' : v ? '正常' : '异常');
                    $('status').textContent =
                      `${a.name}：令牌${c.token ? '正常' : '异常'}，IP 白名单${yn(c.ipWhitelist)}，发布权限${yn(c.publishing)}，数据权限${yn(c.analytics)}${c.problems.map((p) => `；${p.editorMessage}`).join('')}`;
                    await render();
                  },
                },
                '检查凭据',
              )
            : '—',
        ]),
      );
    };
    const org = await orgPicker(render);
    await render();
  },

  async kpi() {
    const render = async () => {
      const { items } = await api('GET', `/api/orgs/${org()}/kpi/targets`);
      table(
        ['名称', '指标', '合同期', '里程碑'],
        items.map((t) => [
          el('span', { class: 'clip', title: t.name }, t.name),
          t.metric,
          `${t.contractStart} 至 ${t.contractEnd}`,
          t.milestones.map((m) => `${m.date}：${m.kind === 'percent' ? `+${m.value}%` : m.value}`).join('；'),
        ]),
      );
    };
    const org = await orgPicker(render);
    $('create-form').addEventListener('submit', async (event) => {
      event.preventDefault();
      const ok = await attempt('保存目标', () =>
        api('POST', `/api/orgs/${org()}/kpi/targets`, {
          name: $('f-name').value.trim(),
          metric: $('f-metric').value,
          contractStart: $('f-start').value,
          contractEnd: $('f-end').value,
          milestones: [{ date: $('f-date').value, kind: 'absolute', value: Number($('f-value').value) }],
        }),
      );
      if (ok) await render();
    });
    await render();
  },

  async campaigns() {
    const render = async () => {
      const { items } = await api('GET', `/api/orgs/${org()}/campaigns`);
      table(
        ['名称', '类型', '起止', '内容数'],
        items.map((c) => [
          el('span', { class: 'clip', title: c.name }, c.name),
          CAMPAIGN_TYPES[c.type] ?? c.type,
          `${c.startsOn} 至 ${c.endsOn}`,
          String(c.contentCount),
        ]),
      );
    };
    const org = await orgPicker(render);
    $('create-form').addEventListener('submit', async (event) => {
      event.preventDefault();
      const ok = await attempt('创建活动', () =>
        api('POST', `/api/orgs/${org()}/campaigns`, {
          name: $('f-name').value.trim(),
          type: $('f-type').value,
          startsOn: $('f-start').value,
          endsOn: $('f-end').value,
        }),
      );
      if (ok) await render();
    });
    await render();
  },

  async alerts() {
    const render = async () => {
      const { items } = await api('GET', `/api/alerts/channels?organisationId=${org()}`);
      table(
        ['名称', '类型', '地址', '状态', '操作'],
        items.map((c) => [
          c.name,
          c.type,
          el('span', { class: 'clip', title: c.target }, c.target),
          c.enabled ? '启用' : '停用',
          can('alerts.manage')
            ? el(
                'button',
                {
                  type: 'button',
                  class: 'btn secondary',
                  onclick: () =>
                    attempt(`发送测试消息到 ${c.name}`, () =>
                      api('POST', `/api/alerts/channels/${c.id}/test`),
                    ),
                },
                '发送测试',
              )
            : '—',
        ]),
      );
    };
    const org = await orgPicker(render);
    $('create-form').addEventListener('submit', async (event) => {
      event.preventDefault();
      const type = $('f-type').value;
      const url = $('f-url').value.trim();
      const secret = $('f-secret').value || null;
      const config =
        type === 'wecom'
          ? { type, webhookUrl: url }
          : type === 'dingtalk'
            ? { type, webhookUrl: url, secret }
            : { type, url, secret };
      const ok = await attempt('添加渠道', () =>
        api('POST', '/api/alerts/channels', {
          organisationId: org(),
          name: $('f-name').value.trim(),
          config,
        }),
      );
      if (ok) await render();
    });
    await render();
  },

  async users() {
    const render = async () => {
      const { items } = await api('GET', '/api/users');
      table(
        ['用户名', '姓名', '角色', '状态', '两步验证', '最近登录'],
        items.map((u) => [
          u.username,
          u.displayName,
          ROLES[u.role] ?? u.role,
          `${u.status === 'active' ? '正常' : '已停用'}${u.lockedUntil ? '（已锁定）' : ''}`,
          u.totpEnabled ? '已启用' : '未启用',
          fmtTime(u.lastLoginAt),
        ]),
      );
    };
    $('create-form').addEventListener('submit', async (event) => {
      event.preventDefault();
      const r = await attempt('创建用户', () =>
        api('POST', '/api/users', {
          username: $('f-username').value.trim(),
          displayName: $('f-name').value.trim(),
          role: $('f-role').value,
        }),
      );
      if (!r) return;
      $('initial-password').textContent = `初始密码（仅显示一次，请安全转交）：${r.initialPassword}`;
      await render();
    });
    await render();
  },

  async audit() {
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
  },
};

startPage(async () => {
  await PAGES[document.body.dataset.page]();
});

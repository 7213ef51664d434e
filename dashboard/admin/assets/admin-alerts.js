// Alert channels of an organisation: list, add, edit (the address and secret are write-only: left empty,
// they stay as they are), enable or disable, send a test message, delete.
import { api, attempt, setStatus, startPage } from './admin-common.js';
import { $, action, actions, clip, createOrEdit, deleteAction, orgPicker, table } from './admin-manage.js';

const TYPES = { wecom: '企业微信群机器人', dingtalk: '钉钉机器人', webhook: 'Webhook' };

/** The write-only settings from the form, or null when the address is left empty while editing. */
function configFromForm(editing) {
  const type = $('f-type').value;
  const url = $('f-url').value.trim();
  const secret = $('f-secret').value || null;
  if (!url) {
    if (!editing) throw new Error('请填写地址');
    if (type !== editing.type) throw new Error('更换渠道类型时需要重新填写地址');
    if (secret) throw new Error('更换签名密钥时需要同时填写地址');
    return null;
  }
  if (type === 'wecom') return { type, webhookUrl: url };
  if (type === 'dingtalk') return { type, webhookUrl: url, secret };
  return { type, url, secret };
}

startPage(async () => {
  const org = await orgPicker(() => render());
  const form = createOrEdit({
    what: '告警渠道',
    fill(c) {
      $('f-name').value = c.name;
      $('f-type').value = c.type;
      $('f-url').required = false;
    },
    reset() {
      $('f-url').required = true;
    },
    save(editing) {
      const name = $('f-name').value.trim();
      const config = configFromForm(editing);
      if (!editing) return api('POST', '/api/alerts/channels', { organisationId: org(), name, config });
      return api('PATCH', `/api/alerts/channels/${editing.id}`, { name, ...(config ? { config } : {}) });
    },
    done: () => render(),
  });

  async function test(c) {
    const r = await attempt(`发送测试消息到“${c.name}”`, () =>
      api('POST', `/api/alerts/channels/${c.id}/test`),
    );
    if (!r) return;
    if (r.ok) setStatus(`“${c.name}”：测试消息已送达`);
    else
      setStatus(
        `“${c.name}”：测试消息发送失败${r.reason ? `：${r.reason}` : ''}${r.retryable ? '（可稍后重试）' : ''}`,
        true,
      );
  }

  async function render() {
    const { items } = await api('GET', `/api/alerts/channels?organisationId=${org()}`);
    table(
      ['名称', '类型', '地址', '状态', '操作'],
      items.map((c) => [
        clip(c.name),
        TYPES[c.type] ?? c.type,
        clip(c.target),
        c.enabled ? '启用' : '停用',
        actions(
          action('编辑', c.name, () => form.edit(c), { perm: 'alerts.manage' }),
          action(
            c.enabled ? '停用' : '启用',
            c.name,
            async () => {
              const label = `${c.enabled ? '停用' : '启用'}渠道“${c.name}”`;
              const done = await attempt(label, () =>
                api('PATCH', `/api/alerts/channels/${c.id}`, { enabled: !c.enabled }),
              );
              if (done) await render();
            },
            { perm: 'alerts.manage' },
          ),
          action('发送测试', c.name, () => test(c), { perm: 'alerts.manage' }),
          deleteAction('告警渠道', c.name, `/api/alerts/channels/${c.id}`, 'alerts.manage', render),
        ),
      ]),
    );
  }
  await render();
});

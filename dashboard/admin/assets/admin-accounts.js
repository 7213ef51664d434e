// Platform accounts of an organisation: list and register; 管理 opens a panel to change the settings,
// replace the credentials (write-only), check them against the platform, start a metrics backfill and
// follow its progress, or disable the account and enable it again.
import {
  accountLabel,
  api,
  ask,
  attempt,
  can,
  el,
  fmtTime,
  PLATFORM_LABELS,
  setStatus,
  shanghaiDay,
  startPage,
} from './admin-common.js';
import { $, action, actions, clip, openDetail, orgPicker, table, wireDetailClose } from './admin-manage.js';

const STATUS = { active: '正常', needs_reauth: '需重新授权', disabled: '已停用' };
const BACKFILL = { queued: '排队中', running: '进行中', done: '已完成', failed: '失败' };
const CREDENTIAL = { wechat: ['app_secret', 'AppSecret'], weibo: ['access_token', 'access token'] };
const yn = (v) => (v === null ? '未检查' : v ? '正常' : '异常');
const statusText = (a) =>
  `${STATUS[a.status]}${a.statusReason ? `：${a.statusReason}` : ''}${a.sandbox ? '（沙箱）' : ''}`;

/** The settings fields of the create (f-) or edit (e-) form, as the API takes them. */
function settings(p, platform) {
  const tier = $(`${p}-tier`).value || null;
  const inspectionCadence = $(`${p}-cadence`).value || null;
  if (platform !== 'wechat') return { tier, inspectionCadence };
  return {
    wechatKind: $(`${p}-kind`).value,
    publishMode: $(`${p}-mode`).value,
    verified: $(`${p}-verified`).checked,
    dailyMasssendQuota: Number($(`${p}-quota`).value),
    tier,
    inspectionCadence,
  };
}

function showWechatFields(form, platform) {
  for (const e of form.querySelectorAll('.wechat-only')) e.hidden = platform !== 'wechat';
}

/** The day before today in Beijing (platform figures are final the next day). */
const yesterday = () => shanghaiDay(Date.now() - 86_400_000);

startPage(async () => {
  const org = await orgPicker(() => render());
  let current = null;
  let polling = null;

  const platformSelect = $('f-platform');
  platformSelect.addEventListener('change', () => showWechatFields($('create-form'), platformSelect.value));
  $('create-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const platform = platformSelect.value;
    const secret = $('f-secret').value;
    const created = await attempt('登记账号', () =>
      api('POST', '/api/accounts', {
        organisationId: org(),
        platform,
        name: $('f-name').value.trim(),
        externalId: $('f-external').value.trim(),
        ...settings('f', platform),
        ...(secret ? { credentials: { [CREDENTIAL[platform][0]]: secret } } : {}),
      }),
    );
    if (!created) return;
    $('create-form').reset();
    showWechatFields($('create-form'), platformSelect.value);
    await render();
  });

  function show(a) {
    current = a;
    openDetail(`管理账号：${accountLabel(a)}`, `${statusText(a)} · ${a.externalId}`);
    $('e-name').value = a.name;
    showWechatFields($('edit-form'), a.platform);
    if (a.platform === 'wechat') {
      $('e-kind').value = a.wechatKind ?? 'subscription';
      $('e-mode').value = a.publishMode ?? 'masssend';
      $('e-verified').checked = a.verified;
      $('e-quota').value = String(a.dailyMasssendQuota);
    }
    $('e-tier').value = a.tier ?? '';
    $('e-cadence').value = a.inspectionCadence ?? '';
    document.querySelector('label[for="e-secret"]').textContent = `新的 ${CREDENTIAL[a.platform][1]}`;
    $('verify-result').textContent = '';
    $('disable').hidden = a.status === 'disabled';
    $('enable').hidden = a.status !== 'disabled';
    $('b-to').value = yesterday();
    $('b-to').max = yesterday();
    showBackfills();
  }

  /** After a change: the refreshed row in the table and the panel. */
  async function changed(account) {
    await render();
    show(account);
  }

  $('edit-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const a = await attempt(`保存账号“${current.name}”`, () =>
      api('PATCH', `/api/accounts/${current.id}`, {
        name: $('e-name').value.trim(),
        ...settings('e', current.platform),
      }),
    );
    if (a) await changed(a);
  });

  $('credentials-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const value = $('e-secret').value;
    const a = await attempt(`更换“${current.name}”的凭据`, () =>
      api('PUT', `/api/accounts/${current.id}/credentials`, { [CREDENTIAL[current.platform][0]]: value }),
    );
    $('e-secret').value = '';
    if (a) await changed(a);
  });

  $('verify').addEventListener('click', async () => {
    const r = await attempt(`检查“${current.name}”的凭据`, () =>
      api('POST', `/api/accounts/${current.id}/verify`),
    );
    if (!r) return;
    const c = r.check;
    const text = `令牌${c.token ? '正常' : '异常'}，IP 白名单${yn(c.ipWhitelist)}，发布权限${yn(c.publishing)}，数据权限${yn(c.analytics)}${c.problems.map((p) => `；${p.editorMessage}`).join('')}`;
    await changed(r.account);
    $('verify-result').textContent = text;
    setStatus(`${r.account.name}：${text}`, c.problems.length > 0);
  });

  $('disable').addEventListener('click', async () => {
    const answer = await ask({
      title: '停用账号',
      message: `停用后不再向“${current.name}”发布任何内容。请填写停用原因。`,
      confirmLabel: '停用',
      danger: true,
      fields: [{ name: 'reason', label: '停用原因', required: true }],
    });
    if (!answer) return;
    const a = await attempt(`停用“${current.name}”`, () =>
      api('POST', `/api/accounts/${current.id}/disable`, { reason: answer.reason }),
    );
    if (a) await changed(a);
  });

  $('enable').addEventListener('click', async () => {
    const a = await attempt(`重新启用“${current.name}”`, () =>
      api('POST', `/api/accounts/${current.id}/enable`),
    );
    if (a) {
      await changed(a);
      setStatus(`已重新启用“${a.name}”。请点击“检查凭据”确认授权仍然有效。`);
    }
  });

  $('backfill-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const b = await attempt(`补采“${current.name}”的数据`, () =>
      api('POST', `/api/accounts/${current.id}/backfill`, { from: $('b-from').value, to: $('b-to').value }),
    );
    if (b) await showBackfills();
  });

  /** The account's backfills with a progress bar each; polled while one is queued or running. */
  async function showBackfills() {
    clearTimeout(polling);
    if (!can('metrics.read') || !current) return;
    const account = current;
    const { items } = await api('GET', `/api/accounts/${account.id}/backfills`);
    if (current !== account) return;
    $('backfills').replaceChildren(
      items.length
        ? el(
            'ul',
            { class: 'plain' },
            items.slice(0, 5).map((b) =>
              el(
                'li',
                {},
                `${b.from} 至 ${b.to} · ${BACKFILL[b.status] ?? b.status} · 已完成 ${b.doneDays} / ${b.totalDays} 天（${Math.round(b.percent)}%）`,
                el('progress', {
                  max: '100',
                  value: String(b.percent),
                  'aria-label': `${b.from} 至 ${b.to} 补采进度`,
                }),
                b.error ? el('span', { class: 'error' }, ` 错误：${b.error}`) : '',
                el('small', {}, ` 提交于 ${fmtTime(b.createdAt)}`),
              ),
            ),
          )
        : el('p', {}, '暂无补采任务'),
    );
    if (items.some((b) => b.status === 'queued' || b.status === 'running'))
      polling = setTimeout(() => showBackfills().catch(() => undefined), 3000);
  }

  wireDetailClose();
  $('detail-close').addEventListener('click', () => {
    clearTimeout(polling);
    current = null;
  });

  async function render() {
    const { items } = await api('GET', `/api/accounts?organisationId=${org()}`);
    table(
      ['账号', '平台', '状态', '凭据', '操作'],
      items.map((a) => [
        clip(accountLabel(a)),
        PLATFORM_LABELS[a.platform],
        statusText(a),
        a.credentials.length
          ? a.credentials.map((c) => `${c.name} 更新于 ${fmtTime(c.updatedAt)}`).join('；')
          : '未设置',
        actions(action('管理', a.name, () => show(a))),
      ]),
    );
    // Another organisation chosen: the panel of an account not listed closes.
    if (current && !items.some((a) => a.id === current.id)) $('detail-close').click();
  }
  await render();
});

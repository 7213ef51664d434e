import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmulatorApp, startEmulator } from '../../integrations/emulator/emulator.app.js';
import {
  createTestUser,
  type IdentityHarness,
  identityHarness,
  type SignedIn,
  signIn,
} from '../helpers/identity.js';

const SECRET = 'lottery-app-secret-0123456789ab';

describe('accounts registry and credential verification (against the emulator over HTTP)', () => {
  let emu: EmulatorApp & { url: string; close: () => Promise<void> };
  let h: IdentityHarness;
  let admin: SignedIn;
  let editor: SignedIn;

  beforeAll(async () => {
    emu = await startEmulator();
    h = await identityHarness({
      TOTP_REQUIRED_ROLES: 'none',
      WECHAT_API_BASE: emu.url,
      WEIBO_API_BASE: emu.url,
    });
    admin = await signIn(h.app, await createTestUser(h, 'superadmin'));
    editor = await signIn(h.app, await createTestUser(h, 'editor'));
  });
  afterAll(async () => {
    await h?.close();
    await emu?.close();
  });

  const create = (payload: Record<string, unknown>) =>
    h.app.inject({
      method: 'POST',
      url: '/api/accounts',
      headers: admin.headers,
      payload: { organisationId: h.orgId, ...payload },
    });
  const verify = (id: string, who: SignedIn = editor) =>
    h.app.inject({ method: 'POST', url: `/api/accounts/${id}/verify`, headers: who.headers });

  it('registers a WeChat account; the secret is stored encrypted, never returned, and the change audited', async () => {
    emu.state.addWechatApp({ appid: 'wx_lottery_ok', secret: SECRET, verified: true });
    const res = await create({
      platform: 'wechat',
      name: '省体彩',
      externalId: 'wx_lottery_ok',
      wechatKind: 'subscription',
      verified: true,
      publishMode: 'masssend',
      credentials: { app_secret: SECRET },
    });
    expect(res.statusCode).toBe(201);
    expect(res.body).not.toContain(SECRET);
    expect(res.json()).toMatchObject({
      status: 'active',
      sandbox: false,
      credentials: [{ name: 'app_secret' }],
    });
    const list = await h.app.inject({ url: '/api/accounts', headers: { cookie: editor.cookie } });
    expect(list.body).not.toContain(SECRET);
    const actions = (
      await h.db.selectFrom('audit_log').select('action').where('target_id', '=', res.json().id).execute()
    ).map((r) => r.action);
    expect(actions).toEqual(['account.created', 'account.credentials_changed']);

    const checked = await verify(res.json().id);
    expect(checked.statusCode).toBe(200);
    expect(checked.json().check).toEqual({
      token: true,
      ipWhitelist: true,
      publishing: true,
      analytics: true,
      problems: [],
    });
  });

  it('reports an unverified account without the publishing API (48001) with a message naming the fix', async () => {
    emu.state.addWechatApp({ appid: 'wx_unverified', secret: SECRET, verified: false });
    const res = await create({
      platform: 'wechat',
      name: '未认证号',
      externalId: 'wx_unverified',
      wechatKind: 'subscription',
      publishMode: 'masssend',
      credentials: { app_secret: SECRET },
    });
    const check = (await verify(res.json().id)).json().check;
    expect(check).toMatchObject({ token: true, publishing: false, analytics: true });
    expect(check.problems[0]).toMatchObject({ check: 'publishing', code: 48001 });
    expect(check.problems[0].editorMessage).toMatch(/认证/);
  });

  it('a wrong AppSecret sends the account to needs_reauth with the reason; a corrected secret brings it back', async () => {
    emu.state.addWechatApp({ appid: 'wx_wrong_secret', secret: SECRET });
    const res = await create({
      platform: 'wechat',
      name: '错密钥',
      externalId: 'wx_wrong_secret',
      wechatKind: 'service',
      publishMode: 'masssend',
      credentials: { app_secret: 'definitely-not-the-secret' },
    });
    const bad = (await verify(res.json().id)).json();
    expect(bad.check).toMatchObject({ token: false, problems: [{ check: 'token', code: 40125 }] });
    expect(bad.account.status).toBe('needs_reauth');
    expect(bad.account.statusReason).toMatch(/AppSecret/);
    const fix = await h.app.inject({
      method: 'PUT',
      url: `/api/accounts/${res.json().id}/credentials`,
      headers: admin.headers,
      payload: { app_secret: SECRET },
    });
    expect(fix.statusCode).toBe(200);
    const good = (await verify(res.json().id)).json();
    expect(good.account.status).toBe('active');
  });

  it('an IP off the whitelist (40164) is named as such', async () => {
    emu.state.addWechatApp({ appid: 'wx_ip_locked', secret: SECRET, ipWhitelist: ['10.20.30.40'] });
    const res = await create({
      platform: 'wechat',
      name: '白名单',
      externalId: 'wx_ip_locked',
      wechatKind: 'subscription',
      publishMode: 'masssend',
      credentials: { app_secret: SECRET },
    });
    const check = (await verify(res.json().id)).json().check;
    expect(check).toMatchObject({ token: false, ipWhitelist: false, problems: [{ code: 40164 }] });
    expect(check.problems[0].editorMessage).toMatch(/IP 白名单/);
  });

  it('refuses bad input with stable codes and stores nothing', async () => {
    const before = await h.db.selectFrom('accounts').select('id').execute();
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [
        {
          platform: 'wechat',
          name: 'x',
          externalId: 'wx_a1',
          wechatKind: 'subscription',
          publishMode: 'freepublish',
        },
        422,
        'FREEPUBLISH_NEEDS_VERIFIED',
      ],
      [{ platform: 'wechat', name: 'x', externalId: 'wx_a2' }, 422, 'WECHAT_FIELDS_REQUIRED'],
      [
        {
          platform: 'weibo',
          name: 'x',
          externalId: '1234567890',
          wechatKind: 'service',
          publishMode: 'masssend',
        },
        422,
        'WECHAT_FIELDS_NOT_ALLOWED',
      ],
      [
        {
          platform: 'weibo',
          name: 'x',
          externalId: '1234567891',
          credentials: { app_secret: 'x'.repeat(20) },
        },
        422,
        'UNKNOWN_CREDENTIAL',
      ],
      [
        {
          platform: 'wechat',
          name: 'x',
          externalId: 'wx a',
          wechatKind: 'subscription',
          publishMode: 'masssend',
        },
        400,
        'VALIDATION_FAILED',
      ],
      [
        {
          platform: 'wechat',
          name: 'x',
          externalId: 'wx_a3',
          wechatKind: 'subscription',
          publishMode: 'masssend',
          credentials: { app_secret: 'short' },
        },
        400,
        'VALIDATION_FAILED',
      ],
      [
        {
          platform: 'wechat',
          name: '省体彩',
          externalId: 'wx_lottery_ok',
          wechatKind: 'subscription',
          publishMode: 'masssend',
        },
        409,
        'ACCOUNT_EXISTS',
      ],
    ];
    for (const [payload, status, code] of cases) {
      const res = await create(payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(status);
      expect(res.json().error.code).toBe(code);
    }
    expect(await h.db.selectFrom('accounts').select('id').execute()).toEqual(before);
  });

  it('a platform that cannot be reached does not mark the account for re-authorisation', async () => {
    emu.state.addWechatApp({ appid: 'wx_flaky', secret: SECRET });
    const res = await create({
      platform: 'wechat',
      name: '网络抖动',
      externalId: 'wx_flaky',
      wechatKind: 'subscription',
      publishMode: 'masssend',
      credentials: { app_secret: SECRET },
    });
    emu.state.knobs.queued.push({ kind: 'http_5xx', path: '/cgi-bin/stable_token' });
    const r = (await verify(res.json().id)).json();
    expect(r.check).toMatchObject({ token: false, problems: [{ check: 'token', kind: 'transient' }] });
    expect(r.account.status).toBe('active');
  });

  it('verifies a Weibo account; an expired grant sends it to needs_reauth; disables with a reason', async () => {
    emu.weibo.users.set('5000000001', {
      uid: '5000000001',
      screenName: '官方微博',
      followers: 100,
      statuses: 0,
    });
    emu.weibo.tokens.set('weibo-token-0123456789', { uid: '5000000001', expiresAt: Date.now() - 1000 });
    const wb = await create({
      platform: 'weibo',
      name: '官方微博',
      externalId: '5000000001',
      credentials: { access_token: 'weibo-token-0123456789' },
    });
    expect(wb.statusCode).toBe(201);
    const v = (await verify(wb.json().id)).json();
    expect(v.check, JSON.stringify(v.check)).toMatchObject({
      token: false,
      problems: [{ code: '21327', kind: 'reauth' }],
    });
    expect(v.account.status).toBe('needs_reauth');
    expect(v.account.statusReason).toMatch(/重新授权/);
    const off = await h.app.inject({
      method: 'POST',
      url: `/api/accounts/${wb.json().id}/disable`,
      headers: admin.headers,
      payload: { reason: '合同结束' },
    });
    expect(off.json()).toMatchObject({ status: 'disabled', statusReason: '合同结束' });
    // Enabled again: active, audited once; enabling an account that is not disabled changes nothing.
    const enable = () =>
      h.app.inject({ method: 'POST', url: `/api/accounts/${wb.json().id}/enable`, headers: admin.headers });
    expect((await enable()).json()).toMatchObject({ status: 'active', statusReason: null });
    expect((await enable()).json()).toMatchObject({ status: 'active' });
    const changes = await h.db
      .selectFrom('audit_log')
      .select('action')
      .where('action', '=', 'account.status_changed')
      .where('target_id', '=', wb.json().id)
      .execute();
    expect(changes).toHaveLength(3); // needs_reauth, disabled, active
  });
});

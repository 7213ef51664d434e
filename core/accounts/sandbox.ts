import { randomBytes } from 'node:crypto';
import type { DbOrTx } from '../db/database.js';
import type { Keyring } from '../secrets/keyring.js';
import { readSecret } from '../secrets/secrets.repository.js';
import { type AccountsContext, createAccount } from './accounts.service.js';

export const SANDBOX_ORGANISATION = { slug: 'sandbox-demo', name: '演示机构（沙箱）' };

/**
 * The demo of an empty embedded start: an organisation with one WeChat and one Weibo account that
 * talk to the built-in emulator (沙箱). Their secrets are random and stored like real ones.
 */
export async function createDemoSandbox(ctx: AccountsContext): Promise<void> {
  const org = await ctx.db
    .insertInto('organisations')
    .values({ slug: SANDBOX_ORGANISATION.slug, name: SANDBOX_ORGANISATION.name })
    .returning('id')
    .executeTakeFirstOrThrow();
  await createAccount(ctx, null, {
    organisationId: org.id,
    platform: 'wechat',
    name: '体彩公众号（沙箱）',
    externalId: 'wx_sandbox_lottery',
    wechatKind: 'subscription',
    verified: true,
    publishMode: 'masssend',
    sandbox: true,
    credentials: { app_secret: randomBytes(16).toString('hex') },
  });
  await createAccount(ctx, null, {
    organisationId: org.id,
    platform: 'weibo',
    name: '体彩微博（沙箱）',
    externalId: '5000000000000001',
    sandbox: true,
    credentials: { access_token: `sandbox-${randomBytes(16).toString('hex')}` },
  });
}

/** Sandbox WeChat accounts with their secrets, to register in a freshly started emulator. */
export async function sandboxWechatApps(
  db: DbOrTx,
  keyring: Keyring,
): Promise<
  Array<{ appid: string; secret: string; verified: boolean; kind: 'subscription' | 'service'; name: string }>
> {
  const rows = await db
    .selectFrom('accounts')
    .select(['id', 'external_id', 'verified', 'wechat_kind', 'name'])
    .where('sandbox', '=', true)
    .where('platform', '=', 'wechat')
    .execute();
  const apps = [];
  for (const r of rows) {
    const secret = await readSecret(db, keyring, { ownerType: 'account', ownerId: r.id, name: 'app_secret' });
    if (secret)
      apps.push({
        appid: r.external_id,
        secret,
        verified: r.verified,
        kind: r.wechat_kind ?? 'subscription',
        name: r.name,
      });
  }
  return apps;
}

/** Sandbox Weibo accounts with their tokens, to register in a freshly started emulator. */
export async function sandboxWeiboAccounts(
  db: DbOrTx,
  keyring: Keyring,
): Promise<Array<{ uid: string; token: string; screenName: string }>> {
  const rows = await db
    .selectFrom('accounts')
    .select(['id', 'external_id', 'name'])
    .where('sandbox', '=', true)
    .where('platform', '=', 'weibo')
    .execute();
  const out = [];
  for (const r of rows) {
    const token = await readSecret(db, keyring, {
      ownerType: 'account',
      ownerId: r.id,
      name: 'access_token',
    });
    if (token) out.push({ uid: r.external_id, token, screenName: r.name });
  }
  return out;
}

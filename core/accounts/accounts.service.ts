import { type Selectable, sql } from 'kysely';
import type { AccountRef, CredentialCheck } from '../../integrations/platform.js';
import { recordAudit } from '../audit/audit.repository.js';
import type { Db, DbOrTx } from '../db/database.js';
import { AppError } from '../errors.js';
import type { Actor } from '../identity/users.service.js';
import type { Keyring } from '../secrets/keyring.js';
import { listSecretNames, putSecret, readSecret } from '../secrets/secrets.repository.js';
import type {
  AccountPlatform,
  AccountStatus,
  AccountsTable,
  AccountTier,
  InspectionCadence,
  PublishMode,
  WechatKind,
} from './accounts.table.js';

export interface AccountsContext {
  db: Db;
  keyring: Keyring;
  /** Checks an account's credentials against its platform. */
  verifiers: Partial<Record<AccountPlatform, (account: AccountRef) => Promise<CredentialCheck>>>;
}

/** Which secrets each platform needs, by name. Values are write-only through the API. */
export const CREDENTIAL_NAMES: Readonly<Record<AccountPlatform, readonly string[]>> = {
  wechat: ['app_secret'],
  weibo: ['access_token'],
};

type Row = Selectable<AccountsTable>;

export interface AccountView {
  id: string;
  organisationId: string;
  platform: AccountPlatform;
  name: string;
  externalId: string;
  wechatKind: WechatKind | null;
  verified: boolean;
  publishMode: PublishMode | null;
  dailyMasssendQuota: number;
  tier: AccountTier | null;
  inspectionCadence: InspectionCadence | null;
  status: AccountStatus;
  statusReason: string | null;
  sandbox: boolean;
  /** Which credentials are set and when — never their values. */
  credentials: Array<{ name: string; updatedAt: string }>;
  createdAt: string;
  updatedAt: string;
}

async function toView(db: DbOrTx, r: Row): Promise<AccountView> {
  const names = await listSecretNames(db, { ownerType: 'account', ownerId: r.id });
  return {
    id: r.id,
    organisationId: r.organisation_id,
    platform: r.platform,
    name: r.name,
    externalId: r.external_id,
    wechatKind: r.wechat_kind,
    verified: r.verified,
    publishMode: r.publish_mode,
    dailyMasssendQuota: r.daily_masssend_quota,
    tier: r.tier,
    inspectionCadence: r.inspection_cadence,
    status: r.status,
    statusReason: r.status_reason,
    sandbox: r.sandbox,
    credentials: names.map((n) => ({ name: n.name, updatedAt: n.updatedAt.toISOString() })),
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

function audit(
  db: DbOrTx,
  actor: Actor | null,
  action: string,
  account: Row,
  details: Record<string, unknown>,
  outcome: 'success' | 'failure' = 'success',
) {
  return recordAudit(db, {
    action,
    actorKind: actor ? 'user' : 'system',
    actorUserId: actor?.userId ?? null,
    actorRole: actor?.role ?? null,
    targetType: 'account',
    targetId: account.id,
    organisationId: account.organisation_id,
    ip: actor?.origin.ip ?? null,
    requestId: actor?.origin.requestId ?? null,
    outcome,
    details,
  });
}

async function row(db: DbOrTx, id: string): Promise<Row> {
  const r = /^[0-9a-f-]{36}$/i.test(id)
    ? await db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst()
    : undefined;
  if (!r) throw new AppError('ACCOUNT_NOT_FOUND', 'No such account', 404, { id });
  return r;
}

export async function listAccounts(
  db: DbOrTx,
  q: { organisationId?: string | undefined; platform?: AccountPlatform | undefined },
): Promise<AccountView[]> {
  let query = db.selectFrom('accounts').selectAll().orderBy('name');
  if (q.organisationId) query = query.where('organisation_id', '=', q.organisationId);
  if (q.platform) query = query.where('platform', '=', q.platform);
  const rows = await query.execute();
  return Promise.all(rows.map((r) => toView(db, r)));
}

export async function getAccount(db: DbOrTx, id: string): Promise<AccountView> {
  return toView(db, await row(db, id));
}

export interface AccountInput {
  organisationId: string;
  platform: AccountPlatform;
  name: string;
  externalId: string;
  wechatKind?: WechatKind | undefined;
  verified?: boolean | undefined;
  publishMode?: PublishMode | undefined;
  dailyMasssendQuota?: number | undefined;
  tier?: AccountTier | null | undefined;
  inspectionCadence?: InspectionCadence | null | undefined;
  sandbox?: boolean | undefined;
  credentials?: Record<string, string> | undefined;
}

function assertWechatRules(a: {
  platform: AccountPlatform;
  wechatKind: WechatKind | null;
  publishMode: PublishMode | null;
  verified: boolean;
}) {
  if (a.platform === 'wechat' && (!a.wechatKind || !a.publishMode))
    throw new AppError('WECHAT_FIELDS_REQUIRED', 'A WeChat account needs wechatKind and publishMode', 422);
  if (a.platform === 'weibo' && (a.wechatKind || a.publishMode))
    throw new AppError(
      'WECHAT_FIELDS_NOT_ALLOWED',
      'wechatKind and publishMode apply to WeChat accounts only',
      422,
    );
  if (a.publishMode === 'freepublish' && !a.verified)
    throw new AppError(
      'FREEPUBLISH_NEEDS_VERIFIED',
      'Only verified WeChat accounts can use freepublish (发布); use masssend',
      422,
    );
}

function assertCredentialNames(platform: AccountPlatform, credentials: Record<string, string>) {
  const unknown = Object.keys(credentials).filter((n) => !CREDENTIAL_NAMES[platform].includes(n));
  if (unknown.length > 0)
    throw new AppError(
      'UNKNOWN_CREDENTIAL',
      `A ${platform} account takes ${CREDENTIAL_NAMES[platform].join(', ')}`,
      422,
      { unknown },
    );
}

export async function createAccount(
  ctx: AccountsContext,
  actor: Actor | null,
  input: AccountInput,
): Promise<AccountView> {
  const fields = {
    platform: input.platform,
    wechatKind: input.wechatKind ?? null,
    publishMode: input.publishMode ?? null,
    verified: input.verified ?? false,
  };
  assertWechatRules(fields);
  assertCredentialNames(input.platform, input.credentials ?? {});
  const org = await ctx.db
    .selectFrom('organisations')
    .select('id')
    .where('id', '=', input.organisationId)
    .executeTakeFirst();
  if (!org)
    throw new AppError('ORGANISATION_NOT_FOUND', 'No such organisation', 422, {
      organisationId: input.organisationId,
    });
  const taken = await ctx.db
    .selectFrom('accounts')
    .select('id')
    .where('platform', '=', input.platform)
    .where('external_id', '=', input.externalId)
    .executeTakeFirst();
  if (taken)
    throw new AppError('ACCOUNT_EXISTS', 'This account is already registered', 409, { id: taken.id });
  return ctx.db.transaction().execute(async (tx) => {
    const created = await tx
      .insertInto('accounts')
      .values({
        organisation_id: input.organisationId,
        platform: input.platform,
        name: input.name,
        external_id: input.externalId,
        wechat_kind: fields.wechatKind,
        verified: fields.verified,
        publish_mode: fields.publishMode,
        daily_masssend_quota: input.dailyMasssendQuota ?? 1,
        tier: input.tier ?? null,
        inspection_cadence: input.inspectionCadence ?? null,
        sandbox: input.sandbox ?? false,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit(tx, actor, 'account.created', created, {
      name: created.name,
      platform: created.platform,
      externalId: created.external_id,
    });
    await storeCredentials(tx, ctx.keyring, actor, created, input.credentials ?? {});
    return toView(tx, created);
  });
}

async function storeCredentials(
  db: DbOrTx,
  keyring: Keyring,
  actor: Actor | null,
  account: Row,
  credentials: Record<string, string>,
) {
  const names = Object.keys(credentials);
  if (names.length === 0) return;
  for (const name of names)
    await putSecret(db, keyring, {
      ownerType: 'account',
      ownerId: account.id,
      name,
      value: credentials[name] as string,
    });
  await audit(db, actor, 'account.credentials_changed', account, { names });
}

export async function updateAccount(
  ctx: AccountsContext,
  actor: Actor,
  id: string,
  patch: Partial<
    Pick<
      AccountInput,
      'name' | 'wechatKind' | 'verified' | 'publishMode' | 'dailyMasssendQuota' | 'tier' | 'inspectionCadence'
    >
  >,
): Promise<AccountView> {
  const before = await row(ctx.db, id);
  assertWechatRules({
    platform: before.platform,
    wechatKind: patch.wechatKind ?? before.wechat_kind,
    publishMode: patch.publishMode ?? before.publish_mode,
    verified: patch.verified ?? before.verified,
  });
  const updated = await ctx.db
    .updateTable('accounts')
    .set({
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.wechatKind !== undefined ? { wechat_kind: patch.wechatKind } : {}),
      ...(patch.verified !== undefined ? { verified: patch.verified } : {}),
      ...(patch.publishMode !== undefined ? { publish_mode: patch.publishMode } : {}),
      ...(patch.dailyMasssendQuota !== undefined ? { daily_masssend_quota: patch.dailyMasssendQuota } : {}),
      ...(patch.tier !== undefined ? { tier: patch.tier } : {}),
      ...(patch.inspectionCadence !== undefined ? { inspection_cadence: patch.inspectionCadence } : {}),
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await audit(ctx.db, actor, 'account.updated', updated, { changes: patch });
  return toView(ctx.db, updated);
}

export async function setAccountStatus(
  db: DbOrTx,
  actor: Actor | null,
  id: string,
  status: AccountStatus,
  reason: string | null,
): Promise<AccountView> {
  const before = await row(db, id);
  const updated = await db
    .updateTable('accounts')
    .set({ status, status_reason: reason, updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  if (before.status !== status || before.status_reason !== reason)
    await audit(db, actor, 'account.status_changed', updated, { from: before.status, to: status, reason });
  return toView(db, updated);
}

/** Takes a disabled account back into service; any other status is left as it is (idempotent). */
export async function enableAccount(db: DbOrTx, actor: Actor, id: string): Promise<AccountView> {
  const account = await row(db, id);
  if (account.status !== 'disabled') return toView(db, account);
  return setAccountStatus(db, actor, id, 'active', null);
}

/** Replaces credentials (write-only: the API never returns them). */
export async function setCredentials(
  ctx: AccountsContext,
  actor: Actor,
  id: string,
  credentials: Record<string, string>,
): Promise<AccountView> {
  const account = await row(ctx.db, id);
  assertCredentialNames(account.platform, credentials);
  return ctx.db.transaction().execute(async (tx) => {
    await storeCredentials(tx, ctx.keyring, actor, account, credentials);
    if (!account.sandbox) return toView(tx, account);
    // Real credentials take a sandbox account to the real platform: no code change, no other switch.
    const real = await tx
      .updateTable('accounts')
      .set({ sandbox: false, updated_at: sql<Date>`now()` })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit(tx, actor, 'account.left_sandbox', real, {});
    return toView(tx, real);
  });
}

/** The decrypted secret of an account, for the platform clients only (never for an API response). */
export async function accountSecret(
  db: DbOrTx,
  keyring: Keyring,
  platform: AccountPlatform,
  externalId: string,
  name: string,
): Promise<string> {
  const account = await db
    .selectFrom('accounts')
    .select('id')
    .where('platform', '=', platform)
    .where('external_id', '=', externalId)
    .executeTakeFirst();
  const value = account
    ? await readSecret(db, keyring, { ownerType: 'account', ownerId: account.id, name })
    : null;
  if (value === null)
    throw new AppError('CREDENTIALS_MISSING', `No ${name} stored for ${platform} account ${externalId}`, 422);
  return value;
}

/**
 * Checks the credentials against the platform and records the result: an account whose credentials
 * fail needs re-authorisation (status needs_reauth with the platform's reason); one that passes again
 * becomes active.
 */
export async function verifyAccount(
  ctx: AccountsContext,
  actor: Actor | null,
  id: string,
): Promise<{ account: AccountView; check: CredentialCheck }> {
  const account = await row(ctx.db, id);
  const verifier = ctx.verifiers[account.platform];
  if (!verifier)
    throw new AppError(
      'PLATFORM_NOT_SUPPORTED',
      `Verifying ${account.platform} accounts is not available yet`,
      501,
    );
  const names = await listSecretNames(ctx.db, { ownerType: 'account', ownerId: id });
  if (!CREDENTIAL_NAMES[account.platform].every((n) => names.some((s) => s.name === n)))
    throw new AppError('CREDENTIALS_MISSING', 'Set the credentials of this account first', 422, {
      required: CREDENTIAL_NAMES[account.platform],
    });
  const check = await verifier({
    accountId: id,
    platform: account.platform,
    externalId: account.external_id,
    sandbox: account.sandbox,
  });
  await audit(
    ctx.db,
    actor,
    'account.verified',
    account,
    {
      token: check.token,
      ipWhitelist: check.ipWhitelist,
      publishing: check.publishing,
      analytics: check.analytics,
      problems: check.problems.map((p) => p.code ?? p.check),
    },
    check.token ? 'success' : 'failure',
  );
  // Only a refusal a person must fix changes the status; a network hiccup says nothing about the account.
  const refusal = check.problems.find((p) => p.check === 'token' && p.kind === 'reauth');
  let view: AccountView;
  if (refusal && account.status !== 'disabled')
    view = await setAccountStatus(ctx.db, actor, id, 'needs_reauth', refusal.editorMessage);
  else if (check.token && account.status === 'needs_reauth')
    view = await setAccountStatus(ctx.db, actor, id, 'active', null);
  else view = await toView(ctx.db, account);
  return { account: view, check };
}

import { sql } from 'kysely';
import type {
  AlertEvent,
  AlertEventKind,
  ChannelConfig,
  DeliveryResult,
} from '../../integrations/alerts/alerts.types.js';
import { formatShanghai } from '../../integrations/alerts/messages.js';
import { safeUrl, sendAlert, validateChannel } from '../../integrations/alerts/senders.js';
import { planDeliveries, WINDOW_MS } from '../../integrations/alerts/throttle.js';
import { recordActorAudit } from '../audit/audit.repository.js';
import { collectSlaEvents } from '../content/sla.js';
import type { Db, DbOrTx } from '../db/database.js';
import { AppError } from '../errors.js';
import type { Actor } from '../identity/users.service.js';
import type { Keyring } from '../secrets/keyring.js';
import { deleteSecret, putSecret, readSecret } from '../secrets/secrets.repository.js';
import type { AlertChannelType } from './alerts.table.js';

/**
 * Alerts: raised once (a dedupe key), delivered to every enabled channel of the organisation through
 * a queue, retried, recorded, and throttled to the robots' 20 messages a minute by merging bursts into
 * one digest (integrations/alerts/throttle.ts). Channel URLs and secrets are encrypted at rest.
 */
export interface AlertsContext {
  db: Db;
  keyring: Keyring;
  /** Asks the queue to run a channel's dispatch soon (BullMQ job per channel). */
  trigger?: ((channelIds: string[]) => Promise<void>) | undefined;
  /** Base of links in messages (PUBLIC_URL). */
  publicUrl: string | null;
  send?: typeof sendAlert;
}

export interface RaiseInput {
  organisationId: string;
  kind: Exclude<AlertEventKind, 'test'>;
  title: string;
  detail: string;
  contentId?: string | null;
  accountId?: string | null;
  /** The same key raises one alert, however often it is reported. */
  dedupeKey: string;
}

const MAX_DELIVERY_ATTEMPTS = 6;

export function contentLink(publicUrl: string | null, contentId: string): string | null {
  return publicUrl ? `${publicUrl}/admin/contents/${contentId}` : null;
}

/** Records an alert and its deliveries; returns the channels to dispatch (none when already raised). */
export async function raiseAlert(ctx: AlertsContext, input: RaiseInput): Promise<string[]> {
  const link = input.contentId ? contentLink(ctx.publicUrl, input.contentId) : null;
  const channelIds = await ctx.db.transaction().execute(async (tx) => {
    const alert = await tx
      .insertInto('alerts')
      .values({
        organisation_id: input.organisationId,
        kind: input.kind,
        content_id: input.contentId ?? null,
        account_id: input.accountId ?? null,
        title: input.title,
        detail: input.detail,
        link,
        dedupe_key: input.dedupeKey,
      })
      .onConflict((oc) => oc.column('dedupe_key').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!alert) return [];
    const channels = await tx
      .selectFrom('alert_channels')
      .select('id')
      .where('organisation_id', '=', input.organisationId)
      .where('enabled', '=', true)
      .execute();
    if (channels.length > 0)
      await tx
        .insertInto('alert_deliveries')
        .values(channels.map((c) => ({ alert_id: alert.id, channel_id: c.id })))
        .execute();
    return channels.map((c) => c.id);
  });
  if (channelIds.length > 0) await ctx.trigger?.(channelIds).catch(() => undefined);
  return channelIds;
}

async function channelConfig(ctx: AlertsContext, channelId: string): Promise<ChannelConfig | null> {
  const raw = await readSecret(ctx.db, ctx.keyring, {
    ownerType: 'alert_channel',
    ownerId: channelId,
    name: 'config',
  });
  return raw ? (JSON.parse(raw) as ChannelConfig) : null;
}

export interface DispatchResult {
  messages: number;
  delivered: number;
  failed: number;
  /** When the channel should be looked at again (0: nothing waiting). */
  waitMs: number;
}

/**
 * Sends what is due on one channel within its budget. Deliveries that fail and may be retried wait
 * (the platform's advice, or exponential backoff); after 6 attempts, or at once for a refusal that
 * cannot change (wrong URL, bad signature), they are failed with the reason.
 */
export async function dispatchChannel(
  ctx: AlertsContext,
  channelId: string,
  now = new Date(),
): Promise<DispatchResult> {
  const result: DispatchResult = { messages: 0, delivered: 0, failed: 0, waitMs: 0 };
  const channel = await ctx.db
    .selectFrom('alert_channels')
    .innerJoin('organisations', 'organisations.id', 'alert_channels.organisation_id')
    .select(['alert_channels.enabled', 'organisations.name as org_name'])
    .where('alert_channels.id', '=', channelId)
    .executeTakeFirst();
  const config = channel?.enabled ? await channelConfig(ctx, channelId) : null;
  if (!channel || !config) return result;
  const pending = await ctx.db
    .selectFrom('alert_deliveries')
    .innerJoin('alerts', 'alerts.id', 'alert_deliveries.alert_id')
    .leftJoin('accounts', 'accounts.id', 'alerts.account_id')
    .select([
      'alerts.id',
      'alerts.kind',
      'alerts.title',
      'alerts.detail',
      'alerts.link',
      'alerts.occurred_at',
      'accounts.name as account_name',
      'alert_deliveries.attempts',
    ])
    .where('alert_deliveries.channel_id', '=', channelId)
    .where('alert_deliveries.status', '=', 'pending')
    .where('alert_deliveries.next_attempt_at', '<=', now)
    .orderBy('alerts.id')
    .limit(500)
    .execute();
  const later = await ctx.db
    .selectFrom('alert_deliveries')
    .select(sql<Date | null>`min(next_attempt_at)`.as('next'))
    .where('channel_id', '=', channelId)
    .where('status', '=', 'pending')
    .where('next_attempt_at', '>', now)
    .executeTakeFirst();
  const recent = await ctx.db
    .selectFrom('alert_messages')
    .select('sent_at')
    .where('channel_id', '=', channelId)
    .where('sent_at', '>', new Date(now.getTime() - WINDOW_MS))
    .execute();
  const events = pending.map((p) => ({
    id: p.id,
    event: {
      kind: p.kind as AlertEventKind,
      organisationName: channel.org_name,
      title: p.title,
      detail: p.detail,
      link: p.link,
      occurredAt: p.occurred_at,
      ...(p.account_name ? { accountName: p.account_name } : {}),
    } satisfies AlertEvent,
  }));
  const plan = planDeliveries(
    events,
    recent.map((r) => r.sent_at.getTime()),
    now.getTime(),
  );
  const send = ctx.send ?? sendAlert;
  const attemptsOf = new Map(pending.map((p) => [p.id, p.attempts]));
  for (const message of plan.send) {
    const outcome: DeliveryResult = await send(config, message.events);
    const recorded = await ctx.db
      .insertInto('alert_messages')
      .values({
        channel_id: channelId,
        alerts: message.ids.length,
        ok: outcome.ok,
        error: outcome.ok ? null : outcome.reason,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    result.messages++;
    for (const id of message.ids) {
      const attempts = (attemptsOf.get(id) ?? 0) + 1;
      const giveUp = !outcome.ok && (!outcome.retryable || attempts >= MAX_DELIVERY_ATTEMPTS);
      const retryMs = outcome.ok
        ? 0
        : (outcome.retryAfterMs ?? Math.min(600_000, 5000 * 2 ** (attempts - 1)));
      await ctx.db
        .updateTable('alert_deliveries')
        .set({
          status: outcome.ok ? 'sent' : giveUp ? 'failed' : 'pending',
          attempts,
          message_id: recorded.id,
          last_error: outcome.ok ? null : outcome.reason,
          next_attempt_at: new Date(now.getTime() + retryMs),
        })
        .where('alert_id', '=', id)
        .where('channel_id', '=', channelId)
        .execute();
      if (outcome.ok) result.delivered++;
      else if (giveUp) result.failed++;
      else result.waitMs = result.waitMs ? Math.min(result.waitMs, retryMs) : retryMs;
    }
  }
  const waits = [plan.waitMs, later?.next ? later.next.getTime() - now.getTime() : 0, result.waitMs].filter(
    (w) => w > 0,
  );
  result.waitMs = waits.length ? Math.max(1, Math.min(...waits)) : 0;
  return result;
}

// ---- Channels -------------------------------------------------------------------------------------

export interface ChannelView {
  id: string;
  organisationId: string;
  type: AlertChannelType;
  name: string;
  target: string;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
}

function targetOf(config: ChannelConfig): string {
  return safeUrl(config.type === 'webhook' ? config.url : config.webhookUrl);
}

function audit(
  db: DbOrTx,
  actor: Actor,
  action: string,
  channelId: string,
  organisationId: string,
  details: object,
) {
  return recordActorAudit(db, actor, {
    action,
    targetType: 'alert_channel',
    targetId: channelId,
    organisationId,
    details,
  });
}

function checkConfig(config: ChannelConfig) {
  const problem = validateChannel(config);
  if (problem)
    throw new AppError(
      'ALERT_CHANNEL_INVALID',
      'The channel settings are not valid',
      422,
      { problem },
      problem,
    );
}

const view = (r: {
  id: string;
  organisation_id: string;
  type: AlertChannelType;
  name: string;
  target: string;
  enabled: boolean;
  created_at: Date;
  updated_at: Date;
}): ChannelView => ({
  id: r.id,
  organisationId: r.organisation_id,
  type: r.type,
  name: r.name,
  target: r.target,
  enabled: r.enabled,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

export async function listChannels(db: DbOrTx, organisationId?: string): Promise<ChannelView[]> {
  let q = db.selectFrom('alert_channels').selectAll().orderBy('created_at');
  if (organisationId) q = q.where('organisation_id', '=', organisationId);
  return (await q.execute()).map(view);
}

async function channelRow(db: DbOrTx, id: string) {
  const r = /^[0-9a-f-]{36}$/i.test(id)
    ? await db.selectFrom('alert_channels').selectAll().where('id', '=', id).executeTakeFirst()
    : undefined;
  if (!r) throw new AppError('ALERT_CHANNEL_NOT_FOUND', 'No such alert channel', 404, { id });
  return r;
}

export async function createChannel(
  ctx: AlertsContext,
  actor: Actor,
  input: { organisationId: string; name: string; config: ChannelConfig },
): Promise<ChannelView> {
  checkConfig(input.config);
  return ctx.db.transaction().execute(async (tx) => {
    const org = await tx
      .selectFrom('organisations')
      .select('id')
      .where('id', '=', input.organisationId)
      .executeTakeFirst();
    if (!org) throw new AppError('ORGANISATION_NOT_FOUND', 'No such organisation', 422);
    const r = await tx
      .insertInto('alert_channels')
      .values({
        organisation_id: input.organisationId,
        type: input.config.type,
        name: input.name,
        target: targetOf(input.config),
        created_by: actor.userId,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await putSecret(tx, ctx.keyring, {
      ownerType: 'alert_channel',
      ownerId: r.id,
      name: 'config',
      value: JSON.stringify(input.config),
    });
    await audit(tx, actor, 'alert_channel.created', r.id, r.organisation_id, {
      type: r.type,
      name: r.name,
      target: r.target,
    });
    return view(r);
  });
}

export async function updateChannel(
  ctx: AlertsContext,
  actor: Actor,
  id: string,
  input: { name?: string | undefined; enabled?: boolean | undefined; config?: ChannelConfig | undefined },
): Promise<ChannelView> {
  const before = await channelRow(ctx.db, id);
  if (input.config) {
    checkConfig(input.config);
    if (input.config.type !== before.type)
      throw new AppError(
        'ALERT_CHANNEL_INVALID',
        'A channel keeps its type',
        422,
        {},
        '渠道类型不能修改，请新建渠道',
      );
  }
  return ctx.db.transaction().execute(async (tx) => {
    const r = await tx
      .updateTable('alert_channels')
      .set({
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
        ...(input.config ? { target: targetOf(input.config) } : {}),
        updated_at: new Date(),
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    if (input.config)
      await putSecret(tx, ctx.keyring, {
        ownerType: 'alert_channel',
        ownerId: id,
        name: 'config',
        value: JSON.stringify(input.config),
      });
    await audit(tx, actor, 'alert_channel.updated', id, r.organisation_id, {
      name: input.name,
      enabled: input.enabled,
      configChanged: Boolean(input.config),
    });
    return view(r);
  });
}

export async function deleteChannel(ctx: AlertsContext, actor: Actor, id: string): Promise<void> {
  const r = await channelRow(ctx.db, id);
  await ctx.db.transaction().execute(async (tx) => {
    await tx.deleteFrom('alert_channels').where('id', '=', id).execute();
    await deleteSecret(tx, { ownerType: 'alert_channel', ownerId: id, name: 'config' });
    await audit(tx, actor, 'alert_channel.deleted', id, r.organisation_id, { name: r.name });
  });
}

/** Sends a test message now (outside the queue, within the channel's budget) and says how it went. */
export async function testChannel(ctx: AlertsContext, actor: Actor, id: string): Promise<DeliveryResult> {
  const r = await channelRow(ctx.db, id);
  const config = await channelConfig(ctx, id);
  if (!config) throw new AppError('ALERT_CHANNEL_NOT_FOUND', 'No such alert channel', 404, { id });
  const org = await ctx.db
    .selectFrom('organisations')
    .select('name')
    .where('id', '=', r.organisation_id)
    .executeTakeFirstOrThrow();
  const result = await (ctx.send ?? sendAlert)(config, [
    {
      kind: 'test',
      organisationName: org.name,
      title: `提醒渠道“${r.name}”测试`,
      detail: '收到这条消息，说明运营平台可以向本群发送发布失败、发布超时等提醒。',
      link: ctx.publicUrl,
      occurredAt: new Date(),
    },
  ]);
  await ctx.db
    .insertInto('alert_messages')
    .values({ channel_id: id, alerts: 1, ok: result.ok, error: result.ok ? null : result.reason })
    .execute();
  await audit(ctx.db, actor, 'alert_channel.tested', id, r.organisation_id, {
    ok: result.ok,
    ...(result.ok ? {} : { reason: result.reason }),
  });
  return result;
}

/** Recent alerts of an organisation with how each channel delivery went. */
export async function listAlerts(db: DbOrTx, organisationId: string, limit: number) {
  const rows = await db
    .selectFrom('alerts')
    .selectAll()
    .where('organisation_id', '=', organisationId)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  const deliveries = rows.length
    ? await db
        .selectFrom('alert_deliveries')
        .selectAll()
        .where(
          'alert_id',
          'in',
          rows.map((r) => r.id),
        )
        .execute()
    : [];
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    title: r.title,
    detail: r.detail,
    link: r.link,
    contentId: r.content_id,
    accountId: r.account_id,
    occurredAt: r.occurred_at.toISOString(),
    deliveries: deliveries
      .filter((d) => d.alert_id === r.id)
      .map((d) => ({
        channelId: d.channel_id,
        status: d.status,
        attempts: d.attempts,
        lastError: d.last_error,
      })),
  }));
}

/** Publishing events (failed, unconfirmed) as alerts with a link to the item. */
export function alertOnPublishEvent(ctx: AlertsContext) {
  return async (e: {
    kind: 'publish_failed' | 'publish_unconfirmed';
    contentId: string;
    organisationId: string;
    title: string;
    reason: string;
  }): Promise<void> => {
    await raiseAlert(ctx, {
      organisationId: e.organisationId,
      kind: e.kind,
      title: e.title,
      detail: e.reason,
      contentId: e.contentId,
      dedupeKey: `${e.kind}-${e.contentId}-${Date.now()}`,
    });
  };
}

/** SLA at risk and breached, each raised once (sla.ts marks them), as alerts. */
export async function raiseSlaAlerts(ctx: AlertsContext, now = new Date()): Promise<number> {
  const events = await collectSlaEvents(ctx.db, now);
  for (const e of events) {
    const content = await ctx.db
      .selectFrom('contents')
      .select('title')
      .where('id', '=', e.contentId)
      .executeTakeFirst();
    const deadline = formatShanghai(e.deadline);
    await raiseAlert(ctx, {
      organisationId: e.organisationId,
      kind: e.kind,
      title: content?.title ?? e.contentId,
      detail:
        e.kind === 'sla_at_risk'
          ? `客户已审核通过，须在 ${deadline} 前发布，时限已过四分之三，尚未发布`
          : `已超过发布时限 ${deadline}，仍未发布`,
      contentId: e.contentId,
      dedupeKey: `${e.kind}-${e.contentId}-${e.approvedAt.getTime()}`,
    });
  }
  return events.length;
}

/** Channels with deliveries due (the reconciler re-triggers them, in case a trigger was lost). */
export async function channelsWithDueDeliveries(db: DbOrTx, now = new Date()): Promise<string[]> {
  const rows = await db
    .selectFrom('alert_deliveries')
    .select('channel_id')
    .distinct()
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', now)
    .execute();
  return rows.map((r) => r.channel_id);
}

import type { AlertEvent } from './alerts.types.js';
import { KIND_ORDER } from './messages.js';

export const WINDOW_MS = 60_000;

export interface DeliveryPlan {
  /** Messages to send now, in order: each is one event (a single) or several (one digest). */
  send: Array<{ ids: string[]; events: AlertEvent[] }>;
  /** When `send` is empty for lack of budget: how long until a slot frees up. 0 otherwise. */
  waitMs: number;
}

/**
 * Which alerts to send to one robot now, within its limit of `limitPerMinute` messages in any
 * 60-second window (WeCom and DingTalk group robots: 20 a minute; DingTalk throttles a robot for
 * 10 minutes once it is passed, so we must never pass it). Pure: the caller records what it sent.
 *
 * Policy:
 * 1. The budget is `limitPerMinute` minus the messages sent in the last 60 s (`sentTimestamps` newer
 *    than `now - 60 s`).
 * 2. No budget: send nothing, and wait until the oldest of those timestamps leaves the window.
 * 3. When everything pending fits in the budget with one slot to spare, every alert goes on its own.
 * 4. Otherwise (a burst): `budget - 1` alerts go on their own and all the rest are merged into ONE
 *    digest message in the last slot. Nothing is held back: a long digest is truncated by the renderer
 *    ("另有 K 条，请登录后台查看"), but its ids all count as delivered.
 * 5. The singles are the most urgent (publish_failed, sla_breached, credentials_attention,
 *    publish_unconfirmed, sla_at_risk, test), oldest first within a kind; ties keep the input order.
 *
 * The spare slot of rule 3 is what lets an alert that arrives a few seconds after a burst still get
 * out in a digest instead of waiting a minute.
 */
export function planDeliveries(
  pending: Array<{ id: string; event: AlertEvent }>,
  sentTimestamps: number[],
  now: number,
  limitPerMinute = 20,
): DeliveryPlan {
  if (!Number.isInteger(limitPerMinute) || limitPerMinute < 1)
    throw new RangeError(`limitPerMinute must be a positive integer, got ${limitPerMinute}`);
  if (pending.length === 0) return { send: [], waitMs: 0 };

  const inWindow = sentTimestamps.filter((t) => t > now - WINDOW_MS && t <= now).sort((a, b) => a - b);
  const budget = limitPerMinute - inWindow.length;
  if (budget <= 0) {
    // The slot that frees first is the (used - limit + 1)-th oldest: with exactly `limit` recorded it is the oldest.
    const freeing = inWindow[inWindow.length - limitPerMinute] as number;
    return { send: [], waitMs: Math.max(1, freeing + WINDOW_MS - now) };
  }

  const rank = (p: { event: AlertEvent }) => KIND_ORDER.indexOf(p.event.kind);
  const ordered = pending
    .map((p, i) => ({ p, i }))
    .sort(
      (a, b) =>
        rank(a.p) - rank(b.p) || a.p.event.occurredAt.getTime() - b.p.event.occurredAt.getTime() || a.i - b.i,
    )
    .map(({ p }) => p);

  const single = (p: { id: string; event: AlertEvent }) => ({ ids: [p.id], events: [p.event] });
  if (ordered.length <= budget - 1) return { send: ordered.map(single), waitMs: 0 };

  const singles = ordered.slice(0, budget - 1);
  const rest = ordered.slice(budget - 1);
  const digest = { ids: rest.map((p) => p.id), events: rest.map((p) => p.event) };
  return { send: [...singles.map(single), digest], waitMs: 0 };
}

import { sql } from 'kysely';
import type { WorkingCalendar } from '../calendar/working-days.js';
import type { DbOrTx } from '../db/database.js';

/**
 * The publishing deadline of content approved "as soon as possible" (contract rule, DESIGN.md §2):
 * approval + 1 hour on a working day, + 2 hours on a non-working day.
 *
 * Which window applies is decided by the kind of day at the moment of approval (Asia/Shanghai), and
 * the clock then runs continuously across midnight. So approval at 23:30 on the working day before a
 * holiday has a 1-hour window and a deadline of 00:30 on the holiday: the client approved on a working
 * day and the operator knew the rule then; stretching the window to the holiday's 2 hours would let
 * an approval given at 23:59 wait until 01:59. (docs/decisions.md, "SLA across midnight".)
 */
export const SLA_WINDOW_MINUTES = { working: 60, nonWorking: 120 } as const;
/** An item is "at risk" once this share of its window has passed without publication. */
export const SLA_AT_RISK_SHARE = 0.75;

export interface SlaWindow {
  approvedAt: Date;
  workingDay: boolean;
  windowMinutes: number;
  atRiskAt: Date;
  deadline: Date;
}

export function slaWindow(approvedAt: Date, calendar: WorkingCalendar): SlaWindow {
  const workingDay = calendar.isWorkingInstant(approvedAt);
  const windowMinutes = workingDay ? SLA_WINDOW_MINUTES.working : SLA_WINDOW_MINUTES.nonWorking;
  const start = approvedAt.getTime();
  return {
    approvedAt,
    workingDay,
    windowMinutes,
    atRiskAt: new Date(start + windowMinutes * 60_000 * SLA_AT_RISK_SHARE),
    deadline: new Date(start + windowMinutes * 60_000),
  };
}

/** Starts (or restarts, after a re-approval) the SLA record of a piece of content. */
export async function openSlaRecord(
  db: DbOrTx,
  contentId: string,
  organisationId: string,
  w: SlaWindow,
): Promise<void> {
  const values = {
    approved_at: w.approvedAt,
    working_day: w.workingDay,
    at_risk_at: w.atRiskAt,
    deadline: w.deadline,
    published_at: null,
    outcome: 'pending' as const,
    at_risk_raised_at: null,
    breached_raised_at: null,
  };
  await db
    .insertInto('sla_records')
    .values({ content_id: contentId, organisation_id: organisationId, ...values })
    .onConflict((oc) => oc.column('content_id').doUpdateSet(values))
    .execute();
}

/** The content no longer runs against its deadline (cancelled, or edited and back in review). */
export async function voidSlaRecord(db: DbOrTx, contentId: string): Promise<void> {
  await db
    .updateTable('sla_records')
    .set({ outcome: 'void' })
    .where('content_id', '=', contentId)
    .where('outcome', 'in', ['pending', 'missed'])
    .where('published_at', 'is', null)
    .execute();
}

/** Publication closes the record: met when published by the deadline, missed otherwise. */
export async function closeSlaRecord(db: DbOrTx, contentId: string, publishedAt: Date): Promise<void> {
  await db
    .updateTable('sla_records')
    .set({
      published_at: publishedAt,
      outcome: sql`case when deadline >= ${publishedAt} then 'met' else 'missed' end`,
    })
    .where('content_id', '=', contentId)
    .where('outcome', 'in', ['pending', 'missed'])
    .where('published_at', 'is', null)
    .execute();
}

export interface SlaEvent {
  kind: 'sla_at_risk' | 'sla_breached';
  contentId: string;
  organisationId: string;
  approvedAt: Date;
  deadline: Date;
}

/**
 * Raises each SLA event once: items at risk (75% of the window gone, not published) and items past
 * their deadline. The update marks the event raised in the same statement that finds it, so two
 * callers never raise the same event twice. The publishing issue delivers the returned events.
 */
export async function collectSlaEvents(db: DbOrTx, now: Date): Promise<SlaEvent[]> {
  const breached = await db
    .updateTable('sla_records')
    .set({ breached_raised_at: now, outcome: 'missed' })
    .where('outcome', '=', 'pending')
    .where('published_at', 'is', null)
    .where('deadline', '<=', now)
    .where('breached_raised_at', 'is', null)
    .returning(['content_id', 'organisation_id', 'approved_at', 'deadline'])
    .execute();
  const atRisk = await db
    .updateTable('sla_records')
    .set({ at_risk_raised_at: now })
    .where('outcome', '=', 'pending')
    .where('published_at', 'is', null)
    .where('at_risk_at', '<=', now)
    .where('deadline', '>', now)
    .where('at_risk_raised_at', 'is', null)
    .returning(['content_id', 'organisation_id', 'approved_at', 'deadline'])
    .execute();
  const event = (kind: SlaEvent['kind']) => (r: (typeof breached)[number]) => ({
    kind,
    contentId: r.content_id,
    organisationId: r.organisation_id,
    approvedAt: r.approved_at,
    deadline: r.deadline,
  });
  return [...atRisk.map(event('sla_at_risk')), ...breached.map(event('sla_breached'))];
}

import { recordAudit } from '../audit/audit.repository.js';
import type { DbOrTx } from '../db/database.js';
import { AppError } from '../errors.js';
import type { Actor } from '../identity/users.service.js';
import { type DayKind, listOverrides, loadWorkingCalendar, PACKAGE_LAST_YEAR } from './working-days.js';

const MAX_RANGE_DAYS = 400;

function daysBetween(from: string, to: string): string[] {
  const start = Date.parse(`${from}T00:00:00Z`);
  const end = Date.parse(`${to}T00:00:00Z`);
  if (Number.isNaN(start) || Number.isNaN(end))
    throw new AppError('RANGE_INVALID', 'Days are YYYY-MM-DD', 422);
  if (end < start) throw new AppError('RANGE_INVALID', '`from` must not be after `to`', 422, { from, to });
  if ((end - start) / 86_400_000 >= MAX_RANGE_DAYS)
    throw new AppError('RANGE_TOO_LONG', `At most ${MAX_RANGE_DAYS} days at once`, 422, { from, to });
  const out: string[] = [];
  for (let t = start; t <= end; t += 86_400_000) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

/** Each day of a range with whether it is a working day and why (override, official calendar, weekday). */
export async function calendarDays(db: DbOrTx, from: string, to: string) {
  const days = daysBetween(from, to);
  const calendar = await loadWorkingCalendar(db);
  const kinds: DayKind[] = days.map((d) => calendar.kindOf(d));
  const guessed = kinds.filter((k) => k.source === 'weekday').map((k) => k.day);
  return {
    days: kinds,
    packageLastYear: PACKAGE_LAST_YEAR,
    /** Days decided by "Monday–Friday" alone: the official schedule for their year is not known yet. */
    warning:
      guessed.length > 0
        ? `${guessed[0]} 起的节假日安排尚未收录（日历数据截至 ${PACKAGE_LAST_YEAR} 年），请管理员按国务院办公厅通知录入调整`
        : null,
  };
}

export async function overrides(db: DbOrTx) {
  return (await listOverrides(db)).map((o) => ({
    day: o.day,
    working: o.working,
    name: o.name,
    updatedAt: o.updated_at.toISOString(),
  }));
}

function audit(db: DbOrTx, actor: Actor, action: string, details: Record<string, unknown>) {
  return recordAudit(db, {
    action,
    actorKind: 'user',
    actorUserId: actor.userId,
    actorRole: actor.role,
    targetType: 'calendar_day',
    targetId: String(details.day),
    ip: actor.origin.ip,
    requestId: actor.origin.requestId,
    details,
  });
}

export async function putOverride(
  db: DbOrTx,
  actor: Actor,
  day: string,
  input: { working: boolean; name: string },
) {
  daysBetween(day, day);
  await db
    .insertInto('calendar_overrides')
    .values({ day, working: input.working, name: input.name, updated_by: actor.userId })
    .onConflict((oc) =>
      oc.column('day').doUpdateSet({
        working: input.working,
        name: input.name,
        updated_by: actor.userId,
        updated_at: new Date(),
      }),
    )
    .execute();
  await audit(db, actor, 'calendar.override_set', { day, ...input });
  return (await overrides(db)).find((o) => o.day === day);
}

export async function deleteOverride(db: DbOrTx, actor: Actor, day: string): Promise<void> {
  const gone = await db.deleteFrom('calendar_overrides').where('day', '=', day).executeTakeFirst();
  if (Number(gone.numDeletedRows) === 0)
    throw new AppError('CALENDAR_OVERRIDE_NOT_FOUND', 'No override for that day', 404, { day });
  await audit(db, actor, 'calendar.override_deleted', { day });
}

import { sql } from 'kysely';
import { addDays } from '../calendar/days.js';
import { type CampaignDetail, getCampaign } from '../campaigns/campaigns.service.js';
import type { DbOrTx } from '../db/database.js';
import { AppError } from '../errors.js';
import { kpiSummary } from '../kpi/kpi.service.js';
import { metricsSeries, type SeriesPoint, type TopArticle, topArticles } from '../metrics/metrics.query.js';

/**
 * Everything one monthly report (运营数据月报) shows, gathered for one organisation and one calendar
 * month (Asia/Shanghai days). The PDF and the workbook are both drawn from this one object, so they
 * never disagree. An empty month is a valid report: every list may be empty and every figure null.
 * The figures are in the portal API's shapes: the report page draws them with the portal's own section
 * code (dashboard/portal/assets/portal-sections.js), and the workbook makes its rows from them.
 */

export type KpiSummary = Awaited<ReturnType<typeof kpiSummary>>;

export interface SlaSummary {
  met: number;
  missed: number;
  pending: number;
  /** met ÷ (met + missed) × 100, 2 decimals; null when nothing was decided. */
  rate: number | null;
}

export interface IncidentRow {
  title: string;
  account: string;
  status: string;
  outcome: string;
  at: string;
  reason: string;
}

export interface ReportData {
  organisation: { id: string; name: string };
  /** 'YYYY-MM' */
  month: string;
  from: string;
  to: string;
  /** Growth targets as of the 1st of the next month, quotas as of the month's last day. */
  kpi: KpiSummary;
  daily: SeriesPoint[];
  /** The 52 weeks ending with the month. */
  weekly: SeriesPoint[];
  topArticles: TopArticle[];
  /** Campaigns overlapping the month, as the portal shows them. */
  campaigns: CampaignDetail[];
  sla: SlaSummary;
  incidents: IncidentRow[];
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** The first and last day of a 'YYYY-MM' month; INVALID_MONTH (400) otherwise. */
export function monthRange(month: string): { from: string; to: string } {
  const m = MONTH.exec(month);
  if (!m || month < '2000-01')
    throw new AppError('INVALID_MONTH', `month must be YYYY-MM: ${month}`, 400, { field: 'month' });
  const from = `${month}-01`;
  const [y, mo] = [Number(m[1]), Number(m[2])];
  const next = mo === 12 ? `${y + 1}-01-01` : `${y}-${String(mo + 1).padStart(2, '0')}-01`;
  return { from, to: addDays(next, -1) };
}

/** The month before the one containing the given Shanghai day. */
export function previousMonth(day: string): string {
  return addDays(`${day.slice(0, 7)}-01`, -1).slice(0, 7);
}

/** The last second of a day in Asia/Shanghai. */
const endOfDay = (day: string) => Date.parse(`${day}T23:59:59+08:00`);
const startOf = (day: string) => `${day}T00:00:00+08:00`;

/**
 * Growth targets are read on the 1st of the next month, when the month's last day of figures is in
 * (platform data arrive T+1); quotas are counted in the month itself (as of its last day), or the
 * monthly quota would already be the next month's.
 */
async function kpiPart(db: DbOrTx, organisationId: string, to: string): Promise<KpiSummary> {
  const afterMonth = await kpiSummary(db, organisationId, Date.parse(`${addDays(to, 1)}T00:00:00+08:00`));
  const inMonth = await kpiSummary(db, organisationId, endOfDay(to));
  const inMonthById = new Map(inMonth.items.map((i) => [i.target.id, i]));
  const items = afterMonth.items.map((later) =>
    later.quota ? (inMonthById.get(later.target.id) ?? later) : later,
  );
  const counts = { on_track: 0, at_risk: 0, off_track: 0 };
  for (const item of items) counts[(item.growth ?? item.quota)?.status ?? 'at_risk']++;
  return { ...afterMonth, today: to, counts, items };
}

async function campaignsPart(db: DbOrTx, organisationId: string, from: string, to: string) {
  const rows = await db
    .selectFrom('campaigns')
    .select('id')
    .where('organisation_id', '=', organisationId)
    .where('starts_on', '<=', to)
    .where('ends_on', '>=', from)
    .orderBy('starts_on')
    .execute();
  const details: CampaignDetail[] = [];
  for (const c of rows) details.push(await getCampaign(db, organisationId, c.id, { client: true }));
  return details;
}

async function slaPart(db: DbOrTx, organisationId: string, from: string, to: string): Promise<SlaSummary> {
  const r = await sql<{ met: string; missed: string; pending: string }>`
    select count(*) filter (where outcome = 'met') as met,
           count(*) filter (where outcome = 'missed') as missed,
           count(*) filter (where outcome = 'pending') as pending
    from sla_records where organisation_id = ${organisationId}
      and approved_at >= ${startOf(from)}::timestamptz and approved_at < ${startOf(addDays(to, 1))}::timestamptz`.execute(
    db,
  );
  const met = Number(r.rows[0]?.met ?? 0);
  const missed = Number(r.rows[0]?.missed ?? 0);
  const pending = Number(r.rows[0]?.pending ?? 0);
  return {
    met,
    missed,
    pending,
    rate: met + missed === 0 ? null : Math.round((met / (met + missed)) * 10_000) / 100,
  };
}

/**
 * Publishing incidents: items whose publish attempt in the month failed, stayed unconfirmed or was
 * abandoned, and items left failed / unconfirmed in the month, one line each with the latest reason.
 */
async function incidentsPart(db: DbOrTx, organisationId: string, from: string, to: string) {
  const lo = startOf(from);
  const hi = startOf(addDays(to, 1));
  const r = await sql<{
    title: string;
    account: string;
    status: string;
    outcome: string | null;
    at: Date;
    reason: string | null;
  }>`
    select c.title, a.name as account, c.status, pa.outcome,
           coalesce(pa.started_at, c.updated_at) as at,
           coalesce(c.last_error->>'editorMessage', pa.error_message, c.last_error->>'message') as reason
    from contents c
    join accounts a on a.id = c.account_id
    left join lateral (
      select outcome, started_at, error_message from publish_attempts p
      where p.content_id = c.id and p.outcome in ('failed', 'unconfirmed', 'abandoned')
        and p.started_at >= ${lo}::timestamptz and p.started_at < ${hi}::timestamptz
      order by p.started_at desc limit 1
    ) pa on true
    where c.organisation_id = ${organisationId}
      and (pa.outcome is not null
        or (c.status in ('failed', 'unconfirmed')
          and c.updated_at >= ${lo}::timestamptz and c.updated_at < ${hi}::timestamptz))
    order by at`.execute(db);
  return r.rows.map((x) => ({
    title: x.title,
    account: x.account,
    status: x.status,
    outcome: x.outcome ?? x.status,
    at: new Date(x.at).toISOString(),
    reason: x.reason ?? '',
  }));
}

export async function gatherReportData(
  db: DbOrTx,
  organisationId: string,
  month: string,
): Promise<ReportData> {
  const { from, to } = monthRange(month);
  const org = await db
    .selectFrom('organisations')
    .select(['id', 'name'])
    .where('id', '=', organisationId)
    .executeTakeFirst();
  if (!org) throw new AppError('ORGANISATION_NOT_FOUND', 'No such organisation', 404);
  const daily = await metricsSeries(db, organisationId, { from, to, granularity: 'day' });
  // The 52 weeks ending with the month (a week is labelled by its Monday).
  const weekly = await metricsSeries(db, organisationId, {
    from: addDays(to, -7 * 52 + 1),
    to,
    granularity: 'week',
  });
  return {
    organisation: { id: org.id, name: org.name },
    month,
    from,
    to,
    kpi: await kpiPart(db, organisationId, to),
    daily: daily.points,
    weekly: weekly.points,
    topArticles: await topArticles(db, organisationId, { from, to, limit: 10 }),
    campaigns: await campaignsPart(db, organisationId, from, to),
    sla: await slaPart(db, organisationId, from, to),
    incidents: await incidentsPart(db, organisationId, from, to),
  };
}

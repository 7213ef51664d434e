import { checkDay, checkRange, daysInclusive } from '../calendar/days.js';
import type { Db, DbOrTx } from '../db/database.js';
import { AppError } from '../errors.js';
import type { Actor } from '../identity/users.service.js';
import { campaignCounts, MIN_CAMPAIGN_DAYS } from '../kpi/kpi.compute.js';
import { type CampaignResults, campaignResults } from './campaign-results.js';
import { auditCampaigns, campaignOf, requireOrganisation } from './campaign-scope.js';
import {
  type CampaignFilter,
  type CampaignRow,
  deleteCampaignRow,
  deleteLink,
  findContentOrganisation,
  insertCampaign,
  insertLink,
  linkedContentRows,
  listCampaignRows,
  updateCampaignRow,
} from './campaigns.repository.js';
import type { CampaignGoal, CampaignType } from './campaigns.table.js';
import { type DeliverableView, listDeliverables } from './deliverables.service.js';

/**
 * Campaigns (营销活动 / 主题活动 / 专题) of an organisation, the contents published for them, and
 * whether each counts toward the contract's campaigns-a-year quota. Every change is audited in the
 * transaction that makes it.
 */

/** Longer than a year is a programme, not a campaign (and its daily results would be unbounded). */
export const MAX_CAMPAIGN_DAYS = 366;

export interface CampaignView {
  id: string;
  organisationId: string;
  type: CampaignType;
  name: string;
  description: string;
  startsOn: string;
  endsOn: string;
  /** Both ends included. */
  days: number;
  /** Stored although shorter than 7 days, at the planner's request. */
  shortEvent: boolean;
  /** Counts toward the contract's campaigns per year: at least 7 days. */
  countsForContract: boolean;
  goals: Array<{ metric: string; target: number; note: string | null }>;
  contentCount: number;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface LinkedContentView {
  id: string;
  accountId: string;
  kind: string;
  title: string;
  status: string;
  publishedAt: string | null;
}

export interface CampaignDetail extends CampaignView {
  contents: LinkedContentView[];
  deliverables: DeliverableView[];
  results: CampaignResults;
}

export interface CampaignInput {
  type: CampaignType;
  name: string;
  description?: string | undefined;
  startsOn: string;
  endsOn: string;
  shortEvent?: boolean | undefined;
  goals?: CampaignGoal[] | undefined;
}

export type CampaignPatch = Partial<CampaignInput>;

/**
 * Whether a campaign counts toward the contract's campaigns per year: at least 7 days (both ends
 * included) and not stored as a short event. The KPI count should use this rule.
 */
export function countsForContract(r: { short_event: boolean; starts_on: string; ends_on: string }): boolean {
  return !r.short_event && campaignCounts(r.starts_on, r.ends_on);
}

function view(r: CampaignRow): CampaignView {
  const days = daysInclusive(r.starts_on, r.ends_on);
  return {
    id: r.id,
    organisationId: r.organisation_id,
    type: r.type,
    name: r.name,
    description: r.description,
    startsOn: r.starts_on,
    endsOn: r.ends_on,
    days,
    shortEvent: r.short_event,
    countsForContract: countsForContract(r),
    goals: r.goals.map((g) => ({ metric: g.metric, target: g.target, note: g.note ?? null })),
    contentCount: r.content_count,
    createdBy: r.created_by,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

function linkedView(r: Awaited<ReturnType<typeof linkedContentRows>>[number]): LinkedContentView {
  return {
    id: r.id,
    accountId: r.account_id,
    kind: r.kind,
    title: r.title,
    status: r.status,
    publishedAt: r.published_at?.toISOString() ?? null,
  };
}

/**
 * The schedule rules. Returns the flag to store: true only for a campaign shorter than 7 days the
 * planner marked as a short event, so a campaign stretched to a week or more counts again.
 */
function checkSchedule(startsOn: string, endsOn: string, shortEvent: boolean): boolean {
  checkDay('startsOn', startsOn);
  checkDay('endsOn', endsOn);
  if (endsOn < startsOn)
    throw new AppError(
      'CAMPAIGN_DATES_REVERSED',
      'The campaign ends before it starts',
      422,
      { startsOn, endsOn },
      `结束日期 ${endsOn} 早于开始日期 ${startsOn}`,
    );
  const days = daysInclusive(startsOn, endsOn);
  if (days > MAX_CAMPAIGN_DAYS)
    throw new AppError(
      'CAMPAIGN_TOO_LONG',
      `A campaign lasts at most ${MAX_CAMPAIGN_DAYS} days`,
      422,
      { days, maxDays: MAX_CAMPAIGN_DAYS },
      `活动共 ${days} 天，单个活动最长 ${MAX_CAMPAIGN_DAYS} 天`,
    );
  const counts = campaignCounts(startsOn, endsOn);
  if (!counts && !shortEvent)
    throw new AppError(
      'CAMPAIGN_TOO_SHORT',
      `The contract counts only campaigns of at least ${MIN_CAMPAIGN_DAYS} days`,
      422,
      { days, minDays: MIN_CAMPAIGN_DAYS },
      `活动仅 ${days} 天：合同只计入持续至少 ${MIN_CAMPAIGN_DAYS} 天的活动。如确为短期活动，请标记为短期活动（shortEvent），保存后不计入合同的年度活动数量`,
    );
  return !counts;
}

export async function listCampaigns(
  db: DbOrTx,
  organisationId: string,
  filter: CampaignFilter,
): Promise<CampaignView[]> {
  checkRange(filter.from, filter.to);
  await requireOrganisation(db, organisationId);
  return (await listCampaignRows(db, organisationId, filter)).map(view);
}

/** One campaign with its contents, deliverables and results. `client`: the portal's view of it. */
export async function getCampaign(
  db: DbOrTx,
  organisationId: string,
  id: string,
  opts: { client?: boolean } = {},
): Promise<CampaignDetail> {
  const r = await campaignOf(db, organisationId, id);
  // The client sees what was published for the campaign, never the team's drafts.
  const contents = await linkedContentRows(db, id, { publishedOnly: opts.client === true });
  return {
    ...view(r),
    contents: contents.map(linkedView),
    deliverables: await listDeliverables(db, organisationId, { campaignId: id }),
    results: await campaignResults(db, id),
  };
}

export async function createCampaign(
  db: Db,
  actor: Actor,
  organisationId: string,
  input: CampaignInput,
): Promise<CampaignView> {
  const shortEvent = checkSchedule(input.startsOn, input.endsOn, input.shortEvent ?? false);
  return db.transaction().execute(async (tx) => {
    await requireOrganisation(tx, organisationId);
    const r = await insertCampaign(tx, {
      organisation_id: organisationId,
      type: input.type,
      name: input.name,
      description: input.description ?? '',
      starts_on: input.startsOn,
      ends_on: input.endsOn,
      short_event: shortEvent,
      goals: JSON.stringify(input.goals ?? []),
      created_by: actor.userId,
    });
    const v = view(r);
    await auditCampaigns(
      tx,
      actor,
      'campaign.created',
      { type: 'campaign', id: r.id, organisationId },
      {
        type: v.type,
        name: v.name,
        startsOn: v.startsOn,
        endsOn: v.endsOn,
        shortEvent: v.shortEvent,
        goals: v.goals,
      },
    );
    return v;
  });
}

export async function updateCampaign(
  db: Db,
  actor: Actor,
  organisationId: string,
  id: string,
  patch: CampaignPatch,
): Promise<CampaignView> {
  return db.transaction().execute(async (tx) => {
    const before = view(await campaignOf(tx, organisationId, id, { lock: true }));
    const next = {
      type: patch.type ?? before.type,
      name: patch.name ?? before.name,
      description: patch.description ?? before.description,
      startsOn: patch.startsOn ?? before.startsOn,
      endsOn: patch.endsOn ?? before.endsOn,
      shortEvent: patch.shortEvent ?? before.shortEvent,
      goals: patch.goals
        ? patch.goals.map((g) => ({ metric: g.metric, target: g.target, note: g.note ?? null }))
        : before.goals,
    };
    // Only a change of schedule is checked again, so renaming an old campaign never trips a newer rule.
    if (patch.startsOn !== undefined || patch.endsOn !== undefined || patch.shortEvent !== undefined)
      next.shortEvent = checkSchedule(next.startsOn, next.endsOn, next.shortEvent);
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    for (const key of Object.keys(next) as Array<keyof typeof next>)
      if (JSON.stringify(before[key]) !== JSON.stringify(next[key]))
        changes[key] = { from: before[key], to: next[key] };
    if (Object.keys(changes).length === 0) return before;
    await updateCampaignRow(tx, id, {
      type: next.type,
      name: next.name,
      description: next.description,
      starts_on: next.startsOn,
      ends_on: next.endsOn,
      short_event: next.shortEvent,
      goals: JSON.stringify(next.goals.map(({ note, ...g }) => (note === null ? g : { ...g, note }))),
    });
    await auditCampaigns(
      tx,
      actor,
      'campaign.updated',
      { type: 'campaign', id, organisationId },
      { changes },
    );
    return view(await campaignOf(tx, organisationId, id));
  });
}

export async function deleteCampaign(
  db: Db,
  actor: Actor,
  organisationId: string,
  id: string,
): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const r = view(await campaignOf(tx, organisationId, id, { lock: true }));
    await deleteCampaignRow(tx, id);
    await auditCampaigns(
      tx,
      actor,
      'campaign.deleted',
      { type: 'campaign', id, organisationId },
      { type: r.type, name: r.name, startsOn: r.startsOn, endsOn: r.endsOn, contentCount: r.contentCount },
    );
  });
}

/** Links or unlinks a content; repeating either changes (and audits) nothing. Returns the links. */
export async function setCampaignContent(
  db: Db,
  actor: Actor,
  organisationId: string,
  campaignId: string,
  contentId: string,
  linked: boolean,
): Promise<LinkedContentView[]> {
  return db.transaction().execute(async (tx) => {
    await campaignOf(tx, organisationId, campaignId, { lock: true });
    const owner = await findContentOrganisation(tx, contentId);
    if (!owner) throw new AppError('CONTENT_NOT_FOUND', 'No such content', 404, { id: contentId });
    if (linked && owner !== organisationId)
      throw new AppError(
        'CAMPAIGN_CONTENT_FOREIGN',
        "The content belongs to another organisation than the campaign's",
        422,
        { contentId },
      );
    const changed = linked
      ? await insertLink(tx, campaignId, contentId)
      : await deleteLink(tx, campaignId, contentId);
    if (changed)
      await auditCampaigns(
        tx,
        actor,
        linked ? 'campaign.content_linked' : 'campaign.content_unlinked',
        { type: 'campaign', id: campaignId, organisationId },
        { contentId },
      );
    return (await linkedContentRows(tx, campaignId)).map(linkedView);
  });
}

import { checkDay, checkRange } from '../calendar/days.js';
import type { Db, DbOrTx } from '../db/database.js';
import { AppError } from '../errors.js';
import type { Actor } from '../identity/users.service.js';
import { auditCampaigns, campaignOf, requireOrganisation } from './campaign-scope.js';
import {
  type DeliverableRow,
  deleteDeliverableRow,
  findDeliverable,
  insertDeliverable,
  listDeliverableRows,
} from './campaigns.repository.js';
import type { DeliverableKind } from './campaigns.table.js';

/**
 * Contract deliverables: custom features (定制栏目) and topic pages (专题页), each delivered on a day,
 * optionally for a campaign. The KPI counts them per contract year.
 */

export interface DeliverableView {
  id: string;
  organisationId: string;
  campaignId: string | null;
  kind: DeliverableKind;
  title: string;
  deliveredOn: string;
  url: string | null;
  createdBy: string | null;
  createdAt: string;
}

export interface DeliverableInput {
  kind: DeliverableKind;
  title: string;
  deliveredOn: string;
  url?: string | null | undefined;
  campaignId?: string | null | undefined;
}

export interface DeliverableQuery {
  /** A calendar year; or from/to; or neither for all of them. */
  year?: number | undefined;
  from?: string | undefined;
  to?: string | undefined;
  campaignId?: string | undefined;
}

function view(r: DeliverableRow): DeliverableView {
  return {
    id: r.id,
    organisationId: r.organisation_id,
    campaignId: r.campaign_id,
    kind: r.kind,
    title: r.title,
    deliveredOn: r.delivered_on,
    url: r.url,
    createdBy: r.created_by,
    createdAt: r.created_at.toISOString(),
  };
}

export async function listDeliverables(
  db: DbOrTx,
  organisationId: string,
  q: DeliverableQuery,
): Promise<DeliverableView[]> {
  if (q.year !== undefined && (q.from !== undefined || q.to !== undefined))
    throw new AppError(
      'VALIDATION_FAILED',
      'Give either year or from/to',
      400,
      [{ field: 'querystring.year', message: 'give either year or from/to' }],
      '请只提供年份（year）或起止日期（from/to）之一',
    );
  checkRange(q.from, q.to);
  await requireOrganisation(db, organisationId);
  const range = q.year === undefined ? q : { from: `${q.year}-01-01`, to: `${q.year}-12-31` };
  return (
    await listDeliverableRows(db, organisationId, {
      from: range.from,
      to: range.to,
      campaignId: q.campaignId,
    })
  ).map(view);
}

export async function createDeliverable(
  db: Db,
  actor: Actor,
  organisationId: string,
  input: DeliverableInput,
): Promise<DeliverableView> {
  checkDay('deliveredOn', input.deliveredOn);
  return db.transaction().execute(async (tx) => {
    await requireOrganisation(tx, organisationId);
    if (input.campaignId) await campaignOf(tx, organisationId, input.campaignId);
    const r = view(
      await insertDeliverable(tx, {
        organisation_id: organisationId,
        campaign_id: input.campaignId ?? null,
        kind: input.kind,
        title: input.title,
        delivered_on: input.deliveredOn,
        url: input.url ?? null,
        created_by: actor.userId,
      }),
    );
    await auditCampaigns(
      tx,
      actor,
      'deliverable.created',
      { type: 'deliverable', id: r.id, organisationId },
      { kind: r.kind, title: r.title, deliveredOn: r.deliveredOn, url: r.url, campaignId: r.campaignId },
    );
    return r;
  });
}

export async function deleteDeliverable(
  db: Db,
  actor: Actor,
  organisationId: string,
  id: string,
): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const r = await findDeliverable(tx, id);
    if (!r || r.organisation_id !== organisationId)
      throw new AppError('DELIVERABLE_NOT_FOUND', 'No such deliverable', 404, { id });
    await deleteDeliverableRow(tx, id);
    await auditCampaigns(
      tx,
      actor,
      'deliverable.deleted',
      { type: 'deliverable', id, organisationId },
      { kind: r.kind, title: r.title, deliveredOn: r.delivered_on, campaignId: r.campaign_id },
    );
  });
}

import type { Insertable, Selectable, Updateable } from 'kysely';
import type { DbOrTx } from '../db/database.js';
import type { CampaignsTable, CampaignType, DeliverableKind, DeliverablesTable } from './campaigns.table.js';

/** The queries of campaigns, their linked contents and deliverables. Callers check organisations. */

export type CampaignRow = Selectable<CampaignsTable> & { content_count: number };
export type DeliverableRow = Selectable<DeliverablesTable>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function organisationExists(db: DbOrTx, organisationId: string): Promise<boolean> {
  if (!UUID.test(organisationId)) return false;
  const r = await db
    .selectFrom('organisations')
    .select('id')
    .where('id', '=', organisationId)
    .executeTakeFirst();
  return r !== undefined;
}

function campaigns(db: DbOrTx) {
  return db
    .selectFrom('campaigns as c')
    .selectAll('c')
    .select((eb) =>
      eb
        .selectFrom('campaign_contents as cc')
        .select(eb.fn.countAll<number>().as('n'))
        .whereRef('cc.campaign_id', '=', 'c.id')
        .as('content_count'),
    );
}

const withCount = <T extends Selectable<CampaignsTable> & { content_count: unknown }>(r: T): CampaignRow => ({
  ...r,
  content_count: Number(r.content_count ?? 0),
});

/** One campaign, locked for the rest of the transaction when `lock`. */
export async function findCampaign(
  db: DbOrTx,
  id: string,
  opts: { lock?: boolean } = {},
): Promise<CampaignRow | undefined> {
  if (!UUID.test(id)) return undefined;
  if (opts.lock) await db.selectFrom('campaigns').select('id').where('id', '=', id).forUpdate().execute();
  const r = await campaigns(db).where('c.id', '=', id).executeTakeFirst();
  return r && withCount(r);
}

export interface CampaignFilter {
  /** Campaigns still running on or after this day. */
  from?: string | undefined;
  /** Campaigns started on or before this day. */
  to?: string | undefined;
  type?: CampaignType | undefined;
}

export async function listCampaignRows(
  db: DbOrTx,
  organisationId: string,
  f: CampaignFilter,
): Promise<CampaignRow[]> {
  let q = campaigns(db).where('c.organisation_id', '=', organisationId);
  if (f.from) q = q.where('c.ends_on', '>=', f.from);
  if (f.to) q = q.where('c.starts_on', '<=', f.to);
  if (f.type) q = q.where('c.type', '=', f.type);
  const rows = await q.orderBy('c.starts_on').orderBy('c.ends_on').orderBy('c.name').execute();
  return rows.map(withCount);
}

export async function insertCampaign(db: DbOrTx, values: Insertable<CampaignsTable>): Promise<CampaignRow> {
  const r = await db.insertInto('campaigns').values(values).returningAll().executeTakeFirstOrThrow();
  return { ...r, content_count: 0 };
}

export async function updateCampaignRow(
  db: DbOrTx,
  id: string,
  set: Updateable<CampaignsTable>,
): Promise<void> {
  await db
    .updateTable('campaigns')
    .set({ ...set, updated_at: new Date() })
    .where('id', '=', id)
    .execute();
}

export async function deleteCampaignRow(db: DbOrTx, id: string): Promise<void> {
  await db.deleteFrom('campaigns').where('id', '=', id).execute();
}

// ---- Linked contents -----------------------------------------------------------------------------

export async function findContentOrganisation(db: DbOrTx, contentId: string): Promise<string | undefined> {
  if (!UUID.test(contentId)) return undefined;
  const r = await db
    .selectFrom('contents')
    .select('organisation_id')
    .where('id', '=', contentId)
    .executeTakeFirst();
  return r?.organisation_id;
}

/** Inserts the link; false when it was there already. */
export async function insertLink(db: DbOrTx, campaignId: string, contentId: string): Promise<boolean> {
  const r = await db
    .insertInto('campaign_contents')
    .values({ campaign_id: campaignId, content_id: contentId })
    .onConflict((oc) => oc.columns(['campaign_id', 'content_id']).doNothing())
    .returning('content_id')
    .executeTakeFirst();
  return r !== undefined;
}

/** Removes the link; false when there was none. */
export async function deleteLink(db: DbOrTx, campaignId: string, contentId: string): Promise<boolean> {
  const r = await db
    .deleteFrom('campaign_contents')
    .where('campaign_id', '=', campaignId)
    .where('content_id', '=', contentId)
    .executeTakeFirst();
  return r.numDeletedRows > 0n;
}

export async function linkedContentRows(
  db: DbOrTx,
  campaignId: string,
  opts: { publishedOnly?: boolean } = {},
) {
  let q = db
    .selectFrom('campaign_contents as cc')
    .innerJoin('contents as c', 'c.id', 'cc.content_id')
    .select(['c.id', 'c.account_id', 'c.kind', 'c.title', 'c.status', 'c.published_at'])
    .where('cc.campaign_id', '=', campaignId);
  if (opts.publishedOnly) q = q.where('c.status', '=', 'published');
  return q.orderBy('c.published_at').orderBy('c.created_at').execute();
}

// ---- Deliverables --------------------------------------------------------------------------------

export async function insertDeliverable(
  db: DbOrTx,
  values: {
    organisation_id: string;
    campaign_id: string | null;
    kind: DeliverableKind;
    title: string;
    delivered_on: string;
    url: string | null;
    created_by: string | null;
  },
): Promise<DeliverableRow> {
  return db.insertInto('deliverables').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function findDeliverable(db: DbOrTx, id: string): Promise<DeliverableRow | undefined> {
  if (!UUID.test(id)) return undefined;
  return db.selectFrom('deliverables').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function deleteDeliverableRow(db: DbOrTx, id: string): Promise<void> {
  await db.deleteFrom('deliverables').where('id', '=', id).execute();
}

export async function listDeliverableRows(
  db: DbOrTx,
  organisationId: string,
  f: { from?: string | undefined; to?: string | undefined; campaignId?: string | undefined },
): Promise<DeliverableRow[]> {
  let q = db.selectFrom('deliverables').selectAll().where('organisation_id', '=', organisationId);
  if (f.from) q = q.where('delivered_on', '>=', f.from);
  if (f.to) q = q.where('delivered_on', '<=', f.to);
  if (f.campaignId) q = q.where('campaign_id', '=', f.campaignId);
  return q.orderBy('delivered_on').orderBy('title').execute();
}

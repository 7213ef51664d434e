import { recordActorAudit } from '../audit/audit.repository.js';
import type { DbOrTx } from '../db/database.js';
import { AppError } from '../errors.js';
import type { Actor } from '../identity/users.service.js';
import { type CampaignRow, findCampaign, organisationExists } from './campaigns.repository.js';

/**
 * Organisation scoping and auditing shared by campaigns and deliverables: a record of another
 * organisation is answered exactly like a missing one, so no id reveals another client's data.
 */

export async function requireOrganisation(db: DbOrTx, organisationId: string): Promise<void> {
  if (!(await organisationExists(db, organisationId)))
    throw new AppError('ORGANISATION_NOT_FOUND', 'No such organisation', 404, { id: organisationId });
}

/** The campaign, if it belongs to the organisation; locked for the transaction when `lock`. */
export async function campaignOf(
  db: DbOrTx,
  organisationId: string,
  id: string,
  opts: { lock?: boolean } = {},
): Promise<CampaignRow> {
  const r = await findCampaign(db, id, opts);
  if (!r || r.organisation_id !== organisationId)
    throw new AppError('CAMPAIGN_NOT_FOUND', 'No such campaign', 404, { id });
  return r;
}

export function auditCampaigns(
  db: DbOrTx,
  actor: Actor,
  action: string,
  target: { type: 'campaign' | 'deliverable'; id: string; organisationId: string },
  details: Record<string, unknown>,
): Promise<void> {
  return recordActorAudit(db, actor, {
    action,
    targetType: target.type,
    targetId: target.id,
    organisationId: target.organisationId,
    details,
  });
}

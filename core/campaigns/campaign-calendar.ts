import { checkRange, MAX_RANGE_DAYS } from '../calendar/days.js';
import type { DbOrTx } from '../db/database.js';
import { requireOrganisation } from './campaign-scope.js';
import { listCampaignRows, listDeliverableRows } from './campaigns.repository.js';
import { countsForContract } from './campaigns.service.js';
import type { CampaignType, DeliverableKind } from './campaigns.table.js';

export type CalendarEntry =
  | {
      entry: 'campaign';
      /** The first day: the campaign's start (which may precede the range). */
      date: string;
      endsOn: string;
      id: string;
      type: CampaignType;
      name: string;
      shortEvent: boolean;
      countsForContract: boolean;
    }
  | {
      entry: 'deliverable';
      date: string;
      id: string;
      kind: DeliverableKind;
      title: string;
      url: string | null;
      campaignId: string | null;
    };

/**
 * The campaign calendar of [from, to] (at most 400 days): every campaign overlapping the range and
 * every deliverable delivered in it, by date; on one day campaigns come before deliverables.
 */
export async function campaignCalendar(
  db: DbOrTx,
  organisationId: string,
  from: string,
  to: string,
): Promise<{ from: string; to: string; items: CalendarEntry[] }> {
  checkRange(from, to, { maxDays: MAX_RANGE_DAYS });
  await requireOrganisation(db, organisationId);
  const campaigns = await listCampaignRows(db, organisationId, { from, to });
  const deliverables = await listDeliverableRows(db, organisationId, { from, to });
  const items: CalendarEntry[] = [
    ...campaigns.map(
      (c): CalendarEntry => ({
        entry: 'campaign',
        date: c.starts_on,
        endsOn: c.ends_on,
        id: c.id,
        type: c.type,
        name: c.name,
        shortEvent: c.short_event,
        countsForContract: countsForContract(c),
      }),
    ),
    ...deliverables.map(
      (d): CalendarEntry => ({
        entry: 'deliverable',
        date: d.delivered_on,
        id: d.id,
        kind: d.kind,
        title: d.title,
        url: d.url,
        campaignId: d.campaign_id,
      }),
    ),
  ];
  // Stable sort: within a day the campaigns (already by start, end, name) stay ahead of deliverables.
  return { from, to, items: items.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0)) };
}

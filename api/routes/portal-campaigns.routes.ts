import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { campaignCalendar } from '../../core/campaigns/campaign-calendar.js';
import { getCampaign, listCampaigns } from '../../core/campaigns/campaigns.service.js';
import type { Db } from '../../core/db/database.js';
import { portalOrganisationOf } from '../plugins/auth.js';
import {
  CalendarBody,
  CampaignListQuery,
  PortalCampaign,
  PortalCampaignDetail,
  RangeQuery,
} from '../schemas/campaign.schemas.js';
import { authErrors, IdParams } from '../schemas/identity.schemas.js';

const tags = ['portal'];

/** The client's read-only view of its own organisation's campaigns (prefix /portal/api). */
export const portalCampaignRoutes: FastifyPluginAsyncTypebox<{ db: Db }> = async (app, { db }) => {
  const orgOf = portalOrganisationOf;

  app.get(
    '/campaigns',
    {
      config: { permission: 'portal.dashboard' },
      schema: {
        tags,
        summary: "The organisation's campaigns; from/to keep those overlapping the range",
        querystring: CampaignListQuery,
        response: { 200: Type.Object({ items: Type.Array(PortalCampaign) }), ...authErrors },
      },
    },
    async (request) => ({ items: await listCampaigns(db, orgOf(request), request.query) }),
  );

  app.get(
    '/campaigns/:id',
    {
      config: { permission: 'portal.dashboard' },
      schema: {
        tags,
        summary: 'A campaign with its published contents, deliverables and results',
        params: IdParams,
        response: { 200: PortalCampaignDetail, ...authErrors },
      },
    },
    async (request) => getCampaign(db, orgOf(request), request.params.id, { client: true }),
  );

  app.get(
    '/campaign-calendar',
    {
      config: { permission: 'portal.dashboard' },
      schema: {
        tags,
        summary: 'Campaigns overlapping the range and deliverables in it, by date (at most 400 days)',
        querystring: RangeQuery,
        response: { 200: CalendarBody, ...authErrors },
      },
    },
    async (request) => campaignCalendar(db, orgOf(request), request.query.from, request.query.to),
  );
};

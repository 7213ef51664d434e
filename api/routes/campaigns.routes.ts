import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { campaignCalendar } from '../../core/campaigns/campaign-calendar.js';
import {
  createCampaign,
  deleteCampaign,
  getCampaign,
  listCampaigns,
  setCampaignContent,
  updateCampaign,
} from '../../core/campaigns/campaigns.service.js';
import {
  createDeliverable,
  deleteDeliverable,
  listDeliverables,
} from '../../core/campaigns/deliverables.service.js';
import type { Db } from '../../core/db/database.js';
import { actorOf } from '../plugins/auth.js';
import {
  CalendarBody,
  Campaign,
  CampaignCreateBody,
  CampaignDetail,
  CampaignListQuery,
  CampaignPatchBody,
  Deliverable,
  DeliverableCreateBody,
  DeliverableListQuery,
  LinkedContent,
  LinkParams,
  OrgIdParams,
  OrgParams,
  RangeQuery,
} from '../schemas/campaign.schemas.js';
import { authErrors } from '../schemas/identity.schemas.js';

const tags = ['campaigns'];
const Links = Type.Object({ items: Type.Array(LinkedContent) });

/**
 * Campaigns, the campaign calendar and contract deliverables of one organisation (prefix /api/orgs).
 * A campaign or deliverable of another organisation answers 404, as an unknown id does.
 */
export const campaignRoutes: FastifyPluginAsyncTypebox<{
  db: Db;
  /** Called after a change (KPI summaries count campaigns and deliverables). */
  onChange?: (organisationId: string) => Promise<void>;
}> = async (app, { db, onChange }) => {
  // Before the answer leaves: a client reading the KPI summary next sees the change.
  app.addHook('onSend', async (request, reply, payload) => {
    const orgId = (request.params as { orgId?: string }).orgId;
    if (request.method !== 'GET' && reply.statusCode < 400 && orgId) await onChange?.(orgId);
    return payload;
  });
  app.get(
    '/:orgId/campaigns',
    {
      config: { permission: 'campaigns.read' },
      schema: {
        tags,
        summary: 'Campaigns of an organisation; from/to keep those overlapping the range',
        params: OrgParams,
        querystring: CampaignListQuery,
        response: { 200: Type.Object({ items: Type.Array(Campaign) }), ...authErrors },
      },
    },
    async (request) => ({ items: await listCampaigns(db, request.params.orgId, request.query) }),
  );

  app.post(
    '/:orgId/campaigns',
    {
      config: { permission: 'campaigns.manage' },
      schema: {
        tags,
        summary: 'Create a campaign (at least 7 days, unless shortEvent)',
        params: OrgParams,
        body: CampaignCreateBody,
        response: { 201: Campaign, ...authErrors },
      },
    },
    async (request, reply) => {
      reply.status(201);
      return createCampaign(db, actorOf(request), request.params.orgId, request.body);
    },
  );

  app.get(
    '/:orgId/campaigns/:id',
    {
      config: { permission: 'campaigns.read' },
      schema: {
        tags,
        summary: 'A campaign with its contents, deliverables and results',
        params: OrgIdParams,
        response: { 200: CampaignDetail, ...authErrors },
      },
    },
    async (request) => getCampaign(db, request.params.orgId, request.params.id),
  );

  app.patch(
    '/:orgId/campaigns/:id',
    {
      config: { permission: 'campaigns.manage' },
      schema: {
        tags,
        summary: 'Change a campaign',
        params: OrgIdParams,
        body: CampaignPatchBody,
        response: { 200: Campaign, ...authErrors },
      },
    },
    async (request) =>
      updateCampaign(db, actorOf(request), request.params.orgId, request.params.id, request.body),
  );

  app.delete(
    '/:orgId/campaigns/:id',
    {
      config: { permission: 'campaigns.manage' },
      schema: {
        tags,
        summary: 'Delete a campaign (its contents stay; its deliverables lose the link)',
        params: OrgIdParams,
        response: { 204: Type.Null(), ...authErrors },
      },
    },
    async (request, reply) => {
      await deleteCampaign(db, actorOf(request), request.params.orgId, request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.put(
    '/:orgId/campaigns/:id/contents/:contentId',
    {
      config: { permission: 'campaigns.manage' },
      schema: {
        tags,
        summary: "Link a content of the campaign's organisation to the campaign (idempotent)",
        params: LinkParams,
        response: { 200: Links, ...authErrors },
      },
    },
    async (request) => {
      const { orgId, id, contentId } = request.params;
      return { items: await setCampaignContent(db, actorOf(request), orgId, id, contentId, true) };
    },
  );

  app.delete(
    '/:orgId/campaigns/:id/contents/:contentId',
    {
      config: { permission: 'campaigns.manage' },
      schema: {
        tags,
        summary: 'Unlink a content from the campaign (idempotent)',
        params: LinkParams,
        response: { 200: Links, ...authErrors },
      },
    },
    async (request) => {
      const { orgId, id, contentId } = request.params;
      return { items: await setCampaignContent(db, actorOf(request), orgId, id, contentId, false) };
    },
  );

  app.get(
    '/:orgId/campaign-calendar',
    {
      config: { permission: 'campaigns.read' },
      schema: {
        tags,
        summary: 'Campaigns overlapping the range and deliverables in it, by date (at most 400 days)',
        params: OrgParams,
        querystring: RangeQuery,
        response: { 200: CalendarBody, ...authErrors },
      },
    },
    async (request) => campaignCalendar(db, request.params.orgId, request.query.from, request.query.to),
  );

  app.get(
    '/:orgId/deliverables',
    {
      config: { permission: 'kpi.read' },
      schema: {
        tags,
        summary: 'Custom features and topic pages: of a calendar year, of a range, or all',
        params: OrgParams,
        querystring: DeliverableListQuery,
        response: { 200: Type.Object({ items: Type.Array(Deliverable) }), ...authErrors },
      },
    },
    async (request) => ({ items: await listDeliverables(db, request.params.orgId, request.query) }),
  );

  app.post(
    '/:orgId/deliverables',
    {
      config: { permission: 'kpi.manage' },
      schema: {
        tags,
        summary: 'Record a delivered custom feature (定制栏目) or topic page (专题页)',
        params: OrgParams,
        body: DeliverableCreateBody,
        response: { 201: Deliverable, ...authErrors },
      },
    },
    async (request, reply) => {
      reply.status(201);
      return createDeliverable(db, actorOf(request), request.params.orgId, request.body);
    },
  );

  app.delete(
    '/:orgId/deliverables/:id',
    {
      config: { permission: 'kpi.manage' },
      schema: {
        tags,
        summary: 'Remove a deliverable',
        params: OrgIdParams,
        response: { 204: Type.Null(), ...authErrors },
      },
    },
    async (request, reply) => {
      await deleteDeliverable(db, actorOf(request), request.params.orgId, request.params.id);
      return reply.status(204).send(null);
    },
  );
};

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import type { Db } from '../../core/db/database.js';
import {
  listReports,
  type ReportFileKind,
  type ReportJob,
  type ReportView,
  reportFile,
  requestReport,
} from '../../core/reports/reports.service.js';
import { actorOf, portalOrganisationOf } from '../plugins/auth.js';
import { authErrors, Nullable, Uuid } from '../schemas/identity.schemas.js';

export interface ReportsRoutesContext {
  db: Db;
  dataDir: string;
  /** Hands a new report to the worker; absent, it stays queued. */
  enqueue?: (report: ReportJob) => Promise<void>;
}

const Month = Type.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])$', description: 'YYYY-MM' });
const Status = Type.Enum(['queued', 'generating', 'done', 'failed']);

const Report = Type.Object({
  id: Type.String(),
  organisationId: Type.String(),
  month: Type.String(),
  version: Type.Integer(),
  status: Status,
  attempts: Type.Integer(),
  error: Nullable(Type.String()),
  pdfBytes: Nullable(Type.Integer()),
  pdfSha256: Nullable(Type.String()),
  xlsxBytes: Nullable(Type.Integer()),
  xlsxSha256: Nullable(Type.String()),
  createdAt: Type.String(),
  generatedAt: Nullable(Type.String()),
  pdfUrl: Nullable(Type.String()),
  xlsxUrl: Nullable(Type.String()),
});

/** The portal's shape (the portal pages call exactly this). */
const PortalReport = Type.Object({
  id: Type.String(),
  month: Type.String(),
  version: Type.Integer(),
  status: Status,
  generatedAt: Nullable(Type.String()),
  pdfUrl: Nullable(Type.String()),
  xlsxUrl: Nullable(Type.String()),
});

const urls = (base: string, r: ReportView) =>
  r.status === 'done'
    ? { pdfUrl: `${base}/${r.id}/pdf`, xlsxUrl: `${base}/${r.id}/xlsx` }
    : { pdfUrl: null, xlsxUrl: null };

const FileParams = Type.Object({ id: Uuid, kind: Type.Enum(['pdf', 'xlsx']) });

async function sendFile(
  ctx: ReportsRoutesContext,
  reply: FastifyReply,
  organisationId: string,
  id: string,
  kind: ReportFileKind,
) {
  const file = await reportFile(ctx, organisationId, id, kind);
  return reply
    .type(file.contentType)
    .header('content-disposition', file.disposition)
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'private, no-store')
    .send(file.body);
}

/** Backend (prefix /api/orgs): request, list and download an organisation's monthly reports. */
export const reportRoutes: FastifyPluginAsyncTypebox<ReportsRoutesContext> = async (app, ctx) => {
  const tags = ['reports'];
  const OrgParams = Type.Object({ orgId: Uuid });

  app.post(
    '/:orgId/reports',
    {
      config: { permission: 'reports.manage' },
      schema: {
        tags,
        summary:
          "Request a month's report: returns the month's current version (201 when a new one was queued); regenerate adds the next version and keeps the old ones",
        params: OrgParams,
        body: Type.Object(
          { month: Month, regenerate: Type.Optional(Type.Boolean()) },
          { additionalProperties: false },
        ),
        response: { 200: Report, 201: Report, ...authErrors },
      },
    },
    async (request, reply) => {
      const { orgId } = request.params;
      const { report, created } = await requestReport(ctx, orgId, request.body.month, actorOf(request), {
        regenerate: request.body.regenerate ?? false,
      });
      return reply
        .code(created ? 201 : 200)
        .send({ ...report, ...urls(`/api/orgs/${orgId}/reports`, report) });
    },
  );

  app.get(
    '/:orgId/reports',
    {
      config: { permission: 'reports.read' },
      schema: {
        tags,
        summary: "The organisation's reports, newest month and version first",
        params: OrgParams,
        response: { 200: Type.Object({ items: Type.Array(Report) }), ...authErrors },
      },
    },
    async (request) => {
      const { orgId } = request.params;
      const items = await listReports(ctx, orgId);
      return { items: items.map((r) => ({ ...r, ...urls(`/api/orgs/${orgId}/reports`, r) })) };
    },
  );

  app.get(
    '/:orgId/reports/:id/:kind',
    {
      config: { permission: 'reports.read' },
      schema: {
        tags,
        summary: 'Download a finished report as PDF or Excel (checked against its stored SHA-256)',
        params: Type.Object({ orgId: Uuid, id: Uuid, kind: Type.Enum(['pdf', 'xlsx']) }),
        response: { ...authErrors },
      },
    },
    async (request, reply) =>
      sendFile(ctx, reply, request.params.orgId, request.params.id, request.params.kind),
  );
};

/** Portal (prefix /portal/api): the client's own organisation's finished and pending reports. */
export const portalReportRoutes: FastifyPluginAsyncTypebox<ReportsRoutesContext> = async (app, ctx) => {
  const tags = ['portal'];

  app.get(
    '/reports',
    {
      config: { permission: 'portal.dashboard' },
      schema: {
        tags,
        summary: "The organisation's monthly reports (运营数据月报), newest first",
        response: { 200: Type.Object({ items: Type.Array(PortalReport) }), ...authErrors },
      },
    },
    async (request) => {
      const items = await listReports(ctx, portalOrganisationOf(request));
      return {
        items: items.map((r) => ({
          id: r.id,
          month: r.month,
          version: r.version,
          status: r.status,
          generatedAt: r.generatedAt,
          ...urls('/portal/api/reports', r),
        })),
      };
    },
  );

  app.get(
    '/reports/:id/:kind',
    {
      config: { permission: 'portal.dashboard' },
      schema: {
        tags,
        summary: 'Download a finished report as PDF or Excel',
        params: FileParams,
        response: { ...authErrors },
      },
    },
    async (request, reply) =>
      sendFile(ctx, reply, portalOrganisationOf(request), request.params.id, request.params.kind),
  );
};

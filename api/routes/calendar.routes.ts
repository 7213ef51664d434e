import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  calendarDays,
  deleteOverride,
  overrides,
  putOverride,
} from '../../core/calendar/calendar.service.js';
import { loadWorkingCalendar } from '../../core/calendar/working-days.js';
import { slaWindow } from '../../core/content/sla.js';
import type { Db } from '../../core/db/database.js';
import { actorOf } from '../plugins/auth.js';
import { authErrors, Nullable } from '../schemas/identity.schemas.js';

const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD (Asia/Shanghai)' });
const Override = Type.Object({
  day: Type.String(),
  working: Type.Boolean(),
  name: Type.String(),
  updatedAt: Type.String(),
});
const tags = ['calendar'];

/** China's working-day calendar (with 调休), the administrators' overrides, and the SLA it implies. */
export const calendarRoutes: FastifyPluginAsyncTypebox<{ db: Db }> = async (app, ctx) => {
  app.get(
    '/days',
    {
      config: { permission: 'content.read' },
      schema: {
        tags,
        summary: 'Working or not, for each day of a range (at most 400 days)',
        querystring: Type.Object({ from: Day, to: Day }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            days: Type.Array(
              Type.Object({
                day: Type.String(),
                working: Type.Boolean(),
                name: Type.String(),
                source: Type.String(),
              }),
            ),
            packageLastYear: Type.Integer(),
            warning: Nullable(Type.String()),
          }),
          ...authErrors,
        },
      },
    },
    async (request) => calendarDays(ctx.db, request.query.from, request.query.to),
  );

  app.get(
    '/sla',
    {
      config: { permission: 'content.read' },
      schema: {
        tags,
        summary: 'The publishing deadline content approved at a given time would have',
        querystring: Type.Object(
          { approvedAt: Type.String({ format: 'date-time' }) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            approvedAt: Type.String(),
            workingDay: Type.Boolean(),
            windowMinutes: Type.Integer(),
            atRiskAt: Type.String(),
            deadline: Type.String(),
          }),
          ...authErrors,
        },
      },
    },
    async (request) => {
      const w = slaWindow(new Date(request.query.approvedAt), await loadWorkingCalendar(ctx.db));
      return {
        approvedAt: w.approvedAt.toISOString(),
        workingDay: w.workingDay,
        windowMinutes: w.windowMinutes,
        atRiskAt: w.atRiskAt.toISOString(),
        deadline: w.deadline.toISOString(),
      };
    },
  );

  app.get(
    '/overrides',
    {
      config: { permission: 'content.read' },
      schema: {
        tags,
        summary: 'Days set by administrators',
        response: { 200: Type.Object({ items: Type.Array(Override) }), ...authErrors },
      },
    },
    async () => ({ items: await overrides(ctx.db) }),
  );

  app.put(
    '/overrides/:day',
    {
      config: { permission: 'calendar.manage' },
      schema: {
        tags,
        summary: 'Declare a day working or not (for years the official calendar package does not know)',
        params: Type.Object({ day: Day }),
        body: Type.Object(
          { working: Type.Boolean(), name: Type.String({ minLength: 1, maxLength: 50 }) },
          { additionalProperties: false },
        ),
        response: { 200: Override, ...authErrors },
      },
    },
    async (request) => putOverride(ctx.db, actorOf(request), request.params.day, request.body),
  );

  app.delete(
    '/overrides/:day',
    {
      config: { permission: 'calendar.manage' },
      schema: {
        tags,
        summary: 'Remove an override',
        params: Type.Object({ day: Day }),
        response: { 204: Type.Null(), ...authErrors },
      },
    },
    async (request, reply) => {
      await deleteOverride(ctx.db, actorOf(request), request.params.day);
      return reply.status(204).send(null);
    },
  );
};

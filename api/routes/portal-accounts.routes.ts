import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Db } from '../../core/db/database.js';
import { portalOrganisationOf } from '../plugins/auth.js';
import { authErrors } from '../schemas/identity.schemas.js';

/** The client's accounts by name, for the dashboard's account filter (prefix /portal/api). */
export const portalAccountRoutes: FastifyPluginAsyncTypebox<{ db: Db }> = async (app, { db }) => {
  app.get(
    '/accounts',
    {
      config: { permission: 'portal.dashboard' },
      schema: {
        tags: ['portal'],
        summary: "Your organisation's accounts (id, name, platform and status only)",
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                id: Type.String(),
                name: Type.String(),
                platform: Type.String(),
                status: Type.String(),
              }),
            ),
          }),
          ...authErrors,
        },
      },
    },
    // One query for the four columns: listAccounts would also read every account's credential names.
    async (request) => ({
      items: await db
        .selectFrom('accounts')
        .select(['id', 'name', 'platform', 'status'])
        .where('organisation_id', '=', portalOrganisationOf(request))
        .orderBy('name')
        .execute(),
    }),
  );
};

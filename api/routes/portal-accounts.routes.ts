import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { listAccounts } from '../../core/accounts/accounts.service.js';
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
        summary: "Your organisation's accounts (id, name, platform only)",
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
    async (request) => ({
      items: (await listAccounts(db, { organisationId: portalOrganisationOf(request) })).map((a) => ({
        id: a.id,
        name: a.name,
        platform: a.platform,
        status: a.status,
      })),
    }),
  );
};

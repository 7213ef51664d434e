import { recordAudit } from '../audit/audit.repository.js';
import type { DbOrTx } from '../db/database.js';
import { AppError } from '../errors.js';
import type { Actor } from './users.service.js';

export interface OrganisationView {
  id: string;
  slug: string;
  name: string;
  kind: 'client' | 'operator';
  disabledAt: string | null;
}

function toView(o: {
  id: string;
  slug: string;
  name: string;
  kind: 'client' | 'operator';
  disabled_at: Date | null;
}): OrganisationView {
  return {
    id: o.id,
    slug: o.slug,
    name: o.name,
    kind: o.kind,
    disabledAt: o.disabled_at?.toISOString() ?? null,
  };
}

export async function listOrganisations(db: DbOrTx): Promise<OrganisationView[]> {
  return (await db.selectFrom('organisations').selectAll().orderBy('name').execute()).map(toView);
}

export async function createOrganisation(
  db: DbOrTx,
  actor: Actor,
  input: { slug: string; name: string; kind?: 'client' | 'operator' | undefined },
): Promise<OrganisationView> {
  const exists = await db
    .selectFrom('organisations')
    .select('id')
    .where('slug', '=', input.slug)
    .executeTakeFirst();
  if (exists)
    throw new AppError('ORGANISATION_SLUG_TAKEN', 'That short name is taken', 409, { slug: input.slug });
  const org = await db
    .insertInto('organisations')
    .values({ slug: input.slug, name: input.name, kind: input.kind ?? 'client' })
    .returningAll()
    .executeTakeFirstOrThrow();
  await recordAudit(db, {
    action: 'organisation.created',
    actorKind: 'user',
    actorUserId: actor.userId,
    actorRole: actor.role,
    targetType: 'organisation',
    targetId: org.id,
    organisationId: org.id,
    ip: actor.origin.ip,
    requestId: actor.origin.requestId,
    details: { slug: org.slug, name: org.name },
  });
  return toView(org);
}

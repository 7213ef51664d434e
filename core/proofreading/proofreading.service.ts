import type { Selectable } from 'kysely';
import { sql } from 'kysely';
import { recordAudit } from '../audit/audit.repository.js';
import type { DbOrTx } from '../db/database.js';
import { AppError } from '../errors.js';
import type { Actor } from '../identity/users.service.js';
import type { ProofEntriesTable } from './proof-entries.table.js';
import { Proofreader } from './proofreader.js';
import type { ProofCategory, ProofRule, ProofSeverity } from './proofreading.types.js';
import { loadStarterRules } from './starter-dictionary.js';

/**
 * The proofreading lists of the database (shared and per organisation) on top of the shipped starter
 * dictionary. A proofreader is built once per organisation and list version and kept in memory; the
 * version (count and newest change) costs one indexed query per check, so every process sees an
 * edit made through any other.
 */
type Row = Selectable<ProofEntriesTable>;

export interface ProofEntryView {
  id: string;
  organisationId: string | null;
  pattern: string;
  suggestion: string | null;
  severity: ProofSeverity;
  category: ProofCategory;
  exceptions: string[];
  note: string | null;
  createdAt: string;
  updatedAt: string;
}

function toView(r: Row): ProofEntryView {
  return {
    id: r.id,
    organisationId: r.organisation_id,
    pattern: r.pattern,
    suggestion: r.suggestion,
    severity: r.severity,
    category: r.category,
    exceptions: r.exceptions,
    note: r.note,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

const cache = new Map<string, { version: string; proofreader: Proofreader }>();
const CACHE_MAX = 200;

function scoped(db: DbOrTx, organisationId: string) {
  return db
    .selectFrom('proof_entries')
    .where((eb) => eb.or([eb('organisation_id', 'is', null), eb('organisation_id', '=', organisationId)]));
}

export async function proofreaderFor(db: DbOrTx, organisationId: string): Promise<Proofreader> {
  const v = await scoped(db, organisationId)
    .select([
      sql<string>`count(*)::text`.as('n'),
      sql<string>`coalesce(max(updated_at), 'epoch')::text`.as('at'),
    ])
    .executeTakeFirstOrThrow();
  const version = `${v.n}@${v.at}`;
  const hit = cache.get(organisationId);
  if (hit?.version === version) return hit.proofreader;
  const rows = await scoped(db, organisationId).selectAll().execute();
  const fromDb = (source: ProofRule['source']) => (r: Row) => ({
    pattern: r.pattern,
    suggestion: r.suggestion,
    severity: r.severity,
    category: r.category,
    exceptions: r.exceptions,
    source,
  });
  // Later rules override earlier ones with the same pattern: organisation over shared over starter.
  const proofreader = new Proofreader([
    ...loadStarterRules(),
    ...rows.filter((r) => r.organisation_id === null).map(fromDb('shared')),
    ...rows.filter((r) => r.organisation_id !== null).map(fromDb('organisation')),
  ]);
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(organisationId, { version, proofreader });
  return proofreader;
}

export interface ProofEntryInput {
  organisationId?: string | null | undefined;
  pattern: string;
  suggestion?: string | null | undefined;
  severity: ProofSeverity;
  category: ProofCategory;
  exceptions?: string[] | undefined;
  note?: string | null | undefined;
}

function audit(db: DbOrTx, actor: Actor, action: string, r: Row, details: Record<string, unknown> = {}) {
  return recordAudit(db, {
    action,
    actorKind: 'user',
    actorUserId: actor.userId,
    actorRole: actor.role,
    targetType: 'proof_entry',
    targetId: r.id,
    organisationId: r.organisation_id,
    ip: actor.origin.ip,
    requestId: actor.origin.requestId,
    details: { pattern: r.pattern, suggestion: r.suggestion, severity: r.severity, ...details },
  });
}

function checkExceptions(pattern: string, exceptions: readonly string[]) {
  const bad = exceptions.filter((e) => !e.includes(pattern));
  if (bad.length > 0)
    throw new AppError('PROOF_EXCEPTION_INVALID', 'Every exception must contain the pattern', 422, {
      exceptions: bad,
    });
}

async function uniqueOrThrow<T>(work: () => Promise<T>, pattern: string): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if ((err as { code?: string }).code === '23505')
      throw new AppError('PROOF_ENTRY_EXISTS', 'That list already has this pattern', 409, { pattern });
    throw err;
  }
}

export async function listProofEntries(
  db: DbOrTx,
  q: { organisationId?: string | undefined; shared?: boolean | undefined },
): Promise<ProofEntryView[]> {
  let query = db.selectFrom('proof_entries').selectAll().orderBy('pattern');
  if (q.organisationId) query = query.where('organisation_id', '=', q.organisationId);
  else if (q.shared) query = query.where('organisation_id', 'is', null);
  return (await query.execute()).map(toView);
}

export async function createProofEntry(
  db: DbOrTx,
  actor: Actor,
  input: ProofEntryInput,
): Promise<ProofEntryView> {
  const exceptions = input.exceptions ?? [];
  checkExceptions(input.pattern, exceptions);
  if (input.suggestion === input.pattern)
    throw new AppError('PROOF_SUGGESTION_SAME', 'The suggestion equals the pattern', 422);
  if (input.organisationId) {
    const org = await db
      .selectFrom('organisations')
      .select('id')
      .where('id', '=', input.organisationId)
      .executeTakeFirst();
    if (!org) throw new AppError('ORGANISATION_NOT_FOUND', 'No such organisation', 422);
  }
  const r = await uniqueOrThrow(
    () =>
      db
        .insertInto('proof_entries')
        .values({
          organisation_id: input.organisationId ?? null,
          pattern: input.pattern,
          suggestion: input.suggestion ?? null,
          severity: input.severity,
          category: input.category,
          exceptions,
          note: input.note ?? null,
          created_by: actor.userId,
        })
        .returningAll()
        .executeTakeFirstOrThrow(),
    input.pattern,
  );
  await audit(db, actor, 'proof_entry.created', r);
  return toView(r);
}

async function entryRow(db: DbOrTx, id: string): Promise<Row> {
  const r = /^[0-9a-f-]{36}$/i.test(id)
    ? await db.selectFrom('proof_entries').selectAll().where('id', '=', id).executeTakeFirst()
    : undefined;
  if (!r) throw new AppError('PROOF_ENTRY_NOT_FOUND', 'No such proofreading entry', 404, { id });
  return r;
}

export async function updateProofEntry(
  db: DbOrTx,
  actor: Actor,
  id: string,
  patch: Partial<Omit<ProofEntryInput, 'organisationId'>>,
): Promise<ProofEntryView> {
  const before = await entryRow(db, id);
  const pattern = patch.pattern ?? before.pattern;
  checkExceptions(pattern, patch.exceptions ?? before.exceptions);
  const r = await uniqueOrThrow(
    () =>
      db
        .updateTable('proof_entries')
        .set({
          ...(patch.pattern !== undefined ? { pattern: patch.pattern } : {}),
          ...(patch.suggestion !== undefined ? { suggestion: patch.suggestion } : {}),
          ...(patch.severity !== undefined ? { severity: patch.severity } : {}),
          ...(patch.category !== undefined ? { category: patch.category } : {}),
          ...(patch.exceptions !== undefined ? { exceptions: patch.exceptions } : {}),
          ...(patch.note !== undefined ? { note: patch.note } : {}),
          updated_at: new Date(),
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow(),
    pattern,
  );
  await audit(db, actor, 'proof_entry.updated', r, {
    before: { pattern: before.pattern, suggestion: before.suggestion, severity: before.severity },
  });
  return toView(r);
}

export async function deleteProofEntry(db: DbOrTx, actor: Actor, id: string): Promise<void> {
  const r = await entryRow(db, id);
  await db.deleteFrom('proof_entries').where('id', '=', id).execute();
  await audit(db, actor, 'proof_entry.deleted', r);
}

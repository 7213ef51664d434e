import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { recordActorAudit } from '../audit/audit.repository.js';
import type { Db, DbOrTx } from '../db/database.js';
import { AppError } from '../errors.js';
import type { Actor } from '../identity/users.service.js';
import {
  type AccountDailyImportRow,
  type ArticleDailyImportRow,
  type ImportProblem,
  parseMetricsImport,
} from './import.parse.js';
import { dayOf } from './ingest.js';
import { writeMetrics } from './metrics.store.js';
import type { ImportKind } from './metrics.table.js';

/**
 * Manual figures (a baseline month from before the service, numbers from a platform console) from a
 * CSV or XLSX file: parsed and checked in full, previewed (what each row adds or changes), then applied
 * all at once in one transaction. An empty cell changes nothing.
 */

/** A preview may be applied for this long; after that the stored figures may have moved on. */
const PREVIEW_TTL_MS = 24 * 3_600_000;
/** Changes listed in a preview (the counts cover all rows). */
const PREVIEW_CHANGES = 200;

export interface ImportsContext {
  db: Db;
  now?: () => number;
  onChange?: (organisationId: string) => Promise<void>;
}

type ResolvedRow = (AccountDailyImportRow | ArticleDailyImportRow) & { accountId: string };

const ACCOUNT_FIGURES = ['followers', 'newFollowers', 'lostFollowers', 'reads', 'readers', 'shares'] as const;
const ARTICLE_FIGURES = ['reads', 'readers', 'shares', 'likes', 'comments', 'favourites'] as const;
const COLUMN: Record<string, string> = {
  followers: 'followers',
  newFollowers: 'new_followers',
  lostFollowers: 'lost_followers',
  reads: 'reads',
  readers: 'readers',
  shares: 'shares',
  likes: 'likes',
  comments: 'comments',
  favourites: 'favourites',
};

export interface ImportChange {
  row: number;
  account: string;
  date: string;
  articleId: string | null;
  action: 'insert' | 'update' | 'unchanged';
  /** Figure → [stored, imported], only the figures that change. */
  changes: Record<string, [number | null, number]>;
}

export interface ImportView {
  id: string;
  organisationId: string;
  filename: string;
  sha256: string;
  kind: ImportKind;
  status: 'previewed' | 'applied' | 'discarded';
  summary: {
    rows: number;
    inserted: number;
    updated: number;
    unchanged: number;
    from: string;
    to: string;
    accounts: string[];
    changes: ImportChange[];
  };
  createdAt: string;
  appliedAt: string | null;
  expiresAt: string;
}

function importView(r: {
  id: string;
  organisation_id: string;
  filename: string;
  sha256: string;
  kind: ImportKind;
  status: 'previewed' | 'applied' | 'discarded';
  summary: object;
  created_at: Date;
  applied_at: Date | null;
}): ImportView {
  return {
    id: r.id,
    organisationId: r.organisation_id,
    filename: r.filename,
    sha256: r.sha256,
    kind: r.kind,
    status: r.status,
    summary: r.summary as ImportView['summary'],
    createdAt: r.created_at.toISOString(),
    appliedAt: r.applied_at?.toISOString() ?? null,
    expiresAt: new Date(r.created_at.getTime() + PREVIEW_TTL_MS).toISOString(),
  };
}

const auditImport = (
  db: DbOrTx,
  actor: Actor,
  action: string,
  id: string,
  organisationId: string,
  details: object,
) =>
  recordActorAudit(db, actor, { action, targetType: 'metric_import', targetId: id, organisationId, details });

/** Parses, resolves the accounts (by name, AppID or Weibo uid) and stores a preview of the changes. */
export async function previewImport(
  ctx: ImportsContext,
  actor: Actor,
  organisationId: string,
  file: { filename: string; bytes: Buffer },
): Promise<ImportView> {
  const parsed = await parseMetricsImport(file.bytes, file.filename, {
    today: dayOf((ctx.now ?? Date.now)()),
  });
  const accounts = await ctx.db
    .selectFrom('accounts')
    .select(['id', 'name', 'external_id'])
    .where('organisation_id', '=', organisationId)
    .execute();
  const byKey = new Map<string, string>();
  for (const a of accounts) {
    byKey.set(a.external_id, a.id);
    byKey.set(a.name, a.id);
  }
  const problems: ImportProblem[] = [];
  const rows: ResolvedRow[] = [];
  for (const r of parsed.rows) {
    const accountId = byKey.get(r.account.trim());
    if (!accountId)
      problems.push({
        row: r.row,
        column: 'account',
        code: 'IMPORT_UNKNOWN_ACCOUNT',
        message: `第 ${r.row} 行“账号”：本单位没有名称、AppID 或微博 UID 为「${r.account}」的账号`,
      });
    else rows.push({ ...r, accountId });
  }
  if (problems.length > 0)
    throw new AppError(
      'IMPORT_INVALID',
      `${problems.length} rows name an unknown account; nothing was imported`,
      422,
      { problems: problems.slice(0, 100), more: Math.max(0, problems.length - 100) },
      `导入文件有 ${problems.length} 处错误，未导入任何数据：${problems[0]?.message}`,
    );

  const changes = await diff(ctx.db, parsed.kind, rows);
  const dates = rows.map((r) => r.date).sort();
  const summary: ImportView['summary'] = {
    rows: rows.length,
    inserted: changes.filter((c) => c.action === 'insert').length,
    updated: changes.filter((c) => c.action === 'update').length,
    unchanged: changes.filter((c) => c.action === 'unchanged').length,
    from: dates[0] as string,
    to: dates[dates.length - 1] as string,
    accounts: [...new Set(rows.map((r) => r.accountId))],
    changes: changes.filter((c) => c.action !== 'unchanged').slice(0, PREVIEW_CHANGES),
  };
  const sha256 = createHash('sha256').update(file.bytes).digest('hex');
  return ctx.db.transaction().execute(async (tx) => {
    const r = await tx
      .insertInto('metric_imports')
      .values({
        organisation_id: organisationId,
        filename: file.filename.slice(0, 255),
        sha256,
        kind: parsed.kind,
        rows: JSON.stringify(rows),
        summary: JSON.stringify(summary),
        created_by: actor.userId,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await auditImport(tx, actor, 'metrics.import_previewed', r.id, organisationId, {
      filename: r.filename,
      sha256,
      kind: parsed.kind,
      rows: summary.rows,
      inserted: summary.inserted,
      updated: summary.updated,
    });
    return importView(r);
  });
}

/** What each row would do to the stored figures (an empty cell changes nothing). */
async function diff(db: Db, kind: ImportKind, rows: ResolvedRow[]): Promise<ImportChange[]> {
  const figures = kind === 'account_daily' ? ACCOUNT_FIGURES : ARTICLE_FIGURES;
  const key = (accountId: string, date: string, articleId: string | null) =>
    `${accountId}|${date}|${articleId ?? ''}`;
  const stored = new Map<string, Record<string, number | null>>();
  const ids = rows.map((r) => r.accountId);
  const dates = rows.map((r) => r.date);
  if (kind === 'account_daily') {
    const r = await sql<Record<string, string | number | null>>`
      select d.* from metric_account_daily d
      join unnest(${ids}::uuid[], ${dates}::date[]) as k(account_id, date) using (account_id, date)`.execute(
      db,
    );
    for (const x of r.rows)
      stored.set(key(String(x.account_id), String(x.date), null), x as Record<string, number | null>);
  } else {
    const articles = rows.map((r) => (r as ArticleDailyImportRow).articleId);
    const r = await sql<Record<string, string | number | null>>`
      select d.* from metric_article_daily d
      join unnest(${ids}::uuid[], ${articles}::text[], ${dates}::date[]) as k(account_id, external_article_id, date)
        using (account_id, external_article_id, date)`.execute(db);
    for (const x of r.rows)
      stored.set(
        key(String(x.account_id), String(x.date), String(x.external_article_id)),
        x as Record<string, number | null>,
      );
  }
  return rows.map((r) => {
    const articleId = kind === 'article_daily' ? (r as ArticleDailyImportRow).articleId : null;
    const old = stored.get(key(r.accountId, r.date, articleId));
    const changes: Record<string, [number | null, number]> = {};
    for (const f of figures) {
      const value = (r as unknown as Record<string, number | null>)[f] ?? null;
      const before = old ? (old[COLUMN[f] as string] ?? null) : null;
      if (value !== null && value !== before) changes[f] = [before, value];
    }
    return {
      row: r.row,
      account: r.account,
      date: r.date,
      articleId,
      action: !old ? 'insert' : Object.keys(changes).length > 0 ? 'update' : 'unchanged',
      changes,
    };
  });
}

export async function getImport(
  ctx: ImportsContext,
  organisationId: string,
  id: string,
): Promise<ImportView> {
  const r = await ctx.db
    .selectFrom('metric_imports')
    .selectAll()
    .where('id', '=', id)
    .where('organisation_id', '=', organisationId)
    .executeTakeFirst();
  if (!r) throw new AppError('IMPORT_NOT_FOUND', 'No such import', 404);
  return importView(r);
}

/** Applies a previewed import: every row in one transaction, or none. */
export async function applyImport(
  ctx: ImportsContext,
  actor: Actor,
  organisationId: string,
  id: string,
): Promise<ImportView> {
  const now = (ctx.now ?? Date.now)();
  const view = await ctx.db.transaction().execute(async (tx) => {
    const r = await tx
      .selectFrom('metric_imports')
      .selectAll()
      .where('id', '=', id)
      .where('organisation_id', '=', organisationId)
      .forUpdate()
      .executeTakeFirst();
    if (!r) throw new AppError('IMPORT_NOT_FOUND', 'No such import', 404);
    if (r.status !== 'previewed')
      throw new AppError('IMPORT_NOT_PENDING', `This import is ${r.status}`, 409, { status: r.status });
    if (now - r.created_at.getTime() > PREVIEW_TTL_MS)
      throw new AppError('IMPORT_EXPIRED', 'The preview is older than 24 hours; upload the file again', 409);
    const rows = r.rows as ResolvedRow[];
    const byAccount = new Map<string, ResolvedRow[]>();
    for (const row of rows) byAccount.set(row.accountId, [...(byAccount.get(row.accountId) ?? []), row]);
    for (const [accountId, list] of byAccount) {
      if (r.kind === 'account_daily')
        await writeMetrics(tx, accountId, {
          accountDays: list as AccountDailyImportRow[],
          articleDays: [],
          source: 'import',
        });
      else
        await writeMetrics(tx, accountId, {
          accountDays: [],
          articleDays: (list as ArticleDailyImportRow[]).map((a) => ({
            ...a,
            externalArticleId: a.articleId,
          })),
          source: 'import',
        });
    }
    const applied = await tx
      .updateTable('metric_imports')
      .set({ status: 'applied', applied_at: new Date() })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const s = r.summary as ImportView['summary'];
    await auditImport(tx, actor, 'metrics.import_applied', id, organisationId, {
      filename: r.filename,
      sha256: r.sha256,
      rows: s.rows,
      inserted: s.inserted,
      updated: s.updated,
      from: s.from,
      to: s.to,
    });
    return importView(applied);
  });
  await ctx.onChange?.(organisationId);
  return view;
}

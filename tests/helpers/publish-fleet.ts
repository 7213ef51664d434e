/**
 * A publishing fleet in separate processes, for `bench:publish` and the fault scenario: the emulator
 * (its own process, over HTTP), worker processes (`bin/main.ts --role worker`, killable with SIGKILL),
 * real PostgreSQL (a fresh database) and Redis (a private prefix). Items are WeChat editions seeded
 * straight into `scheduled`, with their delayed jobs, across many accounts.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import { createLogger } from '../../core/logger.js';
import { uploadMedia } from '../../core/media/media.service.js';
import { keyringFromKeys } from '../../core/secrets/keyring.js';
import { putSecret } from '../../core/secrets/secrets.repository.js';
import { bullmqPublishQueue } from '../../workers/publish-queue.js';
import { closeQueues, createQueues } from '../../workers/queues.js';
import { jpeg } from './content.js';
import { clearPrefix, createMigratedDatabase } from './services.js';
import { type Spawned, spawnTs, waitForOutput } from './spawn.js';
import { testServiceUrls } from './urls.js';

const SECRET = 'fleet-secret-0123456789abcdef012';
const root = path.resolve(import.meta.dirname, '../..');

/** SCAN + DEL inside one Lua script: Redis runs it atomically, like FLUSHALL. */
const FLUSH_PREFIX_SCRIPT = `
local cursor, deleted = '0', 0
repeat
  local page = redis.call('SCAN', cursor, 'MATCH', ARGV[1], 'COUNT', 1000)
  cursor = page[1]
  for _, key in ipairs(page[2]) do deleted = deleted + redis.call('DEL', key) end
until cursor == '0'
return deleted`;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const progress = (text: string) => process.stderr.write(`[fleet] ${text}\n`);

export interface FleetOptions {
  editions: number;
  accounts: number;
  concurrency: number;
  latencyMs: number;
  /** How long after seeding the items fall due. */
  dueInMs: number;
  leaseSeconds: number;
  reconcileIntervalMs: number;
  /** Base of the publisher's retry backoff (PUBLISH_RETRY_BASE_MS); the service's default otherwise. */
  retryBaseMs?: number;
  /** Accounts alternate masssend (service) and freepublish (subscription) when true. */
  mixModes?: boolean;
}

/** What the emulator and the database say at the end of a run, item by item. */
export interface FleetOutcome {
  byStatus: Record<string, number>;
  /** Items the emulator published more than once. */
  duplicates: number;
  /** Items not published and not failed (still scheduled, publishing or unconfirmed). */
  lost: number;
  /** Published in our records but not on the platform, or failed here yet published there. */
  disagreements: string[];
  /** Failed items without a reason for the editor. */
  failedWithoutReason: number;
  /** Why items failed: error kind, platform code and the start of the editor's message → count. */
  failureReasons: Record<string, number>;
  /** The transitions of up to three failed items. */
  failedPaths: string[];
  /** Seconds from the due moment to each item's first attempt. */
  lateness: number[];
  attemptSeconds: number[];
  emulatorRequests: number;
}

export type Fleet = Awaited<ReturnType<typeof startFleet>>;

/**
 * A fleet process through `spawnTs` (`node --import tsx`, so the pid is the process whose memory we
 * measure), with its stderr and the error lines of its JSON log (stdout) passed on.
 */
function spawnFleetProcess(script: string, args: string[], env: Record<string, string | undefined>): Spawned {
  const name = path.basename(script);
  const s = spawnTs(path.join(root, script), args, { ...process.env, ...env });
  s.child.stderr?.on('data', (d) => process.stderr.write(`[${name}] ${d}`));
  s.child.stdout?.on('data', (d) => {
    for (const line of String(d).split('\n'))
      if (/"level":(50|60)/.test(line)) process.stderr.write(`[${name}] ${line}\n`);
  });
  void s.exited.then(({ code, signal }) => {
    if (code !== 0 && signal !== 'SIGTERM')
      process.stderr.write(`[${name}] exited (code ${code}, signal ${signal})\n`);
  });
  return s;
}

/** Peak resident memory of a process (VmHWM), in MB. */
export async function peakRssMb(pid: number | undefined): Promise<number> {
  if (!pid) return Number.NaN;
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN) / 1024;
}

export async function startFleet(o: FleetOptions) {
  const database = await createMigratedDatabase();
  const db = database.db;
  const dataDir = await mkdtemp(path.join(tmpdir(), 'yy-fleet-'));
  const prefix = `yyfleet${process.pid}${randomBytes(3).toString('hex')}`;
  const { redisUrl } = testServiceUrls();
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const queues = createQueues(redis, prefix, createLogger('silent'));
  const port = 20000 + Math.floor(Math.random() * 20000);
  const emulatorProcess = spawnFleetProcess('integrations/emulator/main.ts', [], {
    EMULATOR_PORT: String(port),
  });
  const emulator = emulatorProcess.child;
  const workers: ChildProcess[] = [];
  const emu = `http://127.0.0.1:${port}`;
  const emulatorPost = (p: string, body: unknown) =>
    fetch(`${emu}${p}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const emulatorGet = async <T>(p: string) => (await (await fetch(`${emu}${p}`)).json()) as T;

  let stopping = false;
  let unexpectedExits = 0;
  const deliberate = new Set<ChildProcess>();
  const stop = async () => {
    stopping = true;
    for (const w of workers) w.kill('SIGTERM');
    emulator.kill('SIGTERM');
    await sleep(1000);
    await closeQueues(queues);
    await clearPrefix(redis, prefix);
    await redis.quit();
    await database.drop().catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
  };

  try {
    await waitForOutput(emulatorProcess, /Platform emulator/, 60_000);
    const key = randomBytes(32).toString('base64');
    const keyring = keyringFromKeys(key, []);
    const org = await db
      .insertInto('organisations')
      .values({ slug: 'fleet', name: '压测机构' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const actor = {
      userId: null as unknown as string,
      role: 'editor' as const,
      origin: { ip: null, userAgent: null, requestId: null },
    };
    const cover = (
      await uploadMedia({ db, dataDir, maxBytes: 1 << 20 }, actor, org.id, {
        filename: 'cover.jpg',
        bytes: jpeg(120),
      })
    ).media;
    const accountIds: string[] = [];
    for (let a = 0; a < o.accounts; a++) {
      const appid = `wx_fleet_${a}`;
      const free = o.mixModes && a % 2 === 1;
      const kind = free ? 'subscription' : 'service';
      await emulatorPost('/_emulator/wechat/apps', { appid, secret: SECRET, kind, verified: true });
      const acc = await db
        .insertInto('accounts')
        .values({
          organisation_id: org.id,
          platform: 'wechat',
          name: appid,
          external_id: appid,
          wechat_kind: kind,
          verified: true,
          publish_mode: free ? 'freepublish' : 'masssend',
        } as never)
        .returning('id')
        .executeTakeFirstOrThrow();
      await putSecret(db, keyring, {
        ownerType: 'account',
        ownerId: acc.id,
        name: 'app_secret',
        value: SECRET,
      });
      accountIds.push(acc.id);
    }
    const due = new Date(Date.now() + o.dueInMs);
    const items: Array<{ id: string; title: string }> = [];
    for (let i = 0; i < o.editions; i++) {
      const title = `压测稿件${i}`;
      const row = await db
        .insertInto('contents')
        .values({
          organisation_id: org.id,
          account_id: accountIds[i % o.accounts] as string,
          kind: 'wechat_edition',
          status: 'scheduled',
          title,
          publish_at: due,
          scheduled_at: due,
          approved_revision: 1,
          created_by: null,
          updated_by: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const body = {
        kind: 'wechat_edition',
        articles: [
          {
            title,
            author: '压测',
            digest: null,
            contentHtml: `<p>第 ${i} 篇压测内容。</p>`,
            coverMediaId: cover.id,
            sourceUrl: null,
            original: false,
            comments: 'closed',
          },
        ],
      };
      await db
        .insertInto('content_revisions')
        .values({ content_id: row.id, revision: 1, body: JSON.stringify(body) })
        .execute();
      items.push({ id: row.id, title });
    }
    const publishQueue = bullmqPublishQueue(queues.publish);
    for (const item of items) await publishQueue.ensure(item.id, 1, due);
    await emulatorPost('/_emulator/faults', { latencyMs: o.latencyMs });
    const requestsBefore = (await emulatorGet<{ requests: number }>('/_emulator/stats')).requests;

    const workerEnv = {
      DATABASE_URL: database.url,
      REDIS_URL: redisUrl,
      REDIS_PREFIX: prefix,
      DATA_DIR: dataDir,
      APP_ENCRYPTION_KEY: key,
      WECHAT_API_BASE: emu,
      PUBLISH_CONCURRENCY: String(o.concurrency),
      PUBLISH_LEASE_SECONDS: String(o.leaseSeconds),
      RECONCILE_INTERVAL_MS: String(o.reconcileIntervalMs),
      AUTO_MIGRATE: 'false',
      LOG_LEVEL: 'warn',
      HEARTBEAT_INTERVAL_MS: '30000',
      ...(o.retryBaseMs ? { PUBLISH_RETRY_BASE_MS: String(o.retryBaseMs) } : {}),
    };

    /** Counts by status; null while the database does not answer (a restart). */
    const counts = async (): Promise<Record<string, number> | null> => {
      try {
        const rows = await db
          .selectFrom('contents')
          .select(['status', db.fn.countAll().as('n')])
          .groupBy('status')
          .execute();
        return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
      } catch {
        return null;
      }
    };

    return {
      due,
      items,
      redis,
      prefix,
      emulatorPost,
      workers,
      stop,
      /**
       * Starts a worker process. Like the compose file's `restart: unless-stopped`, a worker that
       * exits on its own (not killed here, not stopping) is reported and replaced.
       */
      async startWorker(): Promise<ChildProcess> {
        const profile = process.env.BENCH_CPU_PROFILE
          ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${process.env.BENCH_CPU_PROFILE}` }
          : {};
        const s = spawnFleetProcess('bin/main.ts', ['--role', 'worker'], { ...workerEnv, ...profile });
        const w = s.child;
        workers.push(w);
        void s.exited.then(({ code, signal }) => {
          if (stopping || deliberate.has(w)) return;
          progress(`worker ${w.pid} exited by itself (code ${code}, signal ${signal}); restarting it`);
          unexpectedExits++;
          void this.startWorker().catch((err) => progress(`restart failed: ${err}`));
        });
        await waitForOutput(s, /Yunying is running/, 60_000);
        return w;
      },
      /** SIGKILLs the newest worker, as a crash would. */
      killWorker(): void {
        const w = workers.at(-1);
        if (!w) return;
        deliberate.add(w);
        w.kill('SIGKILL');
      },
      /** Workers that exited on their own and were restarted. */
      unexpectedExits: () => unexpectedExits,
      counts,
      /** Publish jobs Redis holds (delayed, waiting or running). */
      async liveJobs(): Promise<number> {
        const c = await queues.publish.getJobCounts('delayed', 'waiting', 'active', 'prioritized');
        return Object.values(c).reduce((a, b) => a + b, 0);
      },
      /**
       * Deletes every Redis key of the fleet's queues in one atomic script, as FLUSHALL does to them
       * (a worker cannot restore a job between two batches of the deletion). Returns how many went.
       */
      flushRedis: async (): Promise<number> =>
        Number(await redis.eval(FLUSH_PREFIX_SCRIPT, 0, `${prefix}:*`)),
      /** Compares our records with the emulator's, item by item. */
      async outcome(): Promise<FleetOutcome> {
        const stats = await emulatorGet<{ requests: number }>('/_emulator/stats');
        const apps = await emulatorGet<Array<{ published: Array<{ titles: string[] }> }>>(
          '/_emulator/wechat/published',
        );
        const onPlatform = new Map<string, number>();
        for (const app of apps)
          for (const p of app.published)
            for (const t of p.titles) onPlatform.set(t, (onPlatform.get(t) ?? 0) + 1);
        const rows = await db
          .selectFrom('contents')
          .select(['id', 'title', 'status', 'last_error'])
          .where('organisation_id', '=', org.id)
          .execute();
        const byStatus: Record<string, number> = {};
        const disagreements: string[] = [];
        let failedWithoutReason = 0;
        const failureReasons: Record<string, number> = {};
        for (const r of rows) {
          byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
          const times = onPlatform.get(r.title) ?? 0;
          if (r.status === 'published' && times !== 1)
            disagreements.push(`${r.title}: published here, ${times}× on the platform`);
          if (r.status === 'failed' && times !== 0)
            disagreements.push(`${r.title}: failed here, ${times}× on the platform`);
          if (r.status !== 'failed') continue;
          if (!r.last_error?.editorMessage) failedWithoutReason++;
          const why = `${r.last_error?.kind ?? '?'} ${r.last_error?.code ?? ''}: ${r.last_error?.editorMessage?.slice(0, 40) ?? ''}`;
          failureReasons[why] = (failureReasons[why] ?? 0) + 1;
        }
        // The path of a few failed items, for the report: action (reason) → …
        const failedIds = rows.filter((r) => r.status === 'failed').map((r) => r.id);
        const failedPaths: string[] = [];
        for (const id of failedIds.slice(0, 3)) {
          const steps = await db
            .selectFrom('content_transitions')
            .select(['action', 'reason'])
            .where('content_id', '=', id)
            .orderBy('id')
            .execute();
          failedPaths.push(steps.map((t) => `${t.action}${t.reason ? ` (${t.reason})` : ''}`).join(' → '));
        }
        const firstStarts = await db
          .selectFrom('publish_attempts')
          .select(['content_id', db.fn.min('started_at').as('first')])
          .groupBy('content_id')
          .execute();
        const attempts = await db
          .selectFrom('publish_attempts')
          .select(sql<number>`extract(epoch from finished_at - started_at)`.as('s'))
          .where('finished_at', 'is not', null)
          .execute();
        return {
          byStatus,
          duplicates: [...onPlatform.values()].filter((n) => n > 1).length,
          lost: rows.filter((r) => r.status !== 'published' && r.status !== 'failed').length,
          disagreements,
          failedWithoutReason,
          failureReasons,
          failedPaths,
          lateness: firstStarts.map(
            (s) => (new Date(s.first as unknown as string).getTime() - due.getTime()) / 1000,
          ),
          attemptSeconds: attempts.map((a) => Number(a.s)),
          emulatorRequests: stats.requests - requestsBefore,
        };
      },
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

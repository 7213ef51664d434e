import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platformClientsFor } from '../../api/app.js';
import type { PublishQueue } from '../../core/publishing/publish-queue.js';
import {
  defaultWorkerId,
  type PublishEvent,
  type PublisherDeps,
  publishItem,
} from '../../core/publishing/publisher.js';
import { reconcile } from '../../core/publishing/reconciler.js';
import { type EmulatorApp, startEmulator } from '../../integrations/emulator/emulator.app.js';
import type { FaultKind } from '../../integrations/emulator/emulator.state.js';
import type { PlatformClient } from '../../integrations/platform.js';
import { JOBS } from '../../workers/jobs.js';
import { startWorkerPool, type WorkerPool } from '../../workers/main.js';
import { publishProcessor } from '../../workers/publish.worker.js';
import { bullmqPublishQueue } from '../../workers/publish-queue.js';
import { closeQueues, createQueues, type Queues } from '../../workers/queues.js';
import { article, jpeg, uploadImage } from '../helpers/content.js';
import {
  createTestUser,
  type IdentityHarness,
  identityHarness,
  type SignedIn,
  signIn,
} from '../helpers/identity.js';
import { clearPrefix, silentLogger } from '../helpers/services.js';

const SECRET = 'publishing-secret-0123456789abcd';

/**
 * Scheduled publishing end to end: API → Postgres → BullMQ delayed job → worker → emulator over
 * HTTP, with faults injected at the emulator. Every scenario ends with each item published exactly
 * once (the emulator's own record of what it published) or failed with a reason.
 */
describe('scheduled publishing: exactly once, with retries, unknown outcomes and recovery', () => {
  let emu: EmulatorApp & { url: string; close: () => Promise<void> };
  let h: IdentityHarness;
  let dataDir: string;
  let queues: Queues;
  let publishQueue: PublishQueue;
  let pool: WorkerPool;
  let editor: SignedIn;
  let freeId: string;
  let massId: string;
  let coverId: string;
  let deps: PublisherDeps;
  const events: PublishEvent[] = [];
  /** A worker pool for the publish queue only, on the harness's Redis prefix. */
  const startPublishPool = () =>
    startWorkerPool(
      { publish: JOBS.publish },
      { publish: publishProcessor(deps) },
      {
        connection: h.redis,
        prefix: h.config.redis.prefix,
        logger: silentLogger,
        concurrency: { publish: 4 },
      },
    );

  beforeAll(async () => {
    emu = await startEmulator();
    emu.state.addWechatApp({ appid: 'wx_pub_free', secret: SECRET, verified: true, kind: 'subscription' });
    emu.state.addWechatApp({ appid: 'wx_pub_mass', secret: SECRET, verified: true, kind: 'service' });
    dataDir = await mkdtemp(path.join(tmpdir(), 'yy-publishing-'));
    h = await identityHarness(
      { TOTP_REQUIRED_ROLES: 'none', DATA_DIR: dataDir, WECHAT_API_BASE: emu.url, WEIBO_API_BASE: emu.url },
      ({ redis, prefix }) => {
        queues = createQueues(redis, prefix, silentLogger);
        publishQueue = bullmqPublishQueue(queues.publish);
        return { publishQueue };
      },
    );
    const platforms = platformClientsFor(h.config, h.redis, h.db, h.keyring, null);
    deps = {
      db: h.db,
      dataDir,
      platformFor: platforms.platformFor,
      workerId: defaultWorkerId(),
      leaseMs: 1500,
      maxAttempts: 4,
      retryBaseMs: 40,
      weiboRip: '127.0.0.1',
      notify: async (e) => {
        events.push(e);
      },
    };
    pool = startPublishPool();
    const admin = await signIn(h.app, await createTestUser(h, 'superadmin'));
    const editorUser = await createTestUser(h, 'editor');
    editor = await signIn(h.app, editorUser);
    await h.app.inject({
      method: 'PUT',
      url: `/api/organisations/${h.orgId}/review-settings`,
      headers: admin.headers,
      payload: { reviewSteps: 1, allowSelfApproval: true, reviewerUserIds: [editorUser.id] },
    });
    const account = async (externalId: string, publishMode: string, wechatKind: string) => {
      const res = await h.app.inject({
        method: 'POST',
        url: '/api/accounts',
        headers: admin.headers,
        payload: {
          organisationId: h.orgId,
          platform: 'wechat',
          name: externalId,
          externalId,
          wechatKind,
          verified: true,
          publishMode,
          credentials: { app_secret: SECRET },
        },
      });
      expect(res.statusCode, res.body).toBe(201);
      return res.json().id as string;
    };
    freeId = await account('wx_pub_free', 'freepublish', 'subscription');
    massId = await account('wx_pub_mass', 'masssend', 'service');
    coverId = (await uploadImage(h.app, editor, h.orgId, jpeg(90), 'cover.jpg', 'image/jpeg')).json().id;
  }, 60_000);
  afterAll(async () => {
    await pool?.close(1000);
    if (queues) await closeQueues(queues);
    await h?.close();
    await emu?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const api = (method: string, url: string, payload?: object) =>
    h.app.inject({ method: method as 'POST', url, headers: editor.headers, ...(payload ? { payload } : {}) });
  let counter = 0;
  /** Creates, submits and approves an item for "as soon as possible"; returns its id and unique title. */
  const approvedAsap = async (accountId: string, overrides: Record<string, unknown> = {}) => {
    const title = `第${++counter}条 ${Date.now() % 100000}`;
    const created = await api('POST', '/api/contents', {
      accountId,
      body: { kind: 'wechat_edition', articles: [article({ title, coverMediaId: coverId, ...overrides })] },
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id as string;
    expect((await api('POST', `/api/contents/${id}/submit`, {})).statusCode).toBe(200);
    const approved = await api('POST', `/api/contents/${id}/review`, { decision: 'approved' });
    expect(approved.json().status, approved.body).toBe('scheduled');
    return { id, title };
  };
  const statusOf = async (id: string) =>
    await h.db.selectFrom('contents').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const waitFor = async (id: string, statuses: string[], ms = 15_000) => {
    const until = Date.now() + ms;
    for (;;) {
      const row = await statusOf(id);
      if (statuses.includes(row.status)) return row;
      if (Date.now() > until)
        throw new Error(`item ${id} still ${row.status} (last error ${JSON.stringify(row.last_error)})`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  /** The item's publish attempts, oldest first. */
  const attemptsOf = (id: string) =>
    h.db.selectFrom('publish_attempts').selectAll().where('content_id', '=', id).orderBy('id').execute();
  /** How many times the emulator published an edition with this title, across both apps. */
  const published = (title: string) =>
    ['wx_pub_free', 'wx_pub_mass']
      .flatMap((appid) => emu.state.wechat.get(appid)?.published ?? [])
      .filter((p) => p.titles.includes(title)).length;
  const fault = (kind: FaultKind, path: string, times = 1) => {
    for (let i = 0; i < times; i++) emu.state.knobs.queued.push({ kind, path });
  };

  it('publishes an approved edition once, recording every platform id, the attempt and the SLA', async () => {
    const { id, title } = await approvedAsap(freeId);
    const row = await waitFor(id, ['published']);
    expect(published(title)).toBe(1);
    expect(row.attempts).toBe(1);
    expect(row.progress).toMatchObject({ draftMediaId: expect.any(String), publishId: expect.any(String) });
    expect(row.published_urls.length).toBeGreaterThan(0);
    const view = (await api('GET', `/api/contents/${id}`)).json();
    expect(view.sla).toMatchObject({ outcome: 'met', publishedAt: expect.any(String) });
    const attempts = await attemptsOf(id);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ outcome: 'published', attempt: 1 });
    expect(attempts[0]?.steps.map((s) => s.step).join(' ')).toMatch(/封面已上传.*草稿已创建.*发布已提交/);
    const timeline = (await api('GET', `/api/contents/${id}/timeline`))
      .json()
      .items.map((t: { action: string }) => t.action);
    expect(timeline).toEqual(['submit', 'approve', 'schedule', 'start_publish', 'mark_published']);
    const publishing = (await api('GET', `/api/contents/${id}/publishing`)).json();
    expect(publishing).toMatchObject({
      status: 'published',
      attempts: 1,
      platformIds: { publishId: row.progress && (row.progress as { publishId: string }).publishId },
      lastError: null,
      lease: null,
      history: [{ attempt: 1, outcome: 'published', steps: expect.any(Array) }],
    });
  });

  it('a body image is uploaded once per account: the next edition reuses the remembered URL', async () => {
    const image = (await uploadImage(h.app, editor, h.orgId, jpeg(60), 'body.jpg', 'image/jpeg')).json().id;
    const contentHtml = `<p>正文</p><p><img src="/api/media/${image}/file"></p>`;
    const first = await approvedAsap(freeId, { contentHtml });
    const firstRow = await waitFor(first.id, ['published']);
    const imagesOf = (row: { progress: unknown }) =>
      (row.progress as { uploadedImages: Record<string, string> }).uploadedImages;
    const uploaded = Object.values(imagesOf(firstRow));
    expect(uploaded).toHaveLength(1);
    const refs = await h.db
      .selectFrom('media_platform_refs')
      .select(['kind', 'value'])
      .where('media_id', '=', image)
      .where('account_id', '=', freeId)
      .execute();
    expect(refs).toEqual([{ kind: 'body_url', value: uploaded[0] }]);
    expect((await attemptsOf(first.id))[0]?.steps.some((s) => s.step.startsWith('正文图片'))).toBe(true);

    const second = await approvedAsap(freeId, { contentHtml });
    const secondRow = await waitFor(second.id, ['published']);
    expect(imagesOf(secondRow)).toEqual(imagesOf(firstRow));
    expect((await attemptsOf(second.id))[0]?.steps.some((s) => s.step.startsWith('正文图片'))).toBe(false);
  });

  it('retries -1, HTTP 5xx and a revoked token, resuming after the last completed step; published once', async () => {
    fault('system_error', '/cgi-bin/draft/add');
    fault('http_5xx', '/cgi-bin/draft/add');
    fault('invalid_token_40001', '/cgi-bin/freepublish/submit');
    fault('system_error', '/cgi-bin/freepublish/submit');
    const { id, title } = await approvedAsap(freeId);
    const row = await waitFor(id, ['published']);
    expect(published(title)).toBe(1);
    expect(row.attempts).toBeGreaterThanOrEqual(3);
    const attempts = await attemptsOf(id);
    expect(attempts.at(-1)?.outcome).toBe('published');
    expect(attempts.slice(0, -1).every((a) => a.outcome === 'retry' && a.error_kind === 'transient')).toBe(
      true,
    );
    // The cover was uploaded once: later attempts resumed from the recorded media id.
    expect(attempts.slice(1).some((a) => a.steps.some((s) => s.step.startsWith('封面')))).toBe(false);
  });

  it('gives up after the configured attempts with the platform’s reason translated, and raises an alert', async () => {
    fault('http_5xx', '/cgi-bin/draft/add', 10);
    const { id } = await approvedAsap(freeId);
    const row = await waitFor(id, ['failed']);
    emu.state.knobs.queued.length = 0;
    expect(row.attempts).toBe(4);
    expect(row.last_error).toMatchObject({
      kind: 'transient',
      editorMessage: expect.stringMatching(/已重试 4 次仍未成功/),
    });
    // The alert: one publish_failed event for the item, carrying the translated reason.
    expect(events.filter((e) => e.contentId === id)).toEqual([
      expect.objectContaining({ kind: 'publish_failed', reason: row.last_error?.editorMessage }),
    ]);
  });

  it('45009 (daily API quota) fails at once with the Chinese reason, no retry', async () => {
    fault('quota_45009', '/cgi-bin/draft/add');
    const { id, title } = await approvedAsap(freeId);
    const row = await waitFor(id, ['failed']);
    expect(row.attempts).toBe(1);
    expect(row.last_error?.editorMessage).toMatch(/今日接口调用次数已用完/);
    expect(published(title)).toBe(0);
  });

  it('a lost answer to the mass send → unconfirmed; the reconciler settles it as published; never sent twice', async () => {
    fault('lost_response', '/cgi-bin/message/mass/sendall');
    const { id, title } = await approvedAsap(massId);
    const row = await waitFor(id, ['unconfirmed']);
    expect(row.last_error?.kind).toBe('unknown_outcome');
    expect(events.filter((e) => e.contentId === id).map((e) => e.kind)).toEqual(['publish_unconfirmed']);
    expect(published(title)).toBe(1);
    const report = await reconcile({ ...deps, queue: publishQueue });
    expect(report.published).toBeGreaterThanOrEqual(1);
    expect((await statusOf(id)).status).toBe('published');
    expect(published(title)).toBe(1);
  });

  it('a timeout on freepublish/submit → unconfirmed; the reconciler asks the platform and, finding nothing, fails it', async () => {
    fault('timeout', '/cgi-bin/freepublish/submit');
    const { id, title } = await approvedAsap(freeId);
    // The emulator never answers; the client gives up after its 15 s timeout: the outcome is unknown.
    const row = await waitFor(id, ['unconfirmed'], 40_000);
    expect(row.last_error?.kind).toBe('unknown_outcome');
    await reconcile({ ...deps, queue: publishQueue });
    const after = await statusOf(id);
    // Not in the account's published list: nothing was published. Failed with a reason, never re-sent.
    expect(after.status).toBe('failed');
    expect(after.last_error?.editorMessage).toMatch(/对账/);
    expect(published(title)).toBe(0);
  }, 60_000);

  it('a worker that dies mid-publish: the lease ends, the reconciler releases it, the next attempt resumes; published once', async () => {
    await pool.close(1000);
    const { id, title } = await approvedAsap(freeId);
    // A publisher that stops dead right after the draft is recorded, as a SIGKILL would.
    const dying: PublisherDeps = {
      ...deps,
      workerId: 'doomed-worker',
      platformFor: (a) => {
        const real = deps.platformFor(a);
        return {
          ...real,
          publishEdition: (acc, edition, progress, record, media) =>
            real.publishEdition(
              acc,
              edition,
              progress,
              async (p) => {
                await record(p);
                if (p.draftMediaId) throw new Error('killed');
              },
              media,
            ),
        } as PlatformClient;
      },
    };
    await expect(publishItem(dying, id, 1)).rejects.toThrow('killed');
    expect((await statusOf(id)).status).toBe('publishing');
    await new Promise((r) => setTimeout(r, deps.leaseMs + 100));
    const report = await reconcile({ ...deps, queue: publishQueue });
    expect(report.released).toBe(1);
    pool = startPublishPool();
    const row = await waitFor(id, ['published']);
    expect(published(title)).toBe(1);
    expect(row.attempts).toBe(2);
    const attempts = await attemptsOf(id);
    // The second attempt reused the draft: it only submitted.
    expect(attempts[1]?.steps.map((s) => s.step)).toEqual([expect.stringMatching(/^发布已提交/)]);
  });

  it('Redis flushed with items scheduled: the reconciler re-enqueues every due item; each published once', async () => {
    await pool.close(1000);
    const items = [];
    for (let i = 0; i < 12; i++) items.push(await approvedAsap(i % 2 ? freeId : massId));
    // Every key of the publish queue gone, as after FLUSHALL.
    await clearPrefix(h.redis, `${h.config.redis.prefix}:publish`);
    const counts = await queues.publish.getJobCounts('delayed', 'waiting', 'active');
    expect(counts).toMatchObject({ delayed: 0, waiting: 0, active: 0 });
    const report = await reconcile({ ...deps, queue: publishQueue });
    expect(report.enqueued).toBe(12);
    pool = startPublishPool();
    for (const item of items) await waitFor(item.id, ['published'], 30_000);
    for (const item of items) expect(published(item.title)).toBe(1);
    // A second reconcile finds nothing to do.
    expect((await reconcile({ ...deps, queue: publishQueue })).enqueued).toBe(0);
  }, 60_000);

  it('one publish at a time per account', async () => {
    const items = [];
    for (let i = 0; i < 5; i++) items.push(await approvedAsap(freeId));
    emu.state.knobs.latencyMs = 30;
    let overlapping = 0;
    const until = Date.now() + 20_000;
    while (Date.now() < until) {
      const n = await h.db
        .selectFrom('contents')
        .select(h.db.fn.countAll().as('n'))
        .where('account_id', '=', freeId)
        .where('status', '=', 'publishing')
        .executeTakeFirstOrThrow();
      overlapping = Math.max(overlapping, Number(n.n));
      const left = await h.db
        .selectFrom('contents')
        .select('id')
        .where(
          'id',
          'in',
          items.map((i) => i.id),
        )
        .where('status', '!=', 'published')
        .execute();
      if (left.length === 0) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    emu.state.knobs.latencyMs = 0;
    expect(overlapping).toBe(1);
    for (const item of items) expect(published(item.title)).toBe(1);
  }, 30_000);

  it('a cancelled item’s job is removed; an item edited after scheduling is not published', async () => {
    const later = new Date(Date.now() + 3600_000).toISOString();
    const created = await api('POST', '/api/contents', {
      accountId: freeId,
      body: { kind: 'wechat_edition', articles: [article({ title: '取消的稿件', coverMediaId: coverId })] },
      publishAt: later,
    });
    const id = created.json().id;
    await api('POST', `/api/contents/${id}/submit`, {});
    await api('POST', `/api/contents/${id}/review`, { decision: 'approved' });
    expect(await queues.publish.getJob(`publish-${id}-r1`)).toBeTruthy();
    await api('POST', `/api/contents/${id}/cancel`, { reason: '活动取消' });
    expect(await queues.publish.getJob(`publish-${id}-r1`)).toBeUndefined();
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisMetrics } from '../../core/observability/metrics.js';
import { closeQueues, createQueues, type Queues } from '../../workers/queues.js';
import {
  createTestUser,
  type IdentityHarness,
  identityHarness,
  type SignedIn,
  signIn,
} from '../helpers/identity.js';
import { silentLogger } from '../helpers/services.js';

describe('operations: Prometheus metrics and the queue board', () => {
  let h: IdentityHarness;
  let queues: Queues;
  let admin: SignedIn;
  let editor: SignedIn;

  beforeAll(async () => {
    h = await identityHarness({ TOTP_REQUIRED_ROLES: 'none' }, ({ redis, prefix }) => {
      queues = createQueues(redis, prefix, silentLogger);
      return { queues };
    });
    admin = await signIn(h.app, await createTestUser(h, 'superadmin'));
    editor = await signIn(h.app, await createTestUser(h, 'editor'));
  }, 60_000);
  afterAll(async () => {
    if (queues) await closeQueues(queues);
    await h?.close();
  });

  it('/metrics: queue depths, publish lateness, outcomes and repairs recorded by any process; allow-listed networks only', async () => {
    const metrics = redisMetrics(h.redis, h.config.redis.prefix);
    await metrics.lateness(3.2);
    await metrics.lateness(0.1);
    await metrics.outcome('published');
    await metrics.repair('enqueued', 4);
    await queues.publish.add(
      'publish',
      { contentId: 'x', revision: 1 },
      { jobId: 'publish-x-r1', delay: 60_000 },
    );
    const res = await h.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/plain/);
    expect(res.body).toContain('yunying_queue_jobs{queue="publish",state="delayed"} 1');
    expect(res.body).toContain('yunying_publish_lateness_seconds_bucket{le="0.5"} 1');
    expect(res.body).toContain('yunying_publish_lateness_seconds_bucket{le="5"} 2');
    expect(res.body).toContain('yunying_publish_lateness_seconds_count 2');
    expect(res.body).toContain('yunying_publish_outcomes_total{kind="published"} 1');
    expect(res.body).toContain('yunying_reconciler_repairs_total{kind="enqueued"} 4');
    expect(res.body).toContain('yunying_process_resident_memory_bytes');
    const outside = await h.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '203.0.113.9' });
    expect(outside.statusCode).toBe(403);
  });

  it('/admin/queues: the superadmin only', async () => {
    const board = await h.app.inject({ method: 'GET', url: '/admin/queues', headers: admin.headers });
    expect(board.statusCode).toBe(200);
    expect(board.headers['content-type']).toMatch(/text\/html/);
    const api = await h.app.inject({
      method: 'GET',
      url: '/admin/queues/api/queues',
      headers: admin.headers,
    });
    expect(api.statusCode).toBe(200);
    expect(api.body).toContain('publish');
    expect(
      (await h.app.inject({ method: 'GET', url: '/admin/queues', headers: editor.headers })).statusCode,
    ).toBe(403);
    expect((await h.app.inject({ method: 'GET', url: '/admin/queues/api/queues' })).statusCode).toBe(401);
  });
});

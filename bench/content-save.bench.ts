/**
 * `npm run bench:content-save` — save latency of a full 8-article WeChat edition (issue 5 target:
 * p99 < 50 ms). Each round is `PATCH /api/contents/:id` end to end through `app.inject()`: session
 * and CSRF check, schema validation, sanitising eight bodies, proofreading every field against the
 * starter dictionary and 2,000 organisation entries, checking media references, writing the
 * revision, the audit row and the response. Real PostgreSQL and Redis.
 *
 * Reference, measured in the same run and interleaved: the same route saving a one-article edition
 * with a one-line body (what the framework, auth and database cost without the content work).
 * BENCH_ROUNDS (default 300) after 30 warm-up rounds.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { buildApp } from '../api/app.js';
import { loadConfig } from '../core/config/config.js';
import { createLogger } from '../core/logger.js';
import { keyringFromKeys } from '../core/secrets/keyring.js';
import { article, png, uploadImage } from '../tests/helpers/content.js';
import { createTestUser, type IdentityHarness, signIn } from '../tests/helpers/identity.js';
import { clearPrefix, createMigratedDatabase } from '../tests/helpers/services.js';
import { testServiceUrls } from '../tests/helpers/urls.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 300);
const WARMUP = 30;

function summary(values: number[]) {
  const s = [...values].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? Number.NaN;
  return {
    p50: at(0.5),
    p10: at(0.1),
    p90: at(0.9),
    p99: at(0.99),
    min: s[0] ?? Number.NaN,
    max: s.at(-1) ?? Number.NaN,
  };
}
const fmt = (v: number) => v.toFixed(2).padStart(7);

/** A realistic article body of about 2,400 characters: styled sections, a quote, a table, two images. */
function body(imageUrl: string, n: number): string {
  const para =
    '今年以来，省体育彩票管理中心坚持国家公益彩票定位，持续推进责任彩票建设，体彩公益金在全民健身、青少年体育和社会公益事业中发挥了重要作用。';
  const section = (i: number) =>
    `<section style="margin-top:16px;line-height:1.75"><h2 style="font-size:17px;color:#c00000">${i}、工作进展</h2>` +
    `<p style="text-indent:2em;font-size:15px">${para}${para}</p>` +
    `<p style="text-indent:2em;font-size:15px"><strong>重点：</strong>${para}</p></section>`;
  return (
    `<section>${Array.from({ length: 5 }, (_, i) => section(i + 1)).join('')}` +
    `<blockquote style="border-left:3px solid #ccc;padding-left:10px">第 ${n} 篇：${para}</blockquote>` +
    `<p><img src="${imageUrl}" alt="配图" style="width:100%"></p>` +
    `<table><tr><th>项目</th><th>金额（万元）</th></tr><tr><td>全民健身</td><td>1200</td></tr><tr><td>青少年体育</td><td>800</td></tr></table>` +
    `<p><img src="${imageUrl}" alt="配图二"></p></section>`
  );
}

async function main(): Promise<void> {
  const database = await createMigratedDatabase();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'yy-bench-content-'));
  const prefix = `yybenchcontent${process.pid}`;
  const { redisUrl } = testServiceUrls();
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const config = loadConfig({
    DATABASE_URL: database.url,
    REDIS_URL: redisUrl,
    REDIS_PREFIX: prefix,
    DATA_DIR: dataDir,
    TOTP_REQUIRED_ROLES: 'none',
    RATE_LIMIT_PER_MINUTE: '1000000',
    LOG_LEVEL: 'silent',
  });
  const keyring = keyringFromKeys(randomBytes(32).toString('base64'), []);
  const app = await buildApp({ config, logger: createLogger('silent'), db: database.db, redis, keyring });
  try {
    const org = await database.db
      .insertInto('organisations')
      .values({ slug: 'bench', name: '省体彩中心' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const h = { app, db: database.db, redis, config, keyring, orgId: org.id } as unknown as IdentityHarness;
    const editor = await signIn(app, await createTestUser(h, 'editor'));
    const admin = await signIn(app, await createTestUser(h, 'superadmin'));
    const account = await app.inject({
      method: 'POST',
      url: '/api/accounts',
      headers: admin.headers,
      payload: {
        organisationId: org.id,
        platform: 'wechat',
        name: '体彩公众号',
        externalId: 'wx_bench',
        wechatKind: 'subscription',
        publishMode: 'masssend',
      },
    });
    const accountId = account.json().id;
    const image = (await uploadImage(app, editor, org.id, png('bench'))).json();
    // 2,000 organisation entries on top of the starter dictionary.
    await database.db
      .insertInto('proof_entries')
      .values(
        Array.from({ length: 2000 }, (_, i) => ({
          organisation_id: org.id,
          pattern: `规范表述${i}号`,
          suggestion: `标准表述${i}号`,
          severity: 'warn' as const,
          category: 'formulation' as const,
        })),
      )
      .execute();

    const full = (n: number) => ({
      kind: 'wechat_edition',
      articles: Array.from({ length: 8 }, (_, i) =>
        article({
          title: `第${i + 1}篇 体彩公益金报告`,
          contentHtml: body(image.url, n),
          coverMediaId: image.id,
        }),
      ),
    });
    const small = { kind: 'wechat_edition', articles: [article({ contentHtml: '<p>一句话。</p>' })] };
    const create = async (b: unknown) =>
      (
        await app.inject({
          method: 'POST',
          url: '/api/contents',
          headers: editor.headers,
          payload: { accountId, body: b },
        })
      ).json();
    const big = await create(full(0));
    const tiny = await create(small);
    const htmlChars = full(0).articles.reduce((sum, a) => sum + a.contentHtml.length, 0);

    const save = async (id: string, b: unknown) => {
      const t = performance.now();
      const res = await app.inject({
        method: 'PATCH',
        url: `/api/contents/${id}`,
        headers: editor.headers,
        payload: { body: b },
      });
      const elapsed = performance.now() - t;
      if (res.statusCode !== 200) throw new Error(`save failed: ${res.statusCode} ${res.body}`);
      return elapsed;
    };
    const edition: number[] = [];
    const reference: number[] = [];
    for (let i = 0; i < WARMUP + ROUNDS; i++) {
      const a = await save(big.id, full(i));
      const b = await save(tiny.id, small);
      if (i >= WARMUP) {
        edition.push(a);
        reference.push(b);
      }
    }
    const e = summary(edition);
    const r = summary(reference);
    const lines = [
      `content save: ${ROUNDS} rounds after ${WARMUP} warm-up, interleaved (ms)`,
      `  edition: 8 articles, ${htmlChars} characters of HTML, 16 library images, 2000 + starter proofreading entries`,
      '                      p50     p10     p90     p99     min     max',
      `  8-article save  ${fmt(e.p50)} ${fmt(e.p10)} ${fmt(e.p90)} ${fmt(e.p99)} ${fmt(e.min)} ${fmt(e.max)}`,
      `  1-line save     ${fmt(r.p50)} ${fmt(r.p10)} ${fmt(r.p90)} ${fmt(r.p99)} ${fmt(r.min)} ${fmt(r.max)}`,
      `  ratio p50 ${(e.p50 / r.p50).toFixed(2)}, p99 ${(e.p99 / r.p99).toFixed(2)} (8-article / 1-line)`,
      `  target p99 < 50 ms: ${e.p99 < 50 ? 'met' : 'NOT met'}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await app.close();
    await clearPrefix(redis, prefix);
    await redis.quit();
    await database.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();

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
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { article, png, uploadImage } from '../tests/helpers/content.js';
import { createTestUser, identityHarness, signIn } from '../tests/helpers/identity.js';
import { summary } from './stats.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 300);
const WARMUP = 30;

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
  const dataDir = await mkdtemp(path.join(tmpdir(), 'yy-bench-content-'));
  const h = await identityHarness({
    DATA_DIR: dataDir,
    TOTP_REQUIRED_ROLES: 'none',
    RATE_LIMIT_PER_MINUTE: '1000000',
  });
  const { app, db } = h;
  try {
    const editor = await signIn(app, await createTestUser(h, 'editor'));
    const admin = await signIn(app, await createTestUser(h, 'superadmin'));
    const account = await app.inject({
      method: 'POST',
      url: '/api/accounts',
      headers: admin.headers,
      payload: {
        organisationId: h.orgId,
        platform: 'wechat',
        name: '体彩公众号',
        externalId: 'wx_bench',
        wechatKind: 'subscription',
        publishMode: 'masssend',
      },
    });
    const accountId = account.json().id;
    const image = (await uploadImage(app, editor, h.orgId, png('bench'))).json();
    // 2,000 organisation entries on top of the starter dictionary.
    await db
      .insertInto('proof_entries')
      .values(
        Array.from({ length: 2000 }, (_, i) => ({
          organisation_id: h.orgId,
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
    await h.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();

import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, eachDay } from '../../core/calendar/days.js';
import { hashPassword } from '../../core/identity/passwords.js';
import { insertUser } from '../../core/identity/users.repository.js';
import { writeMetrics } from '../../core/metrics/metrics.store.js';
import {
  keyboardCheck,
  launchChromium,
  pageProblems,
  ready,
  screenshot,
  serve,
  signInThroughForm,
  submitLoginForm,
} from '../helpers/browser.js';
import { createTestUser, goodPassword, type IdentityHarness, identityHarness } from '../helpers/identity.js';
import { insertWechatAccount } from '../helpers/services.js';

/**
 * The client portal in real headless Chromium: sign in through the login page, open the dashboard
 * (charts drawn, tables present, no console or page errors, every control reachable with Tab), approve
 * an item in the inbox, a first login through /portal/setup, and the edge cases (an organisation with no
 * data and no targets, a one-point chart, very long Chinese titles). Screenshots go to test-artifacts/portal/.
 */

// Functions passed to page.evaluate run in the browser. The project compiles without the DOM library (adding
// it would change the types of the Node code), so the few browser globals they use are declared here.
declare const document: any;
declare const location: any;
declare const getComputedStyle: (e: any) => any;

const ARTIFACTS = path.resolve('test-artifacts', 'portal');
const LONG_CAMPAIGN = `关于进一步做好体育彩票公益金使用管理和信息公开工作的主题宣传活动${'暨全民健身与青少年体育发展专项行动'.repeat(6)}`;
const LONG_CONTENT = `体彩公益金助力全民健身：${'省体彩中心联合各市县开展“公益体彩 快乐操场”系列活动'.repeat(5)}`;

const today = new Date().toISOString().slice(0, 10);
const yesterday = addDays(today, -1);
const FOLLOWERS_NOW = 118_400;

async function seedOrganisation(h: IdentityHarness) {
  const main = await insertWechatAccount(h.db, h.orgId, '省体彩中心服务号');
  const second = await insertWechatAccount(h.db, h.orgId, '体彩开奖资讯');
  const days = eachDay(addDays(yesterday, -209), yesterday);
  for (const [accountId, scale] of [
    [main, 1],
    [second, 0.25],
  ] as const) {
    await writeMetrics(h.db, accountId, {
      accountDays: days.map((date, i) => ({
        date,
        followers: Math.round((FOLLOWERS_NOW - (days.length - 1 - i) * 40) * scale),
        newFollowers: Math.round(60 * scale),
        lostFollowers: Math.round(20 * scale),
        reads: Math.round((4000 + i * 8 + (i % 7) * 150) * scale),
        readers: Math.round(3000 * scale),
        shares: Math.round(40 * scale),
      })),
      // Three articles per account over the last week; the main account's long title leads.
      articleDays: [0, 1, 2].flatMap((n) =>
        eachDay(addDays(yesterday, -6), yesterday).map((date) => ({
          externalArticleId: `art-${n}`,
          date,
          title:
            n === 0 && scale === 1
              ? LONG_CONTENT
              : `第 ${n + 1} 篇推文（${scale === 1 ? '服务号' : '资讯'}）`,
          reads: Math.round((3000 - n * 1000) * scale),
          shares: 10,
          likes: 5,
        })),
      ),
    });
  }
  const contract = { contract_start: addDays(today, -400), contract_end: addDays(today, 330) };
  const target = (metric: string, name: string, milestones: object[], baseline: object | null = null) => ({
    organisation_id: h.orgId,
    account_id: null,
    metric,
    name,
    milestones: JSON.stringify(milestones),
    baseline: baseline ? JSON.stringify(baseline) : null,
    ...contract,
  });
  await h.db
    .insertInto('kpi_targets')
    .values([
      target('followers_total', '粉丝总数（合同目标）', [
        { date: addDays(today, 60), kind: 'absolute', value: 150_000 },
        { date: addDays(today, 330), kind: 'absolute', value: 180_000 },
      ]),
      target(
        'weekly_average_reads',
        '周均阅读量较 2021 年 11 月基线增长',
        [
          { date: addDays(today, 30), kind: 'percent', value: 10 },
          { date: addDays(today, 330), kind: 'percent', value: 20 },
        ],
        { kind: 'value', value: 30_000 },
      ),
      target(
        'monthly_original_articles',
        `每月原创文章${'（含深度报道、专题策划与原创海报设计）'.repeat(4)}`,
        [{ date: addDays(today, 330), kind: 'absolute', value: 2 }],
      ),
      target('sla_compliance_rate', '发布时效达标率', [
        { date: addDays(today, 330), kind: 'absolute', value: 95 },
      ]),
    ] as never)
    .execute();
  await h.db
    .insertInto('campaigns')
    .values({
      organisation_id: h.orgId,
      type: 'theme',
      name: LONG_CAMPAIGN,
      starts_on: addDays(today, -40),
      ends_on: addDays(today, -30),
      goals: JSON.stringify([{ metric: 'net_followers', target: 300 }]),
    } as never)
    .execute();
  const content = await h.db
    .insertInto('contents')
    .values({
      organisation_id: h.orgId,
      account_id: main,
      kind: 'weibo_post',
      status: 'in_review',
      title: LONG_CONTENT,
      publish_at: null,
      scheduled_at: null,
      approved_revision: null,
      created_by: null,
      updated_by: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await h.db
    .insertInto('content_revisions')
    .values({
      content_id: content.id,
      revision: 1,
      body: JSON.stringify({ kind: 'weibo_post', text: LONG_CONTENT, pictureMediaId: null }),
      findings: '[]',
      created_by: null,
    })
    .execute();
  return { contentId: content.id };
}

async function canvasInk(page: Page, selector: string) {
  return page.$eval(selector, (c) => {
    const canvas = c as any;
    const ctx = canvas.getContext('2d');
    if (!ctx) return { dataUrl: 0, inked: 0, width: 0 };
    const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
    let inked = 0;
    for (let i = 3; i < data.length; i += 4) if ((data[i] as number) > 0) inked++;
    return { dataUrl: canvas.toDataURL().length, inked, width: canvas.width };
  });
}

describe('client portal in headless Chromium', () => {
  let h: IdentityHarness;
  let browser: Browser;
  let base: string;
  let contentId: string;
  let approver: { username: string; password: string };
  const { problems, watch, forgive } = pageProblems();
  const login = (page: Page, user: { username: string; password: string }) =>
    signInThroughForm(page, base, 'portal', user);
  /** A watched page at the desktop size every test uses. */
  const newPage = async (from: Browser | BrowserContext = browser) => {
    const page = watch(await from.newPage());
    await page.setViewport({ width: 1280, height: 900 });
    return page;
  };

  beforeAll(async () => {
    browser = await launchChromium('portal');
    await mkdir(ARTIFACTS, { recursive: true });
    h = await identityHarness({ TOTP_REQUIRED_ROLES: 'none', RATE_LIMIT_PER_MINUTE: '100000' });
    ({ contentId } = await seedOrganisation(h));
    approver = await createTestUser(h, 'client_approver');
    base = await serve(h.app);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('sends a signed-out visitor to the login page, then shows the dashboard with charts and tables', async () => {
    const page = await newPage();
    await page.goto(`${base}/portal`);
    await page.waitForFunction(() => location.pathname === '/portal/login');
    expect(new URL(page.url()).searchParams.get('next')).toBe('/portal');
    // That redirect came from the session call's 401, which Chromium reports as a failed resource.
    problems.length = 0;

    await submitLoginForm(page, approver);
    expect(new URL(page.url()).pathname).toBe('/portal');
    await ready(page);

    // A second, timed load of the signed-in dashboard (assets cached, as for a returning client).
    const started = Date.now();
    await page.goto(`${base}/portal`);
    await ready(page);
    const wallMs = Date.now() - started;
    const renderMs = Number(await page.$eval('body', (b) => b.dataset.renderMs));
    await writeFile(path.join(ARTIFACTS, 'timing.json'), JSON.stringify({ wallMs, renderMs }, null, 2));
    console.warn(`portal dashboard: ${wallMs} ms navigation to rendered (${renderMs} ms in the page script)`);

    for (const id of ['#followers-chart', '#reads-chart']) {
      const ink = await canvasInk(page, id);
      expect(ink.width, id).toBeGreaterThan(100);
      expect(ink.inked, id).toBeGreaterThan(2000);
      expect(ink.dataUrl, id).toBeGreaterThan(5000);
    }
    const cards = await page.$$eval('#kpi-cards .card', (c) => c.map((e) => e.textContent ?? ''));
    expect(cards).toHaveLength(4);
    // Each card names its status in words, not only in colour.
    for (const text of cards) expect(text).toMatch(/进度正常|存在风险|落后于目标/);
    // Both accounts together: 118,400 + 29,600.
    expect(cards.join()).toContain('148,000');
    expect(cards.join()).toContain('150,000');
    expect(await page.$eval('#reads-note', (e) => e.textContent)).toContain('33,000');
    const followerRows = await page.$$eval('#followers-table tbody tr', (r) => r.length);
    expect(followerRows).toBeGreaterThan(20);
    expect(await page.$$eval('#reads-table tbody tr', (r) => r.length)).toBeGreaterThan(20);
    expect(await page.$eval('#quotas', (e) => e.textContent)).toMatch(/已完成 \d+ \/ 要求 2/);
    expect(await page.$eval('#sla', (e) => e.textContent)).toContain('目标 95%');
    expect(await page.$eval('#reports', (e) => e.textContent)).toContain('暂无报告');
    // Top articles: the range's reads per article, most-read first, across both accounts.
    const top = await page.$$eval('#top-articles tbody tr', (rows) =>
      rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent ?? '')),
    );
    expect(top).toHaveLength(6);
    expect(top[0]?.slice(0, 3)).toEqual(['1', LONG_CONTENT, '省体彩中心服务号']);
    expect(top[0]?.[4]).toBe('21,000');
    expect(top[1]?.slice(1, 3)).toEqual(['第 2 篇推文（服务号）', '省体彩中心服务号']);
    const options = await page.$$eval('#account option', (o) => o.map((e) => e.textContent));
    expect(options).toEqual(['全部账号', '体彩开奖资讯（微信）', '省体彩中心服务号（微信）']);

    // A very long campaign name is cut with an ellipsis and kept whole in the title attribute.
    const clip = await page.$eval('#campaigns .clip', (e) => ({
      title: e.getAttribute('title'),
      overflow: getComputedStyle(e).textOverflow,
      cut: e.scrollWidth > e.clientWidth,
    }));
    expect(clip).toEqual({ title: LONG_CAMPAIGN, overflow: 'ellipsis', cut: true });
    const wide = await page.evaluate(() =>
      [...document.querySelectorAll('body *')]
        .filter((e) => e.getBoundingClientRect().right > 1280)
        .slice(0, 5)
        .map((e) => `${e.tagName}.${e.className}#${e.id} ${Math.round(e.getBoundingClientRect().right)}`),
    );
    expect(wide).toEqual([]);
    const pageWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(pageWidth).toBeLessThanOrEqual(1280);

    // Tables open with the keyboard too; then a full-page screenshot with them open.
    await page.$$eval('details', (d) => {
      for (const e of d) (e as any).open = true;
    });
    await screenshot(page, 'portal', 'dashboard');
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);

  it('reaches every link, button, input and select with Tab, with a visible focus ring', async () => {
    const page = await newPage();
    await login(page, approver);
    await keyboardCheck(page, 'dashboard', 9);
    await screenshot(page, 'portal', 'dashboard-focus');

    // The filters work from the keyboard: one day at day granularity is a one-point chart.
    await page.evaluate((d) => {
      (document.getElementById('from') as any).value = d;
      (document.getElementById('to') as any).value = d;
    }, yesterday);
    await page.select('#granularity', 'day');
    // Enter in a field submits the filter form (implicit submission).
    await page.focus('#account');
    await page.focus('#to');
    await page.keyboard.press('Enter');
    await page.waitForFunction((d) => location.search.includes(`to=${d}`), {}, yesterday);
    await ready(page);
    // The figures table has the one day; the milestones table below it still lists both milestones.
    const rows = await page.$$eval('#followers-table table', (t) => t.map((x) => x.tBodies[0]?.rows.length));
    expect(rows).toEqual([1, 2]);
    const ink = await canvasInk(page, '#followers-chart');
    expect(ink.inked).toBeGreaterThan(500);
    await screenshot(page, 'portal', 'dashboard-one-point');
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);

  it('switches the dashboard to English with the top-bar switch, and back to Chinese', async () => {
    const page = await newPage();
    await login(page, approver);
    expect(await page.$eval('#lang-switch', (e) => e.textContent)).toBe('English');
    await Promise.all([page.waitForNavigation(), page.click('#lang-switch')]);
    await ready(page);

    const cookie = (await page.cookies(`${base}/portal`)).find((c) => c.name === 'yy_lang');
    expect(cookie).toMatchObject({ value: 'en', path: '/portal', sameSite: 'Lax' });
    expect((cookie?.expires ?? 0) * 1000 - Date.now()).toBeGreaterThan(360 * 86_400_000);
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    expect(await page.$eval('h1', (e) => e.textContent)).toBe('Dashboard');
    const headings = await page.$$eval('main h2', (h) => h.map((e) => e.textContent));
    expect(headings).toEqual(
      expect.arrayContaining(['Contract targets', 'Followers and targets', 'Weekly reads and baseline']),
    );
    const cards = await page.$$eval('#kpi-cards .card', (c) => c.map((e) => e.textContent ?? ''));
    expect(cards).toHaveLength(4);
    for (const text of cards) expect(text).toMatch(/On track|At risk|Behind target/);
    expect(cards.join()).toContain('Current');
    expect(cards.join()).toContain('148,000');
    expect(await page.$eval('#kpi-summary', (e) => e.textContent)).toMatch(/^As of \d{4}-\d{2}-\d{2}: /);
    const captions = await page.$$eval('#followers-table caption, #reads-table caption', (c) =>
      c.map((e) => e.textContent),
    );
    expect(captions).toEqual([
      'Total followers (at the chosen granularity, by start of period)',
      'Contract milestones and forecast',
      'Weekly reads (by the Monday each week starts)',
    ]);
    expect(await page.$eval('#sla', (e) => e.textContent)).toContain('Target 95%');
    expect(await page.$eval('#reports', (e) => e.textContent)).toBe('No reports yet');
    expect(await page.$eval('#status', (e) => e.textContent)).toMatch(/^Showing \d{4}-\d{2}-\d{2} to /);
    // Account names are the client's own data and stay as they are; the platform is translated.
    const options = await page.$$eval('#account option', (o) => o.map((e) => e.textContent));
    expect(options).toEqual(['All accounts', '体彩开奖资讯 (WeChat)', '省体彩中心服务号 (WeChat)']);

    await keyboardCheck(page, 'dashboard-en', 10);
    expect(await page.$eval('#lang-switch', (e) => e.dataset.kb)).toBeDefined();
    await page.$$eval('details', (d) => {
      for (const e of d) (e as any).open = true;
    });
    await screenshot(page, 'portal', 'dashboard-en');
    expect(problems).toEqual([]);

    expect(await page.$eval('#lang-switch', (e) => e.textContent)).toBe('中文');
    await Promise.all([page.waitForNavigation(), page.click('#lang-switch')]);
    await ready(page);
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
    expect(await page.$eval('h1', (e) => e.textContent)).toBe('数据看板');
    expect(await page.$eval('#kpi-summary', (e) => e.textContent)).toMatch(/^截至 /);
    expect((await page.cookies(`${base}/portal`)).find((c) => c.name === 'yy_lang')?.value).toBe('zh-CN');
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);

  it('approves the pending item through the inbox', async () => {
    const page = await newPage();
    await login(page, approver);
    await Promise.all([page.waitForNavigation(), page.click('a[data-nav="inbox"]')]);
    await ready(page);
    const titles = await page.$$eval('.inbox-item h2 .clip', (e) => e.map((x) => x.getAttribute('title')));
    expect(titles).toEqual([LONG_CONTENT]);
    const preview = await page.$eval('.inbox-item a', (a) => a.getAttribute('href'));
    expect(preview).toBe(`/portal/api/contents/${contentId}/preview`);
    const previewStatus = await page.evaluate(async (u) => (await fetch(u)).status, preview as string);
    expect(previewStatus).toBe(200);

    await keyboardCheck(page, 'inbox');
    await screenshot(page, 'portal', 'inbox');

    // Reject needs a reason: opening the form and sending it empty keeps the item.
    await page.click('button[data-action="reject"]');
    await page.click('.reject button[type="submit"]');
    expect(await page.$eval('.reject textarea', (t) => (t as any).validity.valueMissing)).toBe(true);
    expect(await page.$$eval('.inbox-item', (e) => e.length)).toBe(1);
    await page.click('.reject button[type="button"]');

    await page.focus('button[data-action="approve"]');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.getElementById('status')?.textContent?.startsWith('已通过'));
    expect(await page.$eval('#inbox', (e) => e.textContent)).toContain('暂无待审内容');
    const row = await h.db
      .selectFrom('contents')
      .select(['status', 'approved_revision'])
      .where('id', '=', contentId)
      .executeTakeFirstOrThrow();
    expect(row.approved_revision).toBe(1);
    expect(['approved', 'scheduled']).toContain(row.status);
    await screenshot(page, 'portal', 'inbox-approved');
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);

  it('an organisation with no data and no targets gets empty states, not errors', async () => {
    const org = await h.db
      .insertInto('organisations')
      .values({ slug: `empty-${Date.now()}`, name: '市政府' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const password = goodPassword();
    const viewer = await insertUser(h.db, {
      username: `viewer${Date.now()}`,
      displayName: '市政府客户',
      role: 'client_viewer',
      organisationId: org.id,
      passwordHash: await hashPassword(password),
      mustChangePassword: false,
    });
    const page = await newPage();
    await login(page, { username: viewer.username, password });
    const text = await page.$eval('main', (m) => m.textContent ?? '');
    expect(text).toContain('尚未设置合同目标');
    expect(text).toContain('尚未设置内容配额目标');
    expect(text).toContain('尚未设置发布时效（SLA）目标');
    expect(text).toContain('所选范围内暂无营销活动');
    expect(text).toContain('暂无报告');
    expect(await page.$eval('#followers-empty', (e) => (e as any).hidden)).toBe(false);
    // A viewer may not review: no inbox link.
    expect(await page.$eval('a[data-nav="inbox"]', (e) => (e as any).hidden)).toBe(true);
    await screenshot(page, 'portal', 'dashboard-empty');
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);

  it('a first login sets a new password on /portal/setup, with the broken rules named, then goes on', async () => {
    const client = await createTestUser(h, 'client_viewer', { mustChangePassword: true });
    // Cookies of its own: the other tests' sessions live in the default context.
    const context = await browser.createBrowserContext();
    const page = await newPage(context);
    await page.goto(`${base}/portal/inbox`);
    await page.waitForFunction(() => location.pathname === '/portal/login');
    // The redirect came from the session call's 401, which Chromium reports as a failed resource.
    problems.length = 0;
    await submitLoginForm(page, client);
    const url = new URL(page.url());
    expect(url.pathname).toBe('/portal/setup');
    expect(url.searchParams.get('next')).toBe('/portal/inbox');
    await ready(page);
    // Any other portal page sends an unfinished session back here.
    await page.goto(`${base}/portal`);
    await page.waitForFunction(() => location.pathname === '/portal/setup');
    await ready(page);
    await keyboardCheck(page, 'setup');
    await screenshot(page, 'portal', 'setup');

    // A password the policy refuses: each broken rule is marked in the list and named in the alert.
    await page.type('#current-password', client.password);
    await page.type('#new-password', 'mvqtrlpz');
    await page.type('#confirm-password', 'mvqtrlpz');
    await page.click('#password-form button[type="submit"]');
    await page.waitForSelector('#password-error:not([hidden])');
    const broken = await page.$$eval('#password-rules li.broken', (li) => li.map((e) => e.dataset.rule));
    expect(broken).toEqual([
      'PASSWORD_TOO_SHORT',
      'PASSWORD_NEEDS_UPPERCASE',
      'PASSWORD_NEEDS_DIGIT',
      'PASSWORD_NEEDS_SYMBOL',
    ]);
    const alert = await page.$eval('#password-error', (e) => e.textContent);
    expect(alert).toContain('密码至少 12 个字符 [PASSWORD_TOO_SHORT]');
    expect(await page.$eval('#new-password', (e) => e.getAttribute('aria-invalid'))).toBe('true');
    await screenshot(page, 'portal', 'setup-refused');
    // Chromium logs the refused request (422) as a failed resource.
    forgive(/status of 422/);

    const fresh = goodPassword();
    await page.$$eval('#password-form input', (inputs) => {
      for (const i of inputs) (i as any).value = '';
    });
    await page.type('#current-password', client.password);
    await page.type('#new-password', fresh);
    await page.type('#confirm-password', fresh);
    await Promise.all([page.waitForNavigation(), page.click('#password-form button[type="submit"]')]);
    expect(new URL(page.url()).pathname).toBe('/portal');
    await ready(page);
    const row = await h.db
      .selectFrom('users')
      .select(['must_change_password'])
      .where('id', '=', client.id)
      .executeTakeFirstOrThrow();
    expect(row.must_change_password).toBe(false);

    // Signed out and in again with the new password: straight to the dashboard.
    await Promise.all([page.waitForNavigation(), page.click('#logout')]);
    await login(page, { username: client.username, password: fresh });
    expect(new URL(page.url()).pathname).toBe('/portal');
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);

  it('serves the assets with content types and cache headers; pages carry the CSP', async () => {
    const page = await h.app.inject({ method: 'GET', url: '/portal' });
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    const src = /src="(\/portal\/assets\/portal-dashboard\.js\?v=[0-9a-f]+)"/.exec(page.body)?.[1] as string;
    const pinned = await h.app.inject({ method: 'GET', url: src });
    expect(pinned.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(pinned.headers['cache-control']).toContain('immutable');
    const bare = await h.app.inject({ method: 'GET', url: '/portal/assets/portal.css' });
    expect(bare.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(bare.headers['cache-control']).toBe('no-cache');
    const chart = await h.app.inject({ method: 'GET', url: '/portal/assets/chart.umd.js' });
    expect(chart.statusCode).toBe(200);
    // The pages are public shells; the data behind them is not.
    const anonymous = await h.app.inject({ method: 'GET', url: '/portal/api/accounts' });
    expect(anonymous.statusCode).toBe(401);
    for (const bad of ['..%2Fportal.css', '..%2F..%2Fpackage.json', 'nope.js'])
      expect((await h.app.inject({ method: 'GET', url: `/portal/assets/${bad}` })).statusCode).toBe(404);
  });
});

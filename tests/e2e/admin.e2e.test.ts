import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateReport } from '../../core/reports/reports.service.js';
import { findChromium } from '../../integrations/pdf/chromium.js';
import { PdfRenderer } from '../../integrations/pdf/pdf-renderer.js';
import {
  keyboardCheck,
  launchChromium,
  pageProblems,
  ready,
  screenshot,
  serve,
  signInThroughForm,
} from '../helpers/browser.js';
import { jpeg } from '../helpers/content.js';
import {
  createTestUser,
  goodPassword,
  type IdentityHarness,
  identityHarness,
  type TestUser,
  totpCode,
} from '../helpers/identity.js';
import { insertWechatAccount, tempDir } from '../helpers/services.js';

/**
 * The backend pages in real headless Chromium: sign in through /admin/login; a new user's first login
 * through /admin/setup (password, two-factor enrolment, recovery codes); an editor writes an edition,
 * a named reviewer approves it in the editor and the editor schedules it; failed and unconfirmed
 * publishing found from the content list and rescheduled; the management pages of each role, with an
 * edit and a delete. Throughout: no console or page errors, every control reachable with Tab and
 * visibly focused. Screenshots go to test-artifacts/admin/.
 */

// Functions passed to page.evaluate run in the browser; the project compiles without the DOM library.
declare const document: any;
declare const location: any;

const TITLE = '体彩公益金助力全民健身省体彩中心联合市县开展公益体彩快乐操场活动';
const ORG_NAME = '省体彩中心';

/** A day `days` from today in Beijing at `hh`:00, as a datetime-local value. */
function beijing(days: number, hh = 10): string {
  const d = new Date(Date.now() + 8 * 3600_000 + days * 86_400_000);
  return `${d.toISOString().slice(0, 10)}T${String(hh).padStart(2, '0')}:00`;
}
const instant = (local: string) => new Date(`${local}:00+08:00`);

async function setValue(page: Page, selector: string, value: string) {
  await page.$eval(
    selector,
    (e, v) => {
      (e as any).value = v;
    },
    value,
  );
}

/** Clears a field, then types `text` into it. */
async function retype(page: Page, selector: string, text: string) {
  await setValue(page, selector, '');
  await page.type(selector, text);
}

const isHidden = (page: Page, selector: string) => page.$eval(selector, (e) => (e as any).hidden as boolean);

/** Opens the detail panel of a management table's row with its 管理 button. */
async function openPanel(page: Page, rowName: string) {
  await page.click(`#list button[aria-label="管理：${rowName}"]`);
  await page.waitForSelector('#detail:not([hidden])');
}

/** Waits until the element's text contains `text`. */
const textIn = (page: Page, selector: string, text: string) =>
  page.waitForFunction(
    (s: string, t: string) => document.querySelector(s)?.textContent.includes(t),
    { timeout: 15_000 },
    selector,
    text,
  );

describe('backend pages in headless Chromium', () => {
  let h: IdentityHarness;
  let browser: Browser;
  let base: string;
  let accountId: string;
  let editor: TestUser;
  let superadmin: TestUser;
  let coverFile: string;
  let data: { dir: string; remove(): Promise<void> };
  let renderer: PdfRenderer;
  const { problems, watch, forgive } = pageProblems();
  const shot = (page: Page, name: string) => screenshot(page, 'admin', name);
  const login = (page: Page, user: { username: string; password: string }, otp?: string) =>
    signInThroughForm(page, base, 'admin', user, otp);

  /** A page with cookies of its own (each user signs in in a separate browser context). */
  async function freshPage(): Promise<Page> {
    const context = await browser.createBrowserContext();
    const page = watch(await context.newPage());
    await page.setViewport({ width: 1280, height: 900 });
    return page;
  }
  const closePage = (page: Page) => page.browserContext().close();

  /** Goes to a backend page and waits until it has rendered. */
  async function visit(page: Page, pathname: string) {
    await page.goto(`${base}${pathname}`);
    await ready(page);
  }

  /** A fresh page signed in as `user`, on the backend page `pathname`. */
  async function signedIn(user: { username: string; password: string }, pathname: string) {
    const page = await freshPage();
    await login(page, user);
    await visit(page, pathname);
    return page;
  }

  /** Content of the seeded account put straight into a publishing state, as the worker leaves it. */
  async function seedContent(
    title: string,
    status: 'scheduled' | 'failed' | 'unconfirmed',
    scheduledAt: Date,
    extra: Record<string, unknown> = {},
  ): Promise<string> {
    const row = await h.db
      .insertInto('contents')
      .values({
        organisation_id: h.orgId,
        account_id: accountId,
        kind: 'wechat_edition',
        status,
        title,
        publish_at: scheduledAt,
        scheduled_at: scheduledAt,
        approved_revision: 1,
        created_by: null,
        updated_by: null,
        ...extra,
      } as never)
      .returning('id')
      .executeTakeFirstOrThrow();
    await h.db
      .insertInto('content_revisions')
      .values({
        content_id: row.id,
        revision: 1,
        body: JSON.stringify({
          kind: 'wechat_edition',
          articles: [
            {
              title,
              author: null,
              digest: null,
              contentHtml: `<p>${title}</p>`,
              coverMediaId: null,
              sourceUrl: null,
              original: false,
              comments: 'open',
            },
          ],
        }),
        findings: '[]',
        created_by: null,
      })
      .execute();
    return row.id;
  }

  const statusOf = (id: string) =>
    h.db
      .selectFrom('contents')
      .select(['status', 'scheduled_at', 'approved_revision'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();

  beforeAll(async () => {
    browser = await launchChromium('backend');
    coverFile = path.resolve('test-artifacts', 'admin', 'cover.jpg');
    await mkdir(path.dirname(coverFile), { recursive: true });
    await writeFile(coverFile, jpeg(120));
    // Two-factor sign-in is required of security admins only, so the first-login test enrols one.
    // Reports are written under DATA_DIR; no queue worker runs here, so the test prints them itself.
    data = await tempDir('yunying-admin-e2e-');
    h = await identityHarness({
      TOTP_REQUIRED_ROLES: 'security_admin',
      RATE_LIMIT_PER_MINUTE: '100000',
      DATA_DIR: data.dir,
    });
    renderer = new PdfRenderer({
      executablePath: await findChromium(process.env.CHROMIUM_PATH ?? null, process.env.PATH ?? ''),
      poolSize: 1,
      pageTimeoutMs: 30_000,
    });
    accountId = await insertWechatAccount(h.db, h.orgId, '省体彩中心服务号');
    editor = await createTestUser(h, 'editor');
    superadmin = await createTestUser(h, 'superadmin');
    base = await serve(h.app);
  }, 120_000);

  afterAll(async () => {
    await renderer?.close();
    await browser?.close();
    await h?.close();
    await data?.remove();
  });

  it('serves its assets from self with the right type and cache headers', async () => {
    const page = await h.app.inject('/admin/login');
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).toContain("img-src 'self' data:");
    const src = page.body.match(/src="(\/admin\/assets\/admin-login\.js\?v=[0-9a-f]+)"/)?.[1];
    expect(src).toBeDefined();
    const js = await h.app.inject(src as string);
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toContain('immutable');
    expect((await h.app.inject('/admin/assets/admin-login.js')).headers['cache-control']).toBe('no-cache');
    expect((await h.app.inject('/admin/assets/..%2Fpages.ts')).statusCode).toBe(404);
    // The shared first-login module is served by both surfaces.
    for (const url of ['/admin/assets/password-change.js', '/portal/assets/password-change.js'])
      expect((await h.app.inject(url)).statusCode, url).toBe(200);
  });

  it('signs in, writes and submits an edition, and finds it in the list and the calendar', async () => {
    const page = await freshPage();
    await page.goto(`${base}/admin`);
    await page.waitForFunction(() => location.pathname === '/admin/login');
    // The redirect came from the session call's 401, which Chromium reports as a failed resource.
    problems.length = 0;
    await ready(page);
    await keyboardCheck(page, 'login');
    await shot(page, '01-login');
    await login(page, editor);
    expect(new URL(page.url()).pathname).toBe('/admin');
    await ready(page);

    // An editor sees the content and campaign sections, not users or the audit log.
    const nav = await page.$$eval('nav li:not([hidden]) a', (a) => a.map((e) => e.textContent));
    expect(nav).toEqual([
      '内容日历',
      '内容列表',
      '账号与凭据',
      '考核目标',
      '营销活动',
      '月度报告',
      '告警渠道',
      '客户单位',
    ]);

    await visit(page, '/admin/contents/new');
    await page.type('#title', TITLE);
    await page.type('#author', '省体彩中心');
    await page.type('#digest', '今年以来，体彩公益金持续支持全民健身设施建设。');
    await page.type('#body', '<p>安全生产要警钟常鸣，体彩公益金持续支持全民健身设施建设。</p>');
    await page.click('#original');
    const input = await page.$('#cover');
    await (input as any).uploadFile(coverFile);
    await textIn(page, '#cover-state', '已上传封面：');
    await setValue(page, '#publish-at', beijing(1));
    await page.click('#save');
    await page.waitForFunction(() => location.pathname.length > '/admin/contents/'.length + 30);
    await textIn(page, '#item-state', '草稿');
    const contentId = new URL(page.url()).pathname.split('/').pop() as string;
    // The proofreading finding sits under the body field, in words.
    const inline = await page.$eval('#body-findings', (e) => e.textContent);
    expect(inline).toContain('提醒');
    expect(inline).toContain('警钟长鸣');
    expect(await page.$eval('#body', (e) => e.getAttribute('aria-describedby'))).toBe('body-findings');
    await shot(page, '02-editor-draft');
    await keyboardCheck(page, 'editor');

    await page.click('#submit-review');
    await textIn(page, '#item-state', '审核中');
    expect(await page.$eval('#status', (e) => e.textContent)).toContain('提交审核：完成');
    expect(await isHidden(page, '#withdraw-box')).toBe(false);
    await shot(page, '03-editor-in-review');

    await visit(page, '/admin/contents');
    const row = await page.$$eval('#contents-table tbody tr', (rows) => rows.map((r) => r.textContent));
    expect(row).toHaveLength(1);
    expect(row[0]).toContain(TITLE);
    expect(row[0]).toContain('审核中');
    expect(await page.$eval('#contents-table tbody a', (a) => a.getAttribute('href'))).toBe(
      `/admin/contents/${contentId}`,
    );
    await shot(page, '04-list');
    await keyboardCheck(page, 'list');

    const day = beijing(1).slice(0, 10);
    for (const view of ['month', 'week']) {
      await visit(page, `/admin?view=${view}&date=${day}`);
      const cell = await page.$eval(`[data-day="${day}"]`, (e) => ({
        text: e.textContent,
        href: e.querySelector('a')?.getAttribute('href'),
        title: e.querySelector('a')?.getAttribute('title'),
      }));
      expect(cell.text, view).toContain('10:00');
      expect(cell.text, view).toContain('审核中');
      expect(cell.href, view).toBe(`/admin/contents/${contentId}`);
      expect(cell.title, view).toContain(TITLE);
      // A long title is clipped in its cell, never widening the page.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1280);
      await shot(page, `05-calendar-${view}`);
    }
    await keyboardCheck(page, 'calendar');

    // Cancel needs a reason; the item then offers no more actions.
    await visit(page, `/admin/contents/${contentId}`);
    await page.type('#cancel-reason', '活动延期，本期不发');
    await page.click('#cancel');
    await textIn(page, '#item-state', '已取消');
    expect(await page.$eval('#save', (e) => (e as any).disabled)).toBe(true);
    expect(await page.$$eval('#workflow > div:not([hidden]):not(#review-steps)', (d) => d.length)).toBe(0);
    expect(problems).toEqual([]);
    await closePage(page);
  }, 120_000);

  it('a new user signs in with the one-time password, sets a password and enrols two-factor sign-in', async () => {
    const temp = await createTestUser(h, 'editor', { username: 'linshi.wang' });
    // The superadmin creates the user; the one-time password is shown once.
    const admin = await signedIn(superadmin, '/admin/users');
    await admin.type('#f-username', 'anquan.li');
    await admin.type('#f-name', '李安全');
    await admin.select('#f-role', 'security_admin');
    await admin.click('#create-form button[type="submit"]');
    await textIn(admin, '#initial-password', '初始密码');
    const initial = ((await admin.$eval('#initial-password', (e) => e.textContent)) as string)
      .split('：')
      .pop();
    expect(initial).toMatch(/^\S{12,}$/);
    await shot(admin, '10-users-created');
    await closePage(admin);

    const page = await freshPage();
    await login(page, { username: 'anquan.li', password: initial as string });
    const url = new URL(page.url());
    expect(url.pathname).toBe('/admin/setup');
    expect(url.searchParams.get('next')).toBe('/admin');
    await ready(page);
    // Any other backend page sends an unfinished session back here.
    await page.goto(`${base}/admin/users`);
    await page.waitForFunction(() => location.pathname === '/admin/setup');
    await ready(page);
    expect(await isHidden(page, '#password-form')).toBe(false);
    expect(await page.$$eval('#password-rules li', (li) => li.length)).toBe(8);
    await keyboardCheck(page, 'setup password');
    await shot(page, '11-setup-password');

    const password = goodPassword();
    await page.type('#current-password', initial as string);
    await page.type('#new-password', password);
    await page.type('#confirm-password', `${password}x`);
    await page.click('#password-form button[type="submit"]');
    await textIn(page, '#password-error', '两次输入的新密码不一致');
    await retype(page, '#confirm-password', password);
    await page.click('#password-form button[type="submit"]');

    // Two-factor enrolment: the QR code (a data: image the CSP admits) and the secret as text.
    await page.waitForSelector('#totp-qr:not([hidden])');
    const qr = await page.$eval('#totp-qr', (e) => ({
      src: e.getAttribute('src').slice(0, 22),
      width: (e as any).naturalWidth,
    }));
    expect(qr.src).toBe('data:image/png;base64,');
    expect(qr.width).toBeGreaterThan(100);
    const secret = ((await page.$eval('#totp-secret', (e) => e.textContent)) as string).replace(/\s/g, '');
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    await keyboardCheck(page, 'setup two-factor');
    await shot(page, '12-setup-totp');

    // A wrong code is refused in words; then the right one, computed as an authenticator app would.
    await page.type('#totp-code', totpCode(secret, 10));
    await page.click('#totp-form button[type="submit"]');
    await textIn(page, '#totp-error', 'INVALID_OTP');
    forgive(/status of 401/);
    await retype(page, '#totp-code', totpCode(secret));
    await page.click('#totp-form button[type="submit"]');
    await page.waitForSelector('#codes-step:not([hidden])');
    const codes = await page.$$eval('#recovery-codes li', (li) => li.map((e) => e.textContent));
    expect(codes).toHaveLength(10);
    await keyboardCheck(page, 'setup recovery codes', 2);
    await shot(page, '13-setup-recovery-codes');
    await Promise.all([page.waitForNavigation(), page.click('#codes-saved')]);
    // On to /admin, which a security admin (no calendar) leaves for their first section.
    await page.waitForFunction(() => location.pathname === '/admin/users');
    await ready(page);

    const user = await h.db
      .selectFrom('users')
      .select(['id', 'must_change_password', 'totp_enabled_at'])
      .where('username', '=', 'anquan.li')
      .executeTakeFirstOrThrow();
    expect(user.must_change_password).toBe(false);
    expect(user.totp_enabled_at).not.toBeNull();
    const stored = await h.db
      .selectFrom('recovery_codes')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('user_id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(Number(stored.n)).toBe(10);

    // Signed out, the new password and a fresh code sign in at the full stage.
    await Promise.all([page.waitForNavigation(), page.click('#logout')]);
    await login(page, { username: 'anquan.li', password }, totpCode(secret, 1));
    await page.waitForFunction(() => location.pathname === '/admin/users');
    await ready(page);

    // The security admin grants roles (after a confirmation) but may not edit names or reset passwords.
    await openPanel(page, temp.username);
    const shown = await page.$$eval('#detail form:not([hidden]), #detail button:not([hidden])', (e) =>
      e.map((x) => x.id).filter(Boolean),
    );
    expect(shown).toEqual(['role-form', 'unlock', 'reset-2fa', 'revoke', 'detail-close']);
    await keyboardCheck(page, 'security admin user panel');
    await page.select('#e-role', 'planner');
    await page.click('#role-form button[type="submit"]');
    await page.click('dialog.ask button[value="ok"]');
    await textIn(page, '#detail-state', '活动策划');
    const granted = await h.db
      .selectFrom('users')
      .select('role')
      .where('id', '=', temp.id)
      .executeTakeFirstOrThrow();
    expect(granted.role).toBe('planner');
    await shot(page, '14-security-admin-user');
    expect(problems).toEqual([]);
    await closePage(page);
  }, 120_000);

  it('an editor writes an edition, a named reviewer approves it, and the editor schedules it', async () => {
    const reviewer = await createTestUser(h, 'planner');
    // That day's one mass send is taken, so the approval cannot schedule it by itself.
    await seedContent('当天已排的群发', 'scheduled', instant(beijing(2, 9)));

    // The superadmin names the planner as the organisation's reviewer.
    const admin = await signedIn(superadmin, '/admin/organisations');
    await openPanel(admin, ORG_NAME);
    await admin.click(`#r-user-${reviewer.id}`);
    await admin.click('#review-form button[type="submit"]');
    await textIn(admin, '#detail-state', '1 名后台审核人');
    await keyboardCheck(admin, 'organisation review settings');
    await shot(admin, '20-organisation-reviewers');
    await closePage(admin);

    const page = await signedIn(editor, '/admin/contents/new');
    await page.type('#title', '体彩公益金支持社区健身路径建设');
    await page.type('#body', '<p>今年以来，体彩公益金持续支持社区健身路径建设。</p>');
    await (await page.$('#cover'))?.uploadFile(coverFile);
    await textIn(page, '#cover-state', '已上传封面：');
    await setValue(page, '#publish-at', beijing(2));
    await page.click('#save');
    await textIn(page, '#item-state', '草稿');
    const contentId = new URL(page.url()).pathname.split('/').pop() as string;
    await page.click('#submit-review');
    await textIn(page, '#item-state', '审核中');
    // The editor is no named reviewer: the page says why (once it has asked), and shows no review box.
    await textIn(page, '#review-note', '不是该单位的指定审核人');
    expect(await isHidden(page, '#review-box')).toBe(true);

    const review = await signedIn(reviewer, `/admin/contents/${contentId}`);
    expect(await isHidden(review, '#review-box')).toBe(false);
    await shot(review, '21-review');
    await review.type('#review-comment', '内容准确，同意发布');
    await review.click('#approve');
    await textIn(review, '#item-state', '已审定');
    expect(await review.$eval('#review-steps', (e) => e.textContent)).toContain('内容准确，同意发布');
    // A planner may review but not schedule.
    expect(await isHidden(review, '#schedule-box')).toBe(true);
    expect((await statusOf(contentId)).status).toBe('approved');
    await closePage(review);

    await page.reload();
    await ready(page);
    await textIn(page, '#item-state', '已审定');
    expect(await page.$eval('#schedule-note', (e) => e.textContent)).toContain('群发次数');
    expect(await isHidden(page, '#reschedule')).toBe(true);
    await keyboardCheck(page, 'editor approved');
    await setValue(page, '#schedule-at', beijing(3));
    await page.click('#schedule');
    await textIn(page, '#item-state', '已排期');
    await shot(page, '22-scheduled');
    const row = await statusOf(contentId);
    expect(row.status).toBe('scheduled');
    expect(row.approved_revision).toBe(1);
    expect(new Date(row.scheduled_at as unknown as string).toISOString()).toBe(
      instant(beijing(3)).toISOString(),
    );
    expect(problems).toEqual([]);
    await closePage(page);
  }, 120_000);

  it('finds failed and unconfirmed publishing from the content list and reschedules the failed item', async () => {
    const failedId = await seedContent('发布失败的图文', 'failed', instant(beijing(-1)), {
      attempts: 5,
      last_error: JSON.stringify({
        kind: 'invalid_content',
        code: '40001',
        message: 'invalid credential',
        editorMessage: '平台拒绝了这条内容：请检查正文',
        at: new Date().toISOString(),
      }),
    });
    const unconfirmedId = await seedContent('结果待确认的图文', 'unconfirmed', instant(beijing(-1, 11)), {
      progress: JSON.stringify({ msgId: '1000000123' }),
    });
    const page = await signedIn(editor, '/admin/contents');
    await textIn(page, '#attention', '1 条内容发布失败，1 条发布结果待确认');
    await Promise.all([page.waitForNavigation(), page.click('#attention a')]);
    await ready(page);
    expect(new URL(page.url()).search).toBe('?status=attention');
    const rows = await page.$$eval('#contents-table tbody tr', (r) => r.map((e) => e.textContent));
    expect(rows).toHaveLength(2);
    expect(rows.join()).toContain('发布失败');
    expect(rows.join()).toContain('结果待确认');
    await shot(page, '30-list-attention');
    await keyboardCheck(page, 'list attention');

    await visit(page, `/admin/contents/${unconfirmedId}`);
    await textIn(page, '#publishing-body', '不会重复发送');
    expect(await page.$eval('#publishing-body', (e) => e.textContent)).toContain('群发 msg_id 1000000123');
    expect(await page.$$eval('#workflow > div:not([hidden]):not(#review-steps)', (d) => d.length)).toBe(0);

    await visit(page, `/admin/contents/${failedId}`);
    await textIn(page, '#publishing-body', '平台拒绝了这条内容：请检查正文');
    expect(await page.$eval('#schedule', (e) => e.textContent)).toBe('重新排期发布');
    await shot(page, '31-editor-failed');
    await setValue(page, '#schedule-at', beijing(4));
    await page.click('#schedule');
    await textIn(page, '#item-state', '已排期');
    expect((await statusOf(failedId)).status).toBe('scheduled');
    expect(problems).toEqual([]);
    await closePage(page);
  }, 120_000);

  it('shows each role its management pages; edits and deletes through them', async () => {
    const cases = [
      {
        user: superadmin,
        pages: ['accounts', 'users', 'organisations'],
        nav: [
          '账号与凭据',
          '考核目标',
          '数据导入',
          '营销活动',
          '月度报告',
          '告警渠道',
          '用户管理',
          '客户单位',
        ],
      },
      {
        user: await createTestUser(h, 'planner'),
        pages: ['kpi', 'campaigns', 'alerts', 'metrics', 'reports'],
        nav: [
          '内容日历',
          '内容列表',
          '账号与凭据',
          '考核目标',
          '数据导入',
          '营销活动',
          '月度报告',
          '告警渠道',
          '客户单位',
        ],
      },
      { user: await createTestUser(h, 'auditor'), pages: ['audit'], nav: ['审计日志'] },
    ] as const;
    for (const c of cases) {
      const role = c.user.role;
      const page = await freshPage();
      await login(page, c.user);
      await ready(page);
      // Signed in at /admin, the calendar; a role without content.read lands on its first section.
      expect(new URL(page.url()).pathname, role).toBe(role === 'planner' ? '/admin' : `/admin/${c.pages[0]}`);
      for (const key of c.pages) {
        await visit(page, `/admin/${key}`);
        const nav = await page.$$eval('nav li:not([hidden]) a', (a) => a.map((e) => e.textContent));
        expect(nav, role).toEqual(c.nav);
        expect(await page.$eval('#status', (e) => e.textContent), `${role} ${key}`).not.toContain('失败');
        if (key === 'campaigns') {
          await campaignEditAndDelete(page);
          await campaignGoalsContentsDeliverables(page);
        }
        if (key === 'metrics') await metricsImport(page);
        if (key === 'reports') await reportRequestAndDownload(page);
        if (key === 'kpi') await kpiEdit(page);
        if (key === 'accounts') await accountEditAndBackfill(page);
        if (key === 'users') await userEditAndReset(page);
        if (key === 'audit') expect(await page.$$eval('#list tbody tr', (r) => r.length)).toBeGreaterThan(0);
        await shot(page, `40-${role}-${key}`);
        await keyboardCheck(page, `${role} ${key}`);
      }
      await closePage(page);
    }
    expect(problems).toEqual([]);
  }, 300_000);

  async function campaignEditAndDelete(page: Page) {
    const name = `体彩公益金主题宣传活动${'暨全民健身专项行动'.repeat(8)}`;
    await page.type('#f-name', name);
    await setValue(page, '#f-start', '2026-12-01');
    await setValue(page, '#f-end', '2026-12-14');
    await page.click('#create-form button[type="submit"]');
    await textIn(page, '#list tbody', '主题活动');
    const clip = await page.$eval('#list tbody .clip', (e) => ({
      title: e.getAttribute('title'),
      cut: e.scrollWidth > e.clientWidth,
    }));
    expect(clip).toEqual({ title: name, cut: true });

    // 编辑 puts the row into the form; saving changes it.
    await page.click(`#list button[aria-label="编辑：${name}"]`);
    expect(await page.$eval('#create-form h2', (e) => e.textContent)).toContain('修改活动');
    expect(await page.$eval('#f-name', (e) => (e as any).value)).toBe(name);
    await retype(page, '#f-name', '全民健身月主题活动');
    await setValue(page, '#f-end', '2026-12-21');
    await page.click('#create-form button[type="submit"]');
    await textIn(page, '#list tbody', '2026-12-01 至 2026-12-21');
    expect(await page.$eval('#create-form h2', (e) => e.textContent)).toBe('新建活动');
    const edited = await h.db
      .selectFrom('campaigns')
      .select(['id', 'name', 'ends_on'])
      .where('organisation_id', '=', h.orgId)
      .executeTakeFirstOrThrow();
    expect(edited).toMatchObject({ name: '全民健身月主题活动', ends_on: '2026-12-21' });

    // 删除 asks first (取消 has the focus); only 删除 in the dialog deletes.
    await page.click('#list button[aria-label="删除：全民健身月主题活动"]');
    await page.waitForSelector('dialog.ask[open]');
    expect(await page.evaluate(() => document.activeElement.textContent)).toBe('取消');
    await shot(page, '41-delete-dialog');
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => !document.querySelector('dialog.ask'));
    expect(await page.$eval('#list tbody', (e) => e.textContent)).toContain('全民健身月主题活动');
    await page.click('#list button[aria-label="删除：全民健身月主题活动"]');
    await page.click('dialog.ask button[value="ok"]');
    await textIn(page, '#list tbody', '暂无记录');
    const left = await h.db.selectFrom('campaigns').select('id').where('id', '=', edited.id).execute();
    expect(left).toEqual([]);
  }

  async function kpiEdit(page: Page) {
    await page.type('#f-name', '粉丝总数（合同目标）');
    await setValue(page, '#f-start', '2026-01-01');
    await setValue(page, '#f-end', '2027-12-31');
    await page.type('#f-milestones', '2026-12-31 150000 年底');
    await page.click('#create-form button[type="submit"]');
    await textIn(page, '#list tbody', '2026-12-31 150000 年底');
    await page.click('#list button[aria-label="编辑：粉丝总数（合同目标）"]');
    expect(await page.$eval('#f-milestones', (e) => (e as any).value)).toBe('2026-12-31 150000 年底');
    await page.type('#f-milestones', '\n2027-06-30 180000');
    await page.click('#create-form button[type="submit"]');
    await textIn(page, '#list tbody', '2027-06-30 180000');
    const target = await h.db
      .selectFrom('kpi_targets')
      .select('milestones')
      .where('organisation_id', '=', h.orgId)
      .executeTakeFirstOrThrow();
    expect((target.milestones as unknown[]).length).toBe(2);
  }

  /** A new campaign with a reads goal; a content linked and unlinked; a 专题页 recorded for it and removed. */
  async function campaignGoalsContentsDeliverables(page: Page) {
    const contentId = await seedContent('全民健身宣传月首发稿', 'scheduled', instant(beijing(3)));
    await page.type('#f-name', '全民健身宣传月');
    await setValue(page, '#f-start', '2026-11-01');
    await setValue(page, '#f-end', '2026-11-30');
    await page.type('#f-goal-reads', '50000');
    await page.click('#create-form button[type="submit"]');
    await textIn(page, '#list tbody', '阅读量 50,000');
    const campaign = await h.db
      .selectFrom('campaigns')
      .select(['id', 'goals'])
      .where('organisation_id', '=', h.orgId)
      .where('name', '=', '全民健身宣传月')
      .executeTakeFirstOrThrow();
    expect(campaign.goals).toEqual([{ metric: 'reads', target: 50000 }]);

    // 管理: results and goals; link one of the organisation's contents, then unlink and relink it.
    await openPanel(page, '全民健身宣传月');
    await textIn(page, '#c-results', '净增粉丝提升');
    await textIn(page, '#c-goals', '阅读量');
    await page.select('#c-content', contentId);
    await page.click('#link-form button[type="submit"]');
    await textIn(page, '#c-contents', '取消关联');
    const links = () =>
      h.db
        .selectFrom('campaign_contents')
        .select('content_id')
        .where('campaign_id', '=', campaign.id)
        .execute();
    expect(await links()).toEqual([{ content_id: contentId }]);
    expect(await page.$eval('#list tbody', (e) => e.textContent)).toContain('全民健身宣传月');
    await page.click('#c-contents button');
    await textIn(page, '#c-contents', '尚未关联内容');
    expect(await links()).toEqual([]);
    await page.click('#link-form button[type="submit"]');
    await textIn(page, '#c-contents', '取消关联');

    // A 专题页 recorded for the campaign shows in the list; 删除 asks, then removes it.
    await page.select('#d-kind', 'topic_page');
    await page.type('#d-title', '全民健身专题页');
    await setValue(page, '#d-date', '2026-11-15');
    await page.type('#d-url', 'https://example.com/zhuanti');
    await page.select('#d-campaign', campaign.id);
    await page.click('#deliverable-form button[type="submit"]');
    await textIn(page, '#deliverables-table tbody', '全民健身专题页');
    const deliverable = await h.db
      .selectFrom('deliverables')
      .select(['kind', 'campaign_id', 'url'])
      .where('organisation_id', '=', h.orgId)
      .executeTakeFirstOrThrow();
    expect(deliverable).toEqual({
      kind: 'topic_page',
      campaign_id: campaign.id,
      url: 'https://example.com/zhuanti',
    });
    expect(await page.$eval('#deliverables-table tbody', (e) => e.textContent)).toContain('全民健身宣传月');
    await page.type('#d-title', '政务服务定制栏目');
    await page.click('#deliverable-form button[type="submit"]');
    await textIn(page, '#deliverables-table tbody', '政务服务定制栏目');
    await page.click('#deliverables-table button[aria-label="删除：政务服务定制栏目"]');
    await page.click('dialog.ask button[value="ok"]');
    await page.waitForFunction(
      () => !document.querySelector('#deliverables-table tbody').textContent.includes('政务服务定制栏目'),
    );
    expect(await h.db.selectFrom('deliverables').select('id').execute()).toHaveLength(1);
    await shot(page, '42-campaign-panel');
  }

  /** A refused file lists its problems by row and column; a good one is previewed, applied and stored. */
  async function metricsImport(page: Page) {
    const day1 = beijing(-10).slice(0, 10);
    const day2 = beijing(-9).slice(0, 10);
    const dir = path.resolve('test-artifacts', 'admin');
    const bad = path.join(dir, 'import-bad.csv');
    const good = path.join(dir, 'import-good.csv');
    await writeFile(
      bad,
      `account,date,followers\n省体彩中心服务号,2026-13-01,1200\n不存在的账号,${day1},abc\n`,
    );
    await writeFile(
      good,
      `账号,日期,粉丝总数,阅读次数\n省体彩中心服务号,${day1},1200,340\n省体彩中心服务号,${day2},1210,360\n`,
    );
    const upload = async (file: string) => {
      const input = await page.$('#i-file');
      await (input as NonNullable<typeof input>).uploadFile(file);
      await page.click('#upload-form button[type="submit"]');
    };

    await upload(bad);
    await page.waitForSelector('#problems:not([hidden])');
    const rows = await page.$$eval('#problems-table tbody tr', (trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].slice(0, 2).map((td) => td.textContent)),
    );
    expect(rows).toContainEqual(['2', 'date']);
    expect(rows).toContainEqual(['3', 'followers']);
    expect(await page.$eval('#preview', (e) => e.hidden)).toBe(true);
    // Chromium logs the refused upload's 422 as a failed resource.
    forgive(/status of 422/);
    await shot(page, '43-import-refused');

    await upload(good);
    await page.waitForSelector('#preview:not([hidden])');
    expect(await page.$eval('#problems', (e) => e.hidden)).toBe(true);
    await textIn(page, '#preview-summary', '将新增 2 条');
    expect(await page.$$eval('#list tbody tr', (r) => r.length)).toBe(2);
    expect(await page.$eval('#list tbody', (e) => e.textContent)).toContain('粉丝总数：无 → 1200');
    await shot(page, '44-import-preview');
    await keyboardCheck(page, 'import preview');
    const stored = () =>
      h.db
        .selectFrom('metric_account_daily')
        .select(['date', 'followers', 'reads'])
        .where('account_id', '=', accountId)
        .where('date', 'in', [day1, day2])
        .orderBy('date')
        .execute();
    expect(await stored()).toEqual([]);
    await page.click('#apply');
    await textIn(page, '#result', '已导入');
    expect(await page.$eval('#result', (e) => e.textContent)).toContain('新增 2 条');
    expect((await stored()).map((r) => [String(r.followers), String(r.reads)])).toEqual([
      ['1200', '340'],
      ['1210', '360'],
    ]);
  }

  /** Last month's report: requested in the page, printed, shown done with links that download it. */
  async function reportRequestAndDownload(page: Page) {
    const month = await page.$eval('#r-month', (e) => e.value);
    // Last month in Beijing by default.
    const first = new Date(`${beijing(0).slice(0, 7)}-01T00:00:00Z`);
    first.setUTCMonth(first.getUTCMonth() - 1);
    expect(month).toBe(first.toISOString().slice(0, 7));
    await page.click('#request-form button[type="submit"]');
    await textIn(page, '#list tbody', '排队中');
    const print = async (version: number) => {
      const report = await h.db
        .selectFrom('reports')
        .select('id')
        .where('organisation_id', '=', h.orgId)
        .where('version', '=', version)
        .executeTakeFirstOrThrow();
      await generateReport({ db: h.db, dataDir: h.config.dataDir, printer: renderer }, report.id);
    };
    await print(1);
    // The page polls while a report is pending and shows it done without a reload.
    await textIn(page, '#list tbody', '已生成');
    await textIn(page, '#status', '已生成，可以下载');
    const download = (label: string) =>
      page.$eval(`#list a[aria-label^="${label}"]`, async (a) => {
        const res = await fetch(a.href);
        const bytes = new Uint8Array(await res.arrayBuffer());
        return {
          status: res.status,
          type: res.headers.get('content-type'),
          head: String.fromCharCode(...bytes.slice(0, 5)),
        };
      });
    expect(await download(`下载 ${month} 第 1 版 PDF`)).toEqual({
      status: 200,
      type: 'application/pdf',
      head: '%PDF-',
    });
    expect((await download(`下载 ${month} 第 1 版 Excel`)).head.slice(0, 2)).toBe('PK');

    // Asking for the month again shows the existing version; 重新生成 says v2 is made and v1 kept.
    await page.click('#request-form button[type="submit"]');
    await textIn(page, '#status', '已有报告');
    await page.click(`#list button[aria-label="重新生成：${month} 月度报告"]`);
    await page.waitForSelector('dialog.ask[open]');
    expect(await page.$eval('#ask-message', (e) => e.textContent)).toContain('第 2 版）。原有版本保留');
    await page.click('dialog.ask button[value="ok"]');
    await textIn(page, '#list tbody', '第 2 版');
    await print(2);
    await page.waitForFunction(() => document.querySelectorAll('#list a[aria-label*="PDF"]').length === 2, {
      timeout: 15_000,
    });
    await shot(page, '45-reports');
  }

  async function userEditAndReset(page: Page) {
    const user = await createTestUser(h, 'editor', { username: 'linshi.zhao' });
    await page.reload();
    await ready(page);
    await openPanel(page, 'linshi.zhao');
    // The superadmin edits and resets; granting roles and two-factor resets belong to the security admin.
    expect(await isHidden(page, '#role-form')).toBe(true);
    expect(await isHidden(page, '#reset-2fa')).toBe(true);
    await retype(page, '#e-name', '赵临时');
    await page.click('#edit-form button[type="submit"]');
    await textIn(page, '#list tbody', '赵临时');
    await page.click('#reset-password');
    await page.click('dialog.ask button[value="ok"]');
    await textIn(page, '#one-time-password', '一次性密码');
    const row = await h.db
      .selectFrom('users')
      .select(['display_name', 'must_change_password'])
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ display_name: '赵临时', must_change_password: true });
  }

  async function accountEditAndBackfill(page: Page) {
    await openPanel(page, '省体彩中心服务号');
    expect(await page.$eval('#e-name', (e) => (e as any).value)).toBe('省体彩中心服务号');
    await page.select('#e-tier', 'city_department');
    await page.click('#edit-form button[type="submit"]');
    await textIn(page, '#status', '完成');
    const account = await h.db
      .selectFrom('accounts')
      .select('tier')
      .where('id', '=', accountId)
      .executeTakeFirstOrThrow();
    expect(account.tier).toBe('city_department');
    // A backfill of the last week: no worker runs here, so it waits in the queue, and the panel says so.
    await setValue(page, '#b-from', beijing(-7).slice(0, 10));
    await page.click('#backfill-form button[type="submit"]');
    await textIn(page, '#backfills', '排队中');
    expect(await page.$eval('#backfills', (e) => e.textContent)).toMatch(/已完成 0 \/ 7 天/);
    // Disabled with a reason through the dialog, then enabled again; both audited.
    await page.click('#disable');
    await page.waitForSelector('dialog.ask[open]');
    await page.type('#ask-reason', '合同暂停');
    await page.click('dialog.ask button[value="ok"]');
    await page.waitForSelector('#enable:not([hidden])');
    const statusOf = async () =>
      (
        await h.db
          .selectFrom('accounts')
          .select(['status', 'status_reason'])
          .where('id', '=', accountId)
          .executeTakeFirstOrThrow()
      ).status;
    expect(await statusOf()).toBe('disabled');
    await page.click('#enable');
    await page.waitForSelector('#disable:not([hidden])');
    await textIn(page, '#status', '已重新启用');
    expect(await statusOf()).toBe('active');
  }
});

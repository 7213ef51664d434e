import { access, mkdir, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_INSTALL_HINT, findChromium } from '../../integrations/pdf/chromium.js';
import { jpeg } from '../helpers/content.js';
import { createTestUser, type IdentityHarness, identityHarness, type TestUser } from '../helpers/identity.js';
import { insertWechatAccount } from '../helpers/services.js';

/**
 * The backend pages in real headless Chromium: sign in through /admin/login, write a WeChat edition in
 * the editor (proofreading finding shown under its field), upload a cover, submit it for review, and
 * find it in the content list and the calendar; no console or page errors; every control on these
 * pages reachable with Tab and visibly focused. Screenshots go to test-artifacts/admin/.
 */

// Functions passed to page.evaluate run in the browser; the project compiles without the DOM library.
declare const document: any;
declare const location: any;
declare const getComputedStyle: (e: any) => any;

const ARTIFACTS = path.resolve('test-artifacts', 'admin');
// 32 characters: the longest title WeChat accepts, all Chinese.
const TITLE = '体彩公益金助力全民健身省体彩中心联合市县开展公益体彩快乐操场活动';

/** Tomorrow 10:00 in Beijing, as a datetime-local value. */
function tomorrowTen(): string {
  const d = new Date(Date.now() + 8 * 3600_000 + 86_400_000);
  return `${d.toISOString().slice(0, 10)}T10:00`;
}

/** Marks every visible, enabled control a keyboard user must reach; returns how many. */
async function tagControls(page: Page): Promise<number> {
  return page.evaluate(() => {
    const all = [...document.querySelectorAll('a[href], button, input, select, textarea, summary')];
    const visible = all.filter(
      (e) =>
        !(e as any).disabled &&
        e.getClientRects().length > 0 &&
        getComputedStyle(e).visibility !== 'hidden' &&
        !e.closest('[hidden]'),
    );
    visible.forEach((e, i) => {
      e.dataset.kb = String(i);
    });
    return visible.length;
  });
}

/** Presses Tab from the top of the page; which tagged controls got focus, and was the focus drawn. */
async function tabThrough(page: Page, count: number) {
  await page.evaluate(() => document.activeElement?.blur());
  const reached = new Set<string>();
  const unoutlined: string[] = [];
  // A date-time input takes one Tab per part, so allow more presses than controls.
  for (let i = 0; i < count * 6 + 10 && reached.size < count; i++) {
    await page.keyboard.press('Tab');
    const seen = await page.evaluate(() => {
      const a = document.activeElement as any | null;
      if (!a?.dataset.kb) return null;
      const s = getComputedStyle(a);
      return {
        id: a.dataset.kb,
        drawn: s.outlineStyle !== 'none' && s.outlineWidth !== '0px',
        name: `${a.tagName}#${a.id}`,
      };
    });
    if (seen) {
      reached.add(seen.id);
      if (!seen.drawn) unoutlined.push(seen.name);
    }
  }
  const missed = await page.evaluate(
    (ids: string[]) =>
      [...document.querySelectorAll('[data-kb]')]
        .filter((e) => !ids.includes(e.dataset.kb))
        .map((e) => `${e.tagName}#${e.id} ${e.textContent?.slice(0, 20)}`),
    [...reached],
  );
  return { missed, unoutlined };
}

describe('backend pages in headless Chromium', () => {
  let h: IdentityHarness;
  let browser: Browser;
  let base: string;
  let editor: TestUser;
  let coverFile: string;
  const problems: string[] = [];

  const watch = (page: Page) => {
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warn') problems.push(`console.${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (err) => problems.push(`pageerror: ${(err as Error).message}`));
    page.on('requestfailed', (r) => problems.push(`requestfailed: ${r.url()} ${r.failure()?.errorText}`));
    return page;
  };
  const ready = (page: Page) => page.waitForSelector('body[data-ready="true"]', { timeout: 20_000 });
  const shot = (page: Page, name: string) =>
    page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) as `${string}.png`, fullPage: true });
  const keyboardCheck = async (page: Page, name: string) => {
    const count = await tagControls(page);
    expect(count, name).toBeGreaterThan(3);
    const { missed, unoutlined } = await tabThrough(page, count);
    expect(missed, `${name}: controls Tab never reached`).toEqual([]);
    expect(unoutlined, `${name}: focus not drawn`).toEqual([]);
  };

  beforeAll(async () => {
    const chromium = await findChromium(process.env.CHROMIUM_PATH ?? null, process.env.PATH ?? '');
    if (!chromium)
      throw new Error(`The backend end-to-end test needs Chromium and found none. ${CHROMIUM_INSTALL_HINT}`);
    await access(chromium).catch(() => {
      throw new Error(`CHROMIUM_PATH=${chromium} does not exist. ${CHROMIUM_INSTALL_HINT}`);
    });
    await mkdir(ARTIFACTS, { recursive: true });
    coverFile = path.join(ARTIFACTS, 'cover.jpg');
    await writeFile(coverFile, jpeg(120));
    h = await identityHarness({ TOTP_REQUIRED_ROLES: 'none', RATE_LIMIT_PER_MINUTE: '100000' });
    await insertWechatAccount(h.db, h.orgId, '省体彩中心服务号');
    editor = await createTestUser(h, 'editor');
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
    browser = await puppeteer.launch({
      executablePath: chromium,
      headless: true,
      args: [
        ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
        '--disable-dev-shm-usage',
        '--disable-gpu',
      ],
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('serves its assets from self with the right type and cache headers', async () => {
    const page = await h.app.inject('/admin/login');
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    const src = page.body.match(/src="(\/admin\/assets\/admin-login\.js\?v=[0-9a-f]+)"/)?.[1];
    expect(src).toBeDefined();
    const js = await h.app.inject(src as string);
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toContain('immutable');
    expect((await h.app.inject('/admin/assets/admin-login.js')).headers['cache-control']).toBe('no-cache');
    expect((await h.app.inject('/admin/assets/..%2Fpages.ts')).statusCode).toBe(404);
  });

  it('signs in, writes and submits an edition, and finds it in the list and the calendar', async () => {
    const page = watch(await browser.newPage());
    await page.setViewport({ width: 1280, height: 900 });

    await page.goto(`${base}/admin`);
    await page.waitForFunction(() => location.pathname === '/admin/login');
    // The redirect came from the session call's 401, which Chromium reports as a failed resource.
    problems.length = 0;
    await ready(page);
    await keyboardCheck(page, 'login');
    await shot(page, '01-login');
    await page.type('#username', editor.username);
    await page.type('#password', editor.password);
    await Promise.all([page.waitForNavigation(), page.click('#login-form button[type="submit"]')]);
    expect(new URL(page.url()).pathname).toBe('/admin');
    await ready(page);

    // An editor sees the content and campaign sections, not users or the audit log.
    const nav = await page.$$eval('nav li:not([hidden]) a', (a) => a.map((e) => e.textContent));
    expect(nav).toEqual(['内容日历', '内容列表', '账号与凭据', '考核目标', '营销活动', '告警渠道']);

    await page.goto(`${base}/admin/contents/new`);
    await ready(page);
    await page.type('#title', TITLE);
    await page.type('#author', '省体彩中心');
    await page.type('#digest', '今年以来，体彩公益金持续支持全民健身设施建设。');
    await page.type('#body', '<p>安全生产要警钟常鸣，体彩公益金持续支持全民健身设施建设。</p>');
    await page.click('#original');
    const input = await page.$('#cover');
    await (input as any).uploadFile(coverFile);
    await page.waitForFunction(() =>
      document.getElementById('cover-state').textContent.includes('已上传封面：'),
    );
    await page.$eval(
      '#publish-at',
      (e, v) => {
        (e as any).value = v;
      },
      tomorrowTen(),
    );
    await page.click('#save');
    await page.waitForFunction(() => location.pathname.length > '/admin/contents/'.length + 30);
    await page.waitForFunction(() => document.getElementById('item-state').textContent.includes('草稿'));
    const contentId = new URL(page.url()).pathname.split('/').pop() as string;
    // The proofreading finding sits under the body field, in words.
    const inline = await page.$eval('#body-findings', (e) => e.textContent);
    expect(inline).toContain('提醒');
    expect(inline).toContain('警钟长鸣');
    expect(await page.$eval('#body', (e) => e.getAttribute('aria-describedby'))).toBe('body-findings');
    await shot(page, '02-editor-draft');
    await keyboardCheck(page, 'editor');

    await page.click('#submit-review');
    await page.waitForFunction(() => document.getElementById('item-state').textContent.includes('审核中'));
    expect(await page.$eval('#status', (e) => e.textContent)).toContain('提交审核：完成');
    expect(await page.$eval('#withdraw-box', (e) => (e as any).hidden)).toBe(false);
    await shot(page, '03-editor-in-review');

    await page.goto(`${base}/admin/contents`);
    await ready(page);
    const row = await page.$$eval('#contents-table tbody tr', (rows) => rows.map((r) => r.textContent));
    expect(row).toHaveLength(1);
    expect(row[0]).toContain(TITLE);
    expect(row[0]).toContain('审核中');
    expect(await page.$eval('#contents-table tbody a', (a) => a.getAttribute('href'))).toBe(
      `/admin/contents/${contentId}`,
    );
    await shot(page, '04-list');
    await keyboardCheck(page, 'list');

    const day = tomorrowTen().slice(0, 10);
    for (const view of ['month', 'week']) {
      await page.goto(`${base}/admin?view=${view}&date=${day}`);
      await ready(page);
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
    await page.goto(`${base}/admin/contents/${contentId}`);
    await ready(page);
    await page.type('#cancel-reason', '活动延期，本期不发');
    await page.click('#cancel');
    await page.waitForFunction(() => document.getElementById('item-state').textContent.includes('已取消'));
    expect(await page.$eval('#save', (e) => (e as any).disabled)).toBe(true);
    expect(await page.$$eval('#workflow > div:not([hidden]):not(#review-steps)', (d) => d.length)).toBe(0);
    expect(problems).toEqual([]);
  }, 120_000);

  it('shows each role its management pages; a planner creates a campaign through the form', async () => {
    const cases = [
      {
        role: 'superadmin',
        pages: ['accounts', 'users'],
        nav: ['账号与凭据', '考核目标', '营销活动', '告警渠道', '用户管理'],
      },
      {
        role: 'planner',
        pages: ['kpi', 'campaigns', 'alerts'],
        nav: ['内容日历', '内容列表', '账号与凭据', '考核目标', '营销活动', '告警渠道'],
      },
      { role: 'auditor', pages: ['audit'], nav: ['审计日志'] },
    ] as const;
    for (const c of cases) {
      const user = await createTestUser(h, c.role);
      const context = await browser.createBrowserContext();
      const page = watch(await context.newPage());
      await page.setViewport({ width: 1280, height: 900 });
      await page.goto(`${base}/admin/login`);
      await ready(page);
      await page.type('#username', user.username);
      await page.type('#password', user.password);
      await Promise.all([page.waitForNavigation(), page.click('#login-form button[type="submit"]')]);
      await ready(page);
      // Signed in at /admin, the calendar; a role without content.read lands on its first section.
      expect(new URL(page.url()).pathname, c.role).toBe(
        c.role === 'planner' ? '/admin' : `/admin/${c.pages[0]}`,
      );
      for (const key of c.pages) {
        await page.goto(`${base}/admin/${key}`);
        await ready(page);
        const nav = await page.$$eval('nav li:not([hidden]) a', (a) => a.map((e) => e.textContent));
        expect(nav, c.role).toEqual(c.nav);
        expect(await page.$eval('#status', (e) => e.textContent), `${c.role} ${key}`).not.toContain('失败');
        if (key === 'campaigns') {
          const name = `体彩公益金主题宣传活动${'暨全民健身专项行动'.repeat(8)}`;
          await page.type('#f-name', name);
          await page.$eval('#f-start', (e) => {
            (e as any).value = '2026-12-01';
          });
          await page.$eval('#f-end', (e) => {
            (e as any).value = '2026-12-14';
          });
          await page.click('#create-form button[type="submit"]');
          await page.waitForFunction(() =>
            document.querySelector('#list tbody').textContent.includes('主题活动'),
          );
          const clip = await page.$eval('#list tbody .clip', (e) => ({
            title: e.getAttribute('title'),
            cut: e.scrollWidth > e.clientWidth,
          }));
          expect(clip).toEqual({ title: name, cut: true });
        }
        if (key === 'audit') expect(await page.$$eval('#list tbody tr', (r) => r.length)).toBeGreaterThan(0);
        await shot(page, `06-${c.role}-${key}`);
        await keyboardCheck(page, `${c.role} ${key}`);
      }
      await context.close();
    }
    expect(problems).toEqual([]);
  }, 120_000);
});

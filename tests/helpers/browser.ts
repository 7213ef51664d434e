import { access, mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { expect } from 'vitest';
import type { App } from '../../api/app.js';
import { CHROMIUM_INSTALL_HINT, findChromium } from '../../integrations/pdf/chromium.js';

/**
 * What the end-to-end tests of the backend (/admin) and the portal (/portal) share: the system Chromium,
 * the page-problem log, the keyboard walk, screenshots and signing in through the login form.
 */

// Functions passed to page.evaluate run in the browser. The project compiles without the DOM library (adding
// it would change the types of the Node code), so the few browser globals they use are declared here.
// biome-ignore lint/suspicious/noExplicitAny: a browser global, untyped without the DOM library
declare const document: any;
// biome-ignore lint/suspicious/noExplicitAny: a browser global, untyped without the DOM library
declare const getComputedStyle: (e: any) => any;

/** The system Chromium, headless; a missing one fails with the install hint. */
export async function launchChromium(suite: string): Promise<Browser> {
  const chromium = await findChromium(process.env.CHROMIUM_PATH ?? null, process.env.PATH ?? '');
  if (!chromium)
    throw new Error(`The ${suite} end-to-end test needs Chromium and found none. ${CHROMIUM_INSTALL_HINT}`);
  await access(chromium).catch(() => {
    throw new Error(`CHROMIUM_PATH=${chromium} does not exist. ${CHROMIUM_INSTALL_HINT}`);
  });
  return puppeteer.launch({
    executablePath: chromium,
    headless: true,
    args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), '--disable-dev-shm-usage', '--disable-gpu'],
  });
}

/** Starts the app on a free local port; returns its base URL. */
export async function serve(app: App): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

/**
 * Console errors and warnings, uncaught page errors and failed requests of every watched page. A test
 * that provokes an error on purpose (a refused password) clears the ones it expects with `forgive`.
 */
export function pageProblems() {
  const problems: string[] = [];
  return {
    problems,
    watch(page: Page): Page {
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warn') problems.push(`console.${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (err) => problems.push(`pageerror: ${(err as Error).message}`));
      page.on('requestfailed', (r) => problems.push(`requestfailed: ${r.url()} ${r.failure()?.errorText}`));
      return page;
    },
    /** Drops the problems matching `pattern` (e.g. Chromium's log line for an expected 422). */
    forgive(pattern: RegExp): void {
      const kept = problems.filter((p) => !pattern.test(p));
      problems.splice(0, problems.length, ...kept);
    },
  };
}

/** Waits for a page module to say it has rendered (body[data-ready]). */
export const ready = (page: Page) => page.waitForSelector('body[data-ready="true"]', { timeout: 20_000 });

/** A full-page screenshot into test-artifacts/<dir>/<name>.png. */
export async function screenshot(page: Page, dir: string, name: string): Promise<void> {
  const folder = path.resolve('test-artifacts', dir);
  await mkdir(folder, { recursive: true });
  await page.screenshot({ path: path.join(folder, `${name}.png`) as `${string}.png`, fullPage: true });
}

/** Marks every visible, enabled control a keyboard user must reach; returns how many. */
async function tagControls(page: Page): Promise<number> {
  return page.evaluate(() => {
    for (const e of document.querySelectorAll('[data-kb]')) delete e.dataset.kb;
    const all = [...document.querySelectorAll('a[href], button, input, select, textarea, summary')];
    const visible = all.filter(
      (e) =>
        !e.disabled &&
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

/** Presses Tab from the top of the page: which tagged controls got focus, and was the focus drawn. */
async function tabThrough(page: Page, count: number) {
  await page.evaluate(() => document.activeElement?.blur());
  const reached = new Set<string>();
  const unoutlined: string[] = [];
  // A date or date-time input takes one Tab per part, so allow more presses than controls.
  for (let i = 0; i < count * 6 + 10 && reached.size < count; i++) {
    await page.keyboard.press('Tab');
    const seen = await page.evaluate(() => {
      const a = document.activeElement;
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
  return { count, missed, unoutlined };
}

/**
 * Tab from the top reaches every visible, enabled link, button, field and summary of the page, each with a
 * visible focus ring; `atLeast` guards against a page that rendered nothing.
 */
export async function keyboardCheck(page: Page, name: string, atLeast = 4): Promise<void> {
  const count = await tagControls(page);
  expect(count, `${name}: controls on the page`).toBeGreaterThanOrEqual(atLeast);
  const { missed, unoutlined } = await tabThrough(page, count);
  expect(missed, `${name}: controls Tab never reached`).toEqual([]);
  expect(unoutlined, `${name}: focus not drawn`).toEqual([]);
}

/**
 * Signs in through /admin/login or /portal/login and waits until the page it leads to has rendered (the
 * page asked for, a role's first section, or the setup page of a first login).
 */
export async function signInThroughForm(
  page: Page,
  base: string,
  surface: 'admin' | 'portal',
  user: { username: string; password: string },
  otp?: string,
): Promise<void> {
  await page.goto(`${base}/${surface}/login`, { waitUntil: 'networkidle0' });
  await submitLoginForm(page, user, otp);
  await ready(page);
}

/** Fills in the login page already open (e.g. after a redirect with `?next=`) and waits for where it leads. */
export async function submitLoginForm(
  page: Page,
  user: { username: string; password: string },
  otp?: string,
): Promise<void> {
  await page.type('#username', user.username);
  await page.type('#password', user.password);
  if (otp) await page.type('#otp', otp);
  await Promise.all([page.waitForNavigation(), page.click('#login-form button[type="submit"]')]);
}

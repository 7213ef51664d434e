import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import puppeteer, { type Browser, type HTTPRequest, type Page } from 'puppeteer-core';
import { AppError, errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { CHROMIUM_INSTALL_HINT } from './chromium.js';

/**
 * Prints self-contained HTML pages to PDF with one warm headless Chromium:
 * - a pool of at most `poolSize` pages, reused between reports (a new tab costs ~50 ms, a new browser
 *   ~0.5–1 s);
 * - every request the page makes is refused except data: and about: URLs and, when the print comes
 *   with `files`, the files it names, answered from memory under a private origin (`PRINT_ORIGIN`)
 *   (nothing may leave the machine, and no user content can make it fetch anything);
 * - JavaScript runs (chart.js draws the charts) under a CSP that admits only our own scripts;
 * - each print has a deadline (`pageTimeoutMs`); a page that misses it is thrown away;
 * - the browser is replaced after `recycleAfter` prints (Chromium's memory only grows) and after a
 *   crash (`disconnected`): prints that were running fail with CHROMIUM_CRASHED (retryable), and the
 *   next print launches a fresh browser.
 */

export interface PdfRendererOptions {
  /** The Chromium binary; null when none was found (every print then fails with CHROMIUM_MISSING). */
  executablePath: string | null;
  poolSize?: number;
  pageTimeoutMs?: number;
  recycleAfter?: number;
  /**
   * Chromium refuses to start as root with its sandbox ("Running as root without --no-sandbox is not
   * supported", crbug.com/638180). Default: `--no-sandbox` only when this process runs as root.
   */
  noSandbox?: boolean;
  logger?: Logger;
}

export interface PrintOptions {
  /** HTML of the page footer (Chromium's template: `pageNumber`, `totalPages` classes). */
  footerTemplate?: string;
  /** A JavaScript expression that becomes true when the page has finished drawing. */
  readyExpression?: string;
  /**
   * The page's own files by URL path (e.g. `/portal/assets/portal.css?v=…` asks for
   * `/portal/assets/portal.css`). With it, the page is loaded from `PRINT_ORIGIN` (so its scripts
   * and modules load by URL, as they do in the portal) and these files are its only reachable URLs.
   */
  files?: (pathname: string) => { body: Buffer; contentType: string } | null;
}

/** A reserved name (RFC 2606 .invalid): it never resolves, and is answered only from memory. */
export const PRINT_ORIGIN = 'https://print.invalid';
const PRINT_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; base-uri 'none'; form-action 'none'";

/** What a page being printed from `PRINT_ORIGIN` may load. */
interface Site {
  html: string;
  files: NonNullable<PrintOptions['files']>;
}

export interface RendererStats {
  launches: number;
  printed: number;
  crashes: number;
}

/** Retrying cannot help: no Chromium, or it does not start. */
export function chromiumMissing(path: string | null): AppError {
  return new AppError(
    'CHROMIUM_MISSING',
    `No Chromium to print PDF reports${path ? ` at ${path}` : ''}. ${CHROMIUM_INSTALL_HINT}`,
    503,
    { path, hint: CHROMIUM_INSTALL_HINT },
    `未找到可用的 Chromium，无法生成 PDF 报告${path ? `（${path}）` : ''}。请安装 Chromium（Debian/Ubuntu：sudo apt-get install chromium）或设置 CHROMIUM_PATH。`,
  );
}

/** What puppeteer says when the browser or the tab went away under a running command. */
const CLOSED = /Target closed|Connection closed|Session closed|browser has disconnected|detached/i;

interface Holder {
  browser: Browser;
  idle: Page[];
  inflight: number;
  printed: number;
  retired: boolean;
  dead: boolean;
}

export class PdfRenderer {
  readonly stats: RendererStats = { launches: 0, printed: 0, crashes: 0 };
  private readonly poolSize: number;
  private readonly pageTimeoutMs: number;
  private readonly recycleAfter: number;
  private readonly noSandbox: boolean;
  private current: Holder | null = null;
  private readonly sites = new WeakMap<Page, Site>();
  private launching: Promise<Holder> | null = null;
  private slots: number;
  private readonly waiters: Array<() => void> = [];
  private closed = false;

  constructor(private readonly options: PdfRendererOptions) {
    this.poolSize = Math.max(1, options.poolSize ?? 2);
    this.pageTimeoutMs = options.pageTimeoutMs ?? 60_000;
    this.recycleAfter = Math.max(1, options.recycleAfter ?? 50);
    this.noSandbox = options.noSandbox ?? process.getuid?.() === 0;
    this.slots = this.poolSize;
  }

  /** The running browser, for tests that simulate a crash; null before the first print. */
  get browser(): Browser | null {
    return this.current?.browser ?? null;
  }

  /** Starts the browser ahead of the first print (the worker warms it at start-up). */
  async warm(): Promise<void> {
    await this.holder();
  }

  async printToPdf(html: string, opts: PrintOptions = {}): Promise<Buffer> {
    if (this.closed) throw new Error('the PDF renderer is closed');
    await this.acquireSlot();
    let holder: Holder | null = null;
    let page: Page | null = null;
    let keepPage = false;
    try {
      holder = await this.holder();
      holder.inflight++;
      page = holder.idle.pop() ?? (await this.newPage(holder.browser));
      const pdf = await this.print(page, html, opts);
      keepPage = true;
      holder.printed++;
      this.stats.printed++;
      return pdf;
    } catch (err) {
      if (holder && (holder.dead || !holder.browser.connected || CLOSED.test(errorMessage(err))))
        throw new AppError('CHROMIUM_CRASHED', `Chromium stopped while printing: ${errorMessage(err)}`, 503);
      throw err;
    } finally {
      if (holder) {
        holder.inflight--;
        if (page) {
          if (keepPage && !holder.retired && !holder.dead) holder.idle.push(page);
          else await page.close().catch(() => undefined);
        }
        if (!holder.retired && holder.printed >= this.recycleAfter) this.retire(holder);
        if (holder.retired && holder.inflight === 0) await this.closeBrowser(holder);
      }
      this.releaseSlot();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const h = this.current ?? (this.launching ? await this.launching.catch(() => null) : null);
    this.current = null;
    if (h) await this.closeBrowser(h);
  }

  private async print(page: Page, html: string, opts: PrintOptions): Promise<Buffer> {
    const deadline = Date.now() + this.pageTimeoutMs;
    const left = () => Math.max(1, deadline - Date.now());
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new AppError(
              'RENDER_TIMEOUT',
              `The report page did not print within ${this.pageTimeoutMs} ms`,
              503,
            ),
          ),
        this.pageTimeoutMs,
      );
    });
    const work = (async () => {
      // A fresh window per report: setContent's document.write keeps the previous report's globals
      // (a stale `__reportReady` would print before this report's charts are drawn).
      await page.goto('about:blank', { timeout: left() });
      if (opts.files) {
        this.sites.set(page, { html, files: opts.files });
        await page.goto(`${PRINT_ORIGIN}/`, { waitUntil: 'load', timeout: left() });
      } else await page.setContent(html, { waitUntil: 'load', timeout: left() });
      await page.waitForFunction(opts.readyExpression ?? 'window.__reportReady === true', {
        timeout: left(),
      });
      // Text laid out before a CJK font finished loading would print in a fallback (boxes).
      await page.evaluate('document.fonts.ready.then(() => true)');
      const pdf = await page.pdf({
        format: 'A4',
        printBackground: true,
        preferCSSPageSize: true,
        displayHeaderFooter: Boolean(opts.footerTemplate),
        headerTemplate: '<span></span>',
        footerTemplate: opts.footerTemplate ?? '<span></span>',
        timeout: left(),
      });
      return Buffer.from(pdf);
    })();
    try {
      return await Promise.race([work, timeout]);
    } catch (err) {
      // A page that missed its deadline may still be busy: never hand it to the next report.
      await page.close().catch(() => undefined);
      work.catch(() => undefined);
      if (err instanceof Error && err.name === 'TimeoutError')
        throw new AppError('RENDER_TIMEOUT', `The report page did not print in time: ${err.message}`, 503);
      throw err;
    } finally {
      clearTimeout(timer);
      this.sites.delete(page);
    }
  }

  /** Answers a request to PRINT_ORIGIN from the print's own files; anything else is refused. */
  private answer(page: Page, req: HTTPRequest): void {
    const url = new URL(req.url());
    const site = this.sites.get(page);
    if (!site || url.origin !== PRINT_ORIGIN || req.method() !== 'GET') {
      void req.abort('blockedbyclient');
      return;
    }
    const file =
      url.pathname === '/'
        ? { body: Buffer.from(site.html), contentType: 'text/html; charset=utf-8' }
        : site.files(url.pathname);
    if (!file) {
      void req.respond({ status: 404, contentType: 'text/plain', body: 'Not found' });
      return;
    }
    void req.respond({
      status: 200,
      contentType: file.contentType,
      headers: { 'content-security-policy': PRINT_CSP, 'x-content-type-options': 'nosniff' },
      body: file.body,
    });
  }

  private async newPage(browser: Browser): Promise<Page> {
    const page = await browser.newPage();
    await page.setRequestInterception(true);
    page.on('request', (req: HTTPRequest) => {
      if (req.isInterceptResolutionHandled()) return;
      const url = req.url();
      if (url.startsWith('data:') || url.startsWith('about:')) void req.continue();
      else this.answer(page, req);
    });
    page.on('dialog', (d) => void d.dismiss().catch(() => undefined));
    return page;
  }

  private async holder(): Promise<Holder> {
    if (this.current && !this.current.dead && !this.current.retired) return this.current;
    this.launching ??= this.launch().finally(() => {
      this.launching = null;
    });
    return this.launching;
  }

  private async launch(): Promise<Holder> {
    const executablePath = this.options.executablePath;
    if (!executablePath) throw chromiumMissing(null);
    try {
      await access(executablePath, constants.X_OK);
    } catch {
      throw chromiumMissing(executablePath);
    }
    const browser = await puppeteer
      .launch({
        executablePath,
        headless: true,
        args: [
          ...(this.noSandbox ? ['--no-sandbox'] : []),
          // Containers often give /dev/shm 64 MB, too small for large pages.
          '--disable-dev-shm-usage',
          '--disable-gpu',
          '--font-render-hinting=none',
        ],
      })
      .catch((err) => {
        throw new AppError(
          'CHROMIUM_MISSING',
          `Chromium at ${executablePath} did not start: ${errorMessage(err)}. ${CHROMIUM_INSTALL_HINT}`,
          503,
          { path: executablePath, hint: CHROMIUM_INSTALL_HINT },
        );
      });
    this.stats.launches++;
    const holder: Holder = { browser, idle: [], inflight: 0, printed: 0, retired: false, dead: false };
    browser.on('disconnected', () => {
      if (holder.retired || this.closed) return;
      holder.dead = true;
      this.stats.crashes++;
      // The connection may drop with the process still alive: never leave it behind.
      browser.process()?.kill('SIGKILL');
      this.options.logger?.warn('Chromium disconnected; the next report launches a new browser');
      if (this.current === holder) this.current = null;
    });
    this.current = holder;
    return holder;
  }

  private retire(holder: Holder) {
    holder.retired = true;
    if (this.current === holder) this.current = null;
  }

  private async closeBrowser(holder: Holder) {
    holder.retired = true;
    holder.idle = [];
    await holder.browser.close().catch(() => undefined);
  }

  private async acquireSlot(): Promise<void> {
    if (this.slots > 0) {
      this.slots--;
      return;
    }
    await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  private releaseSlot() {
    const next = this.waiters.shift();
    if (next) next();
    else this.slots++;
  }
}

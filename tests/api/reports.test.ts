import { createHash } from 'node:crypto';
import { appendFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateReport, type ReportsContext } from '../../core/reports/reports.service.js';
import { closeQueues, createQueues, type Queues } from '../../workers/queues.js';
import {
  createTestUser,
  type IdentityHarness,
  identityHarness,
  type SignedIn,
  signIn,
} from '../helpers/identity.js';
import { insertOrganisation, insertWechatAccount, silentLogger, tempDir } from '../helpers/services.js';

/** The printer is a stand-in here: tests/reports prints with real Chromium. */
const FAKE_PDF = Buffer.from('%PDF-1.4\n% stand-in\n%%EOF\n');

describe('monthly reports over HTTP: backend and portal', () => {
  let h: IdentityHarness;
  let data: { dir: string; remove(): Promise<void> };
  let queues: Queues;
  let planner: SignedIn;
  let editor: SignedIn;
  let viewer: SignedIn;
  let ctx: ReportsContext;
  let otherOrg: string;

  const call = (who: SignedIn, method: 'GET' | 'POST', url: string, payload?: object) =>
    h.app.inject({ method, url, headers: who.headers, ...(payload ? { payload } : {}) });

  beforeAll(async () => {
    data = await tempDir('yunying-report-api-');
    h = await identityHarness({ TOTP_REQUIRED_ROLES: 'none', DATA_DIR: data.dir }, ({ redis, prefix }) => {
      queues = createQueues(redis, prefix, silentLogger);
      return { queues };
    });
    planner = await signIn(h.app, await createTestUser(h, 'planner'));
    editor = await signIn(h.app, await createTestUser(h, 'editor'));
    viewer = await signIn(h.app, await createTestUser(h, 'client_viewer'));
    await insertWechatAccount(h.db, h.orgId, 'report_api');
    otherOrg = await insertOrganisation(h.db, '其他单位');
    ctx = {
      db: h.db,
      dataDir: h.config.dataDir,
      printer: { printToPdf: async () => FAKE_PDF },
    };
  }, 60_000);
  afterAll(async () => {
    await closeQueues(queues);
    await h?.close();
    await data?.remove();
  });

  it('requests a month once, queues one job, regenerates as v2, and audits each', async () => {
    const url = `/api/orgs/${h.orgId}/reports`;
    const first = await call(planner, 'POST', url, { month: '2026-10' });
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({ month: '2026-10', version: 1, status: 'queued', pdfUrl: null });
    const again = await call(editor, 'POST', url, { month: '2026-10' });
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(first.json().id);
    expect(await queues.reports.getJob(`report-${h.orgId}-2026-10-v1`)).toBeTruthy();

    const v2 = await call(editor, 'POST', url, { month: '2026-10', regenerate: true });
    expect(v2.statusCode).toBe(201);
    expect(v2.json().version).toBe(2);
    expect(await queues.reports.getJob(`report-${h.orgId}-2026-10-v2`)).toBeTruthy();
    const actions = await h.db
      .selectFrom('audit_log')
      .select(['action', 'actor_kind'])
      .where('target_type', '=', 'report')
      .orderBy('id')
      .execute();
    expect(actions).toEqual([
      { action: 'report.requested', actor_kind: 'user' },
      { action: 'report.regenerated', actor_kind: 'user' },
    ]);

    for (const [body, code] of [
      [{ month: '2026-13' }, 'VALIDATION_FAILED'],
      [{ month: '2099-01' }, 'REPORT_MONTH_IN_FUTURE'],
      [{ month: '2026-10', extra: 1 }, 'VALIDATION_FAILED'],
    ] as const) {
      const res = await call(planner, 'POST', url, body);
      expect(res.json().error.code, JSON.stringify(body)).toBe(code);
    }
    expect([401, 403]).toContain((await call(viewer, 'POST', url, { month: '2026-10' })).statusCode);
  });

  it('serves finished files with a Chinese RFC 5987 filename, to the backend and the own portal only', async () => {
    const list = await call(planner, 'GET', `/api/orgs/${h.orgId}/reports`);
    const v1 = list.json().items.find((r: { version: number }) => r.version === 1);
    // Not generated yet: 409.
    const early = await call(planner, 'GET', `/api/orgs/${h.orgId}/reports/${v1.id}/pdf`);
    expect(early.statusCode).toBe(409);
    expect(early.json().error.code).toBe('REPORT_NOT_READY');

    await generateReport(ctx, v1.id);
    const pdf = await call(planner, 'GET', `/api/orgs/${h.orgId}/reports/${v1.id}/pdf`);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.rawPayload.equals(FAKE_PDF)).toBe(true);
    const disposition = String(pdf.headers['content-disposition']);
    expect(disposition).toContain('attachment; filename="report-2026-10-v1.pdf"');
    const star = /filename\*=UTF-8''([^;]+)/.exec(disposition)?.[1] as string;
    expect(decodeURIComponent(star)).toBe('省体彩中心-2026年10月运营数据月报-v1.pdf');
    expect(star).not.toMatch(/[^A-Za-z0-9%._~-]/);
    const xlsx = await call(editor, 'GET', `/api/orgs/${h.orgId}/reports/${v1.id}/xlsx`);
    expect(xlsx.statusCode).toBe(200);
    expect(xlsx.headers['content-type']).toContain('spreadsheetml');
    expect(xlsx.rawPayload.subarray(0, 2).toString()).toBe('PK');

    // The portal: exactly the agreed shape, URLs that work for the client, nothing of other organisations.
    const portal = await call(viewer, 'GET', '/portal/api/reports');
    expect(portal.statusCode).toBe(200);
    const items = portal.json().items;
    expect(items).toHaveLength(2);
    const done = items.find((r: { id: string }) => r.id === v1.id);
    expect(Object.keys(done).sort()).toEqual(
      ['generatedAt', 'id', 'month', 'pdfUrl', 'status', 'version', 'xlsxUrl'].sort(),
    );
    expect(done).toMatchObject({
      month: '2026-10',
      version: 1,
      status: 'done',
      pdfUrl: `/portal/api/reports/${v1.id}/pdf`,
      xlsxUrl: `/portal/api/reports/${v1.id}/xlsx`,
    });
    expect(items.find((r: { id: string }) => r.id !== v1.id)).toMatchObject({
      status: 'queued',
      pdfUrl: null,
    });
    const download = await call(viewer, 'GET', done.pdfUrl);
    expect(download.statusCode).toBe(200);
    expect(createHash('sha256').update(download.rawPayload).digest('hex')).toBe(
      createHash('sha256').update(FAKE_PDF).digest('hex'),
    );

    // Another organisation's report is invisible from this portal and from the wrong backend path.
    const foreign = await h.db
      .insertInto('reports')
      .values({ organisation_id: otherOrg, month: '2026-10-01', version: 1 })
      .returning('id')
      .executeTakeFirstOrThrow();
    expect((await call(viewer, 'GET', `/portal/api/reports/${foreign.id}/pdf`)).statusCode).toBe(404);
    expect((await call(planner, 'GET', `/api/orgs/${h.orgId}/reports/${foreign.id}/pdf`)).statusCode).toBe(
      404,
    );
    // A backend session cannot use the portal routes.
    expect([401, 403]).toContain((await call(planner, 'GET', '/portal/api/reports')).statusCode);
  });

  it('refuses to serve a file that no longer matches its SHA-256', async () => {
    const row = await h.db
      .selectFrom('reports')
      .selectAll()
      .where('organisation_id', '=', h.orgId)
      .where('status', '=', 'done')
      .executeTakeFirstOrThrow();
    await appendFile(path.join(h.config.dataDir, row.pdf_path as string), 'tampered');
    const res = await call(viewer, 'GET', `/portal/api/reports/${row.id}/pdf`);
    expect(res.statusCode).toBe(500);
    expect(res.json().error.code).toBe('REPORT_FILE_CORRUPT');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../core/calendar/days.js';
import { dayOf } from '../../core/metrics/ingest.js';
import { writeMetrics } from '../../core/metrics/metrics.store.js';
import { multipart } from '../helpers/content.js';
import {
  createTestUser,
  type IdentityHarness,
  identityHarness,
  type SignedIn,
  signIn,
} from '../helpers/identity.js';
import { insertOrganisation, insertWechatAccount } from '../helpers/services.js';

const yesterday = () => dayOf(Date.now() - 86_400_000);

describe('metrics, KPI targets, imports and backfills over HTTP', () => {
  let h: IdentityHarness;
  let planner: SignedIn;
  let editor: SignedIn;
  let viewer: SignedIn;
  let accountA: string;
  let accountB: string;
  let otherOrg: string;
  let foreignAccount: string;

  const call = (who: SignedIn, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
    h.app.inject({
      method,
      url,
      headers: who.headers,
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  const goodTarget = {
    metric: 'weekly_average_reads',
    name: '周均阅读量',
    baseline: { kind: 'period', from: '2021-11-01', to: '2021-11-30' },
    milestones: [
      { date: '2026-05-31', kind: 'percent', value: 10 },
      { date: '2027-11-30', kind: 'percent', value: 20 },
    ],
    contractStart: '2025-12-01',
    contractEnd: '2027-11-30',
  };
  const upload = (who: SignedIn, csv: string, name = 'figures.csv') => {
    const body = multipart(name, 'text/csv', Buffer.from(csv));
    return h.app.inject({
      method: 'POST',
      url: `/api/orgs/${h.orgId}/metrics/imports`,
      headers: { ...who.headers, ...body.headers },
      payload: body.payload,
    });
  };
  const auditCount = async (action: string) =>
    (await h.db.selectFrom('audit_log').select('id').where('action', '=', action).execute()).length;

  beforeAll(async () => {
    h = await identityHarness({ TOTP_REQUIRED_ROLES: 'none' });
    planner = await signIn(h.app, await createTestUser(h, 'planner'));
    editor = await signIn(h.app, await createTestUser(h, 'editor'));
    viewer = await signIn(h.app, await createTestUser(h, 'client_viewer'));
    const account = (org: string, name: string) => insertWechatAccount(h.db, org, name);
    accountA = await account(h.orgId, 'api_a');
    accountB = await account(h.orgId, 'api_b');
    otherOrg = await insertOrganisation(h.db, '其他单位');
    foreignAccount = await account(otherOrg, 'foreign');
  });
  afterAll(async () => {
    await h?.close();
  });

  it('creates, replaces and deletes targets (audited); editors may read but not change them', async () => {
    const created = await call(planner, 'POST', `/api/orgs/${h.orgId}/kpi/targets`, goodTarget);
    expect(created.statusCode).toBe(201);
    const id = created.json().id;
    expect(created.json()).toMatchObject({ kind: 'growth', metric: 'weekly_average_reads', accountId: null });
    expect((await call(editor, 'POST', `/api/orgs/${h.orgId}/kpi/targets`, goodTarget)).statusCode).toBe(403);
    expect((await call(editor, 'GET', `/api/orgs/${h.orgId}/kpi/targets`)).json().items).toHaveLength(1);
    const replaced = await call(planner, 'PUT', `/api/orgs/${h.orgId}/kpi/targets/${id}`, {
      ...goodTarget,
      name: '周均阅读量（合同）',
    });
    expect(replaced.json().name).toBe('周均阅读量（合同）');
    expect((await call(planner, 'DELETE', `/api/orgs/${h.orgId}/kpi/targets/${id}`)).statusCode).toBe(204);
    expect((await call(planner, 'DELETE', `/api/orgs/${h.orgId}/kpi/targets/${id}`)).statusCode).toBe(404);
    expect(await auditCount('kpi_target.created')).toBe(1);
    expect(await auditCount('kpi_target.updated')).toBe(1);
    expect(await auditCount('kpi_target.deleted')).toBe(1);
  });

  it('refuses bad targets with a stable code naming the field, storing nothing', async () => {
    const post = (body: object) => call(planner, 'POST', `/api/orgs/${h.orgId}/kpi/targets`, body);
    const cases: Array<[object, number, string, string?]> = [
      [
        { ...goodTarget, milestones: [{ date: '2021-11-15', kind: 'percent', value: 10 }] },
        422,
        'KPI_DEADLINE_BEFORE_BASELINE',
        'milestones[0].date',
      ],
      [{ ...goodTarget, baseline: null }, 422, 'KPI_BASELINE_REQUIRED', 'baseline'],
      [{ ...goodTarget, contractStart: '2027-12-01' }, 422, 'KPI_CONTRACT_REVERSED', 'contractEnd'],
      [
        { ...goodTarget, milestones: [{ date: '2028-01-01', kind: 'absolute', value: 1 }] },
        422,
        'KPI_MILESTONE_AFTER_CONTRACT',
      ],
      [
        {
          ...goodTarget,
          baseline: { kind: 'period', from: '2021-11-01', to: yesterday().replace(/\d\d$/, '99') },
        },
        400,
        'INVALID_DATE',
      ],
      [
        { ...goodTarget, baseline: { kind: 'period', from: '2021-11-30', to: '2021-11-01' } },
        422,
        'RANGE_INVALID',
      ],
      [
        { ...goodTarget, milestones: [{ date: '2026-05-31', kind: 'percent', value: '10%' }] },
        400,
        'VALIDATION_FAILED',
      ],
      [
        { ...goodTarget, milestones: [{ date: '2026-05-31', kind: 'percent', value: 'ten' }] },
        400,
        'VALIDATION_FAILED',
      ],
      [
        { ...goodTarget, milestones: [{ date: '2026-05-31', kind: 'percent', value: -5 }] },
        400,
        'VALIDATION_FAILED',
      ],
      [{ ...goodTarget, metric: 'likes_total' }, 400, 'VALIDATION_FAILED'],
      [{ ...goodTarget, colour: 'red' }, 400, 'VALIDATION_FAILED'],
      [{ ...goodTarget, accountId: foreignAccount }, 422, 'ACCOUNT_NOT_IN_ORGANISATION', 'accountId'],
      [
        {
          ...goodTarget,
          metric: 'monthly_original_articles',
          milestones: [{ date: '2027-11-30', kind: 'percent', value: 2 }],
        },
        422,
        'KPI_QUOTA_SHAPE',
      ],
    ];
    for (const [body, status, code, field] of cases) {
      const res = await post(body);
      expect({ status: res.statusCode, code: res.json().error.code }).toEqual({ status, code });
      expect(res.json().error.message).toBeTruthy();
      if (field) expect(res.json().error.details.field).toBe(field);
    }
    expect((await call(planner, 'GET', `/api/orgs/${h.orgId}/kpi/targets`)).json().items).toHaveLength(0);
  });

  it('serves weekly and monthly series from the rollups, equal to the daily sums; refuses foreign accounts', async () => {
    const days = Array.from({ length: 28 }, (_, i) => addDays('2026-03-02', i)); // four Monday–Sunday weeks
    await writeMetrics(h.db, accountA, {
      accountDays: days.map((date, i) => ({
        date,
        reads: 100 + i,
        newFollowers: 3,
        lostFollowers: 1,
        followers: 1000 + 2 * i,
      })),
      articleDays: [],
    });
    await writeMetrics(h.db, accountB, {
      accountDays: days.map((date) => ({ date, reads: 50 })),
      articleDays: [],
    });
    const q = (g: string, extra = '') =>
      call(
        editor,
        'GET',
        `/api/orgs/${h.orgId}/metrics?from=2026-03-02&to=2026-03-29&granularity=${g}${extra}`,
      );
    const daily = (await q('day')).json().points as Array<{ period: string; reads: number }>;
    expect(daily).toHaveLength(28);
    const weekly = (await q('week')).json().points as Array<{
      period: string;
      reads: number;
      netFollowers: number;
      followers: number;
    }>;
    expect(weekly.map((w) => w.period)).toEqual(['2026-03-02', '2026-03-09', '2026-03-16', '2026-03-23']);
    for (const w of weekly) {
      const inWeek = daily.filter((d) => d.period >= w.period && d.period <= addDays(w.period, 6));
      expect(w.reads).toBe(inWeek.reduce((s, d) => s + d.reads, 0));
      expect(w.netFollowers).toBe(14);
    }
    // Followers at the end of the week: A's Sunday figure (B has none).
    expect(weekly[0]?.followers).toBe(1000 + 2 * 6);
    const onlyA = (await q('week', `&accounts=${accountA}`)).json().points as Array<{ reads: number }>;
    expect(onlyA[0]?.reads).toBe(7 * 100 + 21);
    const foreign = await q('week', `&accounts=${foreignAccount}`);
    expect(foreign.statusCode).toBe(422);
    expect(foreign.json().error).toMatchObject({
      code: 'ACCOUNT_NOT_IN_ORGANISATION',
      details: { field: 'accounts' },
    });
    const reversed = await call(editor, 'GET', `/api/orgs/${h.orgId}/metrics?from=2026-03-29&to=2026-03-02`);
    expect(reversed.json().error.code).toBe('RANGE_INVALID');
  });

  it('previews an import, applies it all at once (audited), and refuses to apply it twice', async () => {
    await writeMetrics(h.db, accountA, {
      accountDays: [{ date: '2021-11-02', reads: 5, followers: 70 }],
      articleDays: [],
    });
    const csv = [
      '账号,日期,阅读次数,粉丝总数',
      'wx_api_a,2021-11-01,1200,',
      '公众号不存在,2021-11-01,1,',
    ].join('\n');
    const unknown = await upload(planner, csv);
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().error.details.problems[0]).toMatchObject({
      row: 3,
      column: 'account',
      code: 'IMPORT_UNKNOWN_ACCOUNT',
    });

    const good = [
      'account,date,reads,followers',
      'wx_api_a,2021-11-01,1200,',
      'api_a,2021-11-02,1300,',
      'wx_api_b,2021-11-01,600,90',
    ].join('\n');
    const preview = await upload(planner, good);
    expect(preview.statusCode).toBe(201);
    expect(preview.json()).toMatchObject({ status: 'previewed', kind: 'account_daily' });
    expect(preview.json().summary).toMatchObject({
      rows: 3,
      inserted: 2,
      updated: 1,
      unchanged: 0,
      from: '2021-11-01',
      to: '2021-11-02',
    });
    // The stored 2 Nov row: reads 5 → 1,300; followers empty in the file, so 70 stays.
    expect(preview.json().summary.changes).toContainEqual(
      expect.objectContaining({ row: 3, action: 'update', changes: { reads: [5, 1300] } }),
    );
    const stored = () =>
      h.db
        .selectFrom('metric_account_daily')
        .select(['account_id', 'date', 'reads', 'followers', 'source'])
        .where('date', '<', '2021-12-01')
        .orderBy('date')
        .orderBy('account_id')
        .execute();
    expect(await stored()).toHaveLength(1);

    const id = preview.json().id;
    expect((await call(editor, 'POST', `/api/orgs/${h.orgId}/metrics/imports/${id}/apply`)).statusCode).toBe(
      403,
    );
    const applied = await call(planner, 'POST', `/api/orgs/${h.orgId}/metrics/imports/${id}/apply`);
    expect(applied.statusCode).toBe(200);
    expect(applied.json().status).toBe('applied');
    const rows = await stored();
    expect(rows.find((r) => r.account_id === accountA && r.date === '2021-11-02')).toMatchObject({
      reads: 1300,
      followers: 70,
      source: 'import',
    });
    expect(rows.find((r) => r.account_id === accountB)).toMatchObject({ reads: 600, followers: 90 });
    const again = await call(planner, 'POST', `/api/orgs/${h.orgId}/metrics/imports/${id}/apply`);
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('IMPORT_NOT_PENDING');
    expect(await auditCount('metrics.import_applied')).toBe(1);
  });

  it('rejects a bad file whole, naming row and column, and stores nothing', async () => {
    const before = await h.db.selectFrom('metric_account_daily').select('date').execute();
    const bad = [
      'account,date,reads',
      'wx_api_a,2021-11-05,100',
      'wx_api_a,2021-11-06T00:00:00+08:00,100',
      'wx_api_a,2021-11-07,12.5',
    ].join('\n');
    const res = await upload(planner, bad);
    expect(res.statusCode).toBe(422);
    expect(res.json().error.code).toBe('IMPORT_INVALID');
    expect(res.json().error.details.problems).toEqual([
      expect.objectContaining({ row: 3, column: 'date', code: 'IMPORT_BAD_DATE' }),
      expect.objectContaining({ row: 4, column: 'reads', code: 'IMPORT_BAD_NUMBER' }),
    ]);
    const wrongColumns = await upload(planner, 'account,date,views\nwx_api_a,2021-11-05,1');
    expect(wrongColumns.json().error.details.problems[0]).toMatchObject({
      row: 1,
      column: 'views',
      code: 'IMPORT_UNKNOWN_COLUMN',
    });
    expect(await h.db.selectFrom('metric_account_daily').select('date').execute()).toHaveLength(
      before.length,
    );
  });

  it('starts a backfill once, reports its progress, and refuses ranges beyond T+1', async () => {
    const body = { from: addDays(yesterday(), -9), to: yesterday() };
    const first = await call(planner, 'POST', `/api/accounts/${accountA}/backfill`, body);
    expect(first.statusCode).toBe(202);
    expect(first.json()).toMatchObject({ status: 'queued', totalDays: 10, doneDays: 0, percent: 0 });
    const second = await call(planner, 'POST', `/api/accounts/${accountA}/backfill`, body);
    expect(second.statusCode).toBe(200);
    expect(second.json().id).toBe(first.json().id);
    const progress = await call(editor, 'GET', `/api/accounts/${accountA}/backfills/${first.json().id}`);
    expect(progress.json()).toMatchObject({ id: first.json().id, status: 'queued' });
    const late = await call(planner, 'POST', `/api/accounts/${accountA}/backfill`, {
      from: yesterday(),
      to: dayOf(Date.now()),
    });
    expect(late.statusCode).toBe(422);
    expect(late.json().error.code).toBe('RANGE_NOT_FINAL');
    expect((await call(editor, 'POST', `/api/accounts/${accountA}/backfill`, body)).statusCode).toBe(403);
  });

  it('evaluates a percentage target whose baseline period has no data without failing: at risk, with the reason', async () => {
    const created = await call(planner, 'POST', `/api/orgs/${h.orgId}/kpi/targets`, {
      ...goodTarget,
      name: '无基线数据',
    });
    const kpi = await call(editor, 'GET', `/api/orgs/${h.orgId}/kpi`);
    expect(kpi.statusCode).toBe(200);
    const item = kpi.json().items.find((i: { target: { name: string } }) => i.target.name === '无基线数据');
    expect(item.growth).toMatchObject({ baselineValue: null, status: 'at_risk' });
    expect(item.growth.statusReason).toMatch(/基线期没有数据/);
    await call(planner, 'DELETE', `/api/orgs/${h.orgId}/kpi/targets/${created.json().id}`);
  });

  it('ranks the range’s most-read articles by the reads they had in it, for backend and portal', async () => {
    const article = (id: string, title: string, reads: number[], from = '2026-04-01') =>
      reads.map((r, i) => ({ externalArticleId: id, date: addDays(from, i), title, reads: r, shares: 1 }));
    await writeMetrics(h.db, accountA, {
      accountDays: [],
      articleDays: [
        ...article('a-1', '体彩公益金助力全民健身', [500, 300, 100]),
        // Published before the range: only its reads on 2026-04-01 onwards count.
        ...article('a-2', '旧文章', [9000, 50, 50], '2026-03-30'),
      ],
    });
    await writeMetrics(h.db, accountB, {
      accountDays: [],
      articleDays: [...article('b-1', '开奖公告', [400, 400])],
    });
    const top = await call(editor, 'GET', `/api/orgs/${h.orgId}/top-articles?from=2026-04-01&to=2026-04-30`);
    expect(top.statusCode).toBe(200);
    expect(top.json().items.map((a: { title: string; reads: number }) => [a.title, a.reads])).toEqual([
      ['体彩公益金助力全民健身', 900],
      ['开奖公告', 800],
      ['旧文章', 50],
    ]);
    expect(top.json().items[0]).toMatchObject({
      account: 'api_a',
      accountId: accountA,
      firstDay: '2026-04-01',
      shares: 3,
    });
    const limited = await call(
      viewer,
      'GET',
      `/portal/api/top-articles?from=2026-04-01&to=2026-04-30&limit=1&accounts=${accountB}`,
    );
    expect(limited.json().items).toEqual([expect.objectContaining({ title: '开奖公告', reads: 800 })]);
    const foreign = await call(
      viewer,
      'GET',
      `/portal/api/top-articles?from=2026-04-01&to=2026-04-30&accounts=${foreignAccount}`,
    );
    expect(foreign.json().error.code).toBe('ACCOUNT_NOT_IN_ORGANISATION');
    const bad = await call(viewer, 'GET', '/portal/api/top-articles?from=2026-04-01&to=2026-04-30&limit=500');
    expect(bad.statusCode).toBe(400);
    const reversed = await call(viewer, 'GET', '/portal/api/top-articles?from=2026-04-30&to=2026-04-01');
    expect(reversed.json().error.code).toBe('RANGE_INVALID');
  });

  it('the portal reads its own organisation’s KPI and series; the summary follows target changes', async () => {
    const empty = await call(viewer, 'GET', '/portal/api/kpi');
    expect(empty.statusCode).toBe(200);
    expect(empty.json()).toMatchObject({ organisationId: h.orgId, items: [] });
    await call(planner, 'POST', `/api/orgs/${h.orgId}/kpi/targets`, {
      ...goodTarget,
      metric: 'followers_total',
      name: '粉丝总数',
      baseline: null,
      milestones: [{ date: '2027-11-30', kind: 'absolute', value: 180_000 }],
    });
    const after = await call(viewer, 'GET', '/portal/api/kpi');
    expect(after.json().items).toHaveLength(1);
    expect(after.json().items[0].growth).toMatchObject({ metric: 'followers_total' });
    const series = await call(
      viewer,
      'GET',
      '/portal/api/metrics?from=2026-03-02&to=2026-03-29&granularity=month',
    );
    expect(series.json().accountIds.sort()).toEqual([accountA, accountB].sort());
    // A portal session cannot reach the backend, nor another organisation.
    expect((await call(viewer, 'GET', `/api/orgs/${otherOrg}/kpi`)).statusCode).toBe(401);
    expect((await call(planner, 'GET', '/portal/api/kpi')).statusCode).toBeGreaterThanOrEqual(401);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContentStatus } from '../../core/content/content.workflow.js';
import {
  createTestUser,
  type IdentityHarness,
  identityHarness,
  type SignedIn,
  signIn,
} from '../helpers/identity.js';

/**
 * Campaigns, deliverables and the campaign calendar over HTTP on real PostgreSQL: the 7-day contract
 * rule, organisation scoping on both surfaces, audit rows, and results computed from known figures.
 */
describe('campaigns API', () => {
  let h: IdentityHarness;
  let otherOrg: string;
  let planner: SignedIn;
  let plannerId: string;
  let editor: SignedIn;
  let viewer: SignedIn;
  let wechat: string;
  let weibo: string;
  let otherAccount: string;
  let published: string;
  let draft: string;
  let foreign: string;

  const account = async (organisationId: string, platform: 'wechat' | 'weibo', name: string) =>
    (
      await h.db
        .insertInto('accounts')
        .values({
          organisation_id: organisationId,
          platform,
          name,
          external_id: `${name}-${Math.random().toString(36).slice(2, 8)}`,
          ...(platform === 'wechat'
            ? { wechat_kind: 'subscription', verified: true, publish_mode: 'masssend' }
            : {}),
        } as never)
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  const content = async (organisationId: string, accountId: string, title: string, status: ContentStatus) =>
    (
      await h.db
        .insertInto('contents')
        .values({
          organisation_id: organisationId,
          account_id: accountId,
          kind: 'weibo_post',
          status,
          title,
          publish_at: null,
          scheduled_at: null,
          approved_revision: null,
          created_by: null,
          updated_by: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;

  beforeAll(async () => {
    h = await identityHarness({ TOTP_REQUIRED_ROLES: 'none' });
    otherOrg = (
      await h.db
        .insertInto('organisations')
        .values({ slug: 'city-gov-campaigns', name: '市政府' })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    const p = await createTestUser(h, 'planner');
    plannerId = p.id;
    planner = await signIn(h.app, p);
    editor = await signIn(h.app, await createTestUser(h, 'editor'));
    viewer = await signIn(h.app, await createTestUser(h, 'client_viewer'));
    wechat = await account(h.orgId, 'wechat', 'lottery-wx');
    weibo = await account(h.orgId, 'weibo', 'lottery-wb');
    otherAccount = await account(otherOrg, 'weibo', 'city-wb');
    published = await content(h.orgId, wechat, '体彩公益金助力全民健身', 'published');
    draft = await content(h.orgId, weibo, '内部草稿', 'draft');
    foreign = await content(otherOrg, otherAccount, '市政府发布', 'published');
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  const base = (org = h.orgId) => `/api/orgs/${org}`;
  const post = (url: string, payload: object, who: SignedIn = planner, lang?: string) =>
    h.app.inject({
      method: 'POST',
      url,
      headers: { ...who.headers, ...(lang ? { 'accept-language': lang } : {}) },
      payload,
    });
  const get = (url: string, who: SignedIn = planner) =>
    h.app.inject({ url, headers: { cookie: who.cookie } });
  const campaign = (over: Record<string, unknown> = {}, org = h.orgId) =>
    post(`${base(org)}/campaigns`, {
      type: 'theme',
      name: '全民健身月',
      startsOn: '2026-03-01',
      endsOn: '2026-03-10',
      ...over,
    });
  const auditOf = async (targetId: string) =>
    h.db
      .selectFrom('audit_log')
      .select(['action', 'actor_user_id', 'actor_role', 'organisation_id', 'details'])
      .where('target_id', '=', targetId)
      .orderBy('id')
      .execute();

  it('creates, lists, changes and deletes a campaign, auditing each change', async () => {
    const created = await campaign({
      description: '配合全民健身日的系列推送',
      goals: [{ metric: 'reads', target: 10000, note: '阅读一万' }],
    });
    expect(created.statusCode).toBe(201);
    const c = created.json();
    expect(c).toMatchObject({
      organisationId: h.orgId,
      type: 'theme',
      name: '全民健身月',
      startsOn: '2026-03-01',
      endsOn: '2026-03-10',
      days: 10,
      shortEvent: false,
      countsForContract: true,
      goals: [{ metric: 'reads', target: 10000, note: '阅读一万' }],
      contentCount: 0,
      createdBy: plannerId,
    });

    const list = await get(`${base()}/campaigns?from=2026-03-10&to=2026-04-01&type=theme`);
    expect(list.statusCode).toBe(200);
    expect(list.json().items.map((x: { id: string }) => x.id)).toContain(c.id);
    const outside = await get(`${base()}/campaigns?from=2026-03-11`);
    expect(outside.json().items.map((x: { id: string }) => x.id)).not.toContain(c.id);

    const patched = await h.app.inject({
      method: 'PATCH',
      url: `${base()}/campaigns/${c.id}`,
      headers: planner.headers,
      payload: { name: '全民健身宣传月', endsOn: '2026-03-15' },
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ name: '全民健身宣传月', endsOn: '2026-03-15', days: 15 });

    const one = await get(`${base()}/campaigns/${c.id}`);
    expect(one.statusCode).toBe(200);
    expect(one.json()).toMatchObject({ id: c.id, name: '全民健身宣传月', contents: [], deliverables: [] });

    const deleted = await h.app.inject({
      method: 'DELETE',
      url: `${base()}/campaigns/${c.id}`,
      headers: planner.headers,
    });
    expect(deleted.statusCode).toBe(204);
    expect((await get(`${base()}/campaigns/${c.id}`)).json().error.code).toBe('CAMPAIGN_NOT_FOUND');

    const audit = await auditOf(c.id);
    expect(audit.map((a) => a.action)).toEqual(['campaign.created', 'campaign.updated', 'campaign.deleted']);
    for (const a of audit)
      expect(a).toMatchObject({ actor_user_id: plannerId, actor_role: 'planner', organisation_id: h.orgId });
    expect(audit[1]?.details).toEqual({
      changes: {
        name: { from: '全民健身月', to: '全民健身宣传月' },
        endsOn: { from: '2026-03-10', to: '2026-03-15' },
      },
    });
  });

  it('refuses a campaign shorter than 7 days unless it is a short event, which then does not count', async () => {
    const short = await campaign({ startsOn: '2026-05-01', endsOn: '2026-05-06' });
    expect(short.statusCode).toBe(422);
    expect(short.json().error.code).toBe('CAMPAIGN_TOO_SHORT');
    expect(short.json().error.message).toContain('合同只计入持续至少 7 天的活动');
    const en = await post(
      `${base()}/campaigns`,
      { type: 'marketing', name: 'x', startsOn: '2026-05-01', endsOn: '2026-05-01' },
      planner,
      'en',
    );
    expect(en.json().error.message).toMatch(/at least 7 days/);

    const week = await campaign({ startsOn: '2026-05-01', endsOn: '2026-05-07' });
    expect(week.json()).toMatchObject({ days: 7, shortEvent: false, countsForContract: true });

    const event = await campaign({
      type: 'marketing',
      startsOn: '2026-05-01',
      endsOn: '2026-05-03',
      shortEvent: true,
    });
    expect(event.statusCode).toBe(201);
    expect(event.json()).toMatchObject({ days: 3, shortEvent: true, countsForContract: false });

    // Stretched to 8 days it is a full campaign and counts again; shortened without the flag, refused.
    const patch = (id: string, payload: object) =>
      h.app.inject({ method: 'PATCH', url: `${base()}/campaigns/${id}`, headers: planner.headers, payload });
    const stretched = await patch(event.json().id, { endsOn: '2026-05-08' });
    expect(stretched.json()).toMatchObject({ days: 8, shortEvent: false, countsForContract: true });
    const shortened = await patch(event.json().id, { endsOn: '2026-05-02' });
    expect(shortened.json().error.code).toBe('CAMPAIGN_TOO_SHORT');
    const rows = await h.db
      .selectFrom('campaigns')
      .select(['ends_on', 'short_event'])
      .where('id', '=', event.json().id)
      .executeTakeFirstOrThrow();
    expect(rows).toEqual({ ends_on: '2026-05-08', short_event: false });
  });

  it('refuses reversed dates, impossible or malformed days, unknown fields and bad names', async () => {
    const stored = async () => (await h.db.selectFrom('campaigns').select('id').execute()).length;
    const before = await stored();
    const reversed = await campaign({ startsOn: '2026-06-10', endsOn: '2026-06-01' });
    expect([reversed.statusCode, reversed.json().error.code]).toEqual([422, 'CAMPAIGN_DATES_REVERSED']);

    const feb30 = await campaign({ startsOn: '2026-02-30', endsOn: '2026-03-20' });
    expect(feb30.statusCode).toBe(400);
    expect(feb30.json().error).toMatchObject({
      code: 'INVALID_DATE',
      details: { field: 'startsOn', value: '2026-02-30' },
    });
    const slashes = await campaign({ startsOn: '2026/01/01', endsOn: '2026-01-20' });
    expect([slashes.statusCode, slashes.json().error.code]).toEqual([400, 'VALIDATION_FAILED']);

    for (const bad of [
      { owner: 'someone' },
      { name: '' },
      { name: 'x'.repeat(201) },
      { type: 'party' },
      { goals: [{ metric: 'reads', target: -1 }] },
    ]) {
      const res = await campaign(bad);
      expect([res.statusCode, res.json().error.code], JSON.stringify(bad)).toEqual([
        400,
        'VALIDATION_FAILED',
      ]);
    }
    expect(await stored()).toBe(before);
  });

  it("links only the organisation's own contents; another organisation's campaign is not found", async () => {
    const c = (await campaign({ name: '链接测试' })).json();
    const link = (contentId: string, method: 'PUT' | 'DELETE' = 'PUT', org = h.orgId, id = c.id) =>
      h.app.inject({
        method,
        url: `${base(org)}/campaigns/${id}/contents/${contentId}`,
        headers: planner.headers,
      });
    const refused = await link(foreign);
    expect([refused.statusCode, refused.json().error.code]).toEqual([422, 'CAMPAIGN_CONTENT_FOREIGN']);
    const unknown = await link('00000000-0000-4000-8000-000000000000');
    expect([unknown.statusCode, unknown.json().error.code]).toEqual([404, 'CONTENT_NOT_FOUND']);

    expect((await link(published)).json().items.map((x: { id: string }) => x.id)).toEqual([published]);
    expect((await link(published)).json().items).toHaveLength(1);
    expect(
      (await get(`${base()}/campaigns?type=theme`)).json().items.find((x: { id: string }) => x.id === c.id),
    ).toMatchObject({ contentCount: 1 });
    expect((await link(published, 'DELETE')).json().items).toEqual([]);
    expect((await auditOf(c.id)).map((a) => a.action)).toEqual([
      'campaign.created',
      'campaign.content_linked',
      'campaign.content_unlinked',
    ]);

    // The same campaign through another organisation's path, or another's campaign: 404 either way.
    const other = (await campaign({ name: '市政府活动' }, otherOrg)).json();
    expect((await get(`${base(otherOrg)}/campaigns/${c.id}`)).json().error.code).toBe('CAMPAIGN_NOT_FOUND');
    expect((await link(published, 'PUT', h.orgId, other.id)).json().error.code).toBe('CAMPAIGN_NOT_FOUND');
    const missingOrg = await get(`${base('00000000-0000-4000-8000-000000000001')}/campaigns`);
    expect([missingOrg.statusCode, missingOrg.json().error.code]).toEqual([404, 'ORGANISATION_NOT_FOUND']);
  });

  it('computes reads, shares and net followers from the daily figures, with the uplift on the period before', async () => {
    const c = (
      await campaign({
        type: 'marketing',
        name: '大乐透加奖',
        startsOn: '2026-03-10',
        endsOn: '2026-03-16',
        goals: [
          { metric: 'reads', target: 400 },
          { metric: 'net_followers', target: 50 },
          { metric: 'original_articles', target: 2, note: '原创两篇' },
        ],
      })
    ).json();
    const bare = (
      await campaign({ type: 'marketing', name: '无关联内容', startsOn: '2026-03-10', endsOn: '2026-03-16' })
    ).json();
    await h.app.inject({
      method: 'PUT',
      url: `${base()}/campaigns/${c.id}/contents/${published}`,
      headers: planner.headers,
    });

    const article = (
      date: string,
      ext: string,
      reads: number | null,
      shares: number | null,
      contentId: string | null = published,
    ) => ({
      account_id: wechat,
      external_article_id: ext,
      date,
      content_id: contentId,
      reads,
      shares,
    });
    await h.db
      .insertInto('metric_article_daily')
      .values([
        article('2026-03-09', 'm1_1', 999, 99), // the day before: not counted
        article('2026-03-10', 'm1_1', 100, 5),
        article('2026-03-10', 'm1_2', 20, 1), // second article of the edition
        article('2026-03-12', 'm1_1', 250, null),
        article('2026-03-16', 'm1_1', 50, 3),
        article('2026-03-17', 'm1_1', 777, 77), // the day after: not counted
        article('2026-03-11', 'other', 5000, 500, null), // not a linked content
      ])
      .execute();
    const day = (accountId: string, date: string, newF: number | null, lost: number | null) => ({
      account_id: accountId,
      date,
      new_followers: newF,
      lost_followers: lost,
    });
    await h.db
      .insertInto('metric_account_daily')
      .values([
        // The 7 days before (03-03..03-09): 8 + 0 + 4 = 12.
        day(wechat, '2026-03-02', 500, 0), // 8 days before: outside
        day(wechat, '2026-03-03', 10, 2),
        day(wechat, '2026-03-05', 5, 5),
        day(wechat, '2026-03-09', 4, 0),
        // The campaign: 27 + 10 + 3 = 40; 03-11 lacks lost followers, so it has no figure.
        day(wechat, '2026-03-10', 30, 3),
        day(wechat, '2026-03-11', 20, null),
        day(wechat, '2026-03-13', 15, 5),
        day(wechat, '2026-03-16', 3, 0),
        // The Weibo account has no linked content: counted only for the campaign without links.
        day(weibo, '2026-03-10', 1000, 0),
        day(weibo, '2026-03-08', 0, 6),
        day(otherAccount, '2026-03-10', 77777, 0),
      ])
      .execute();

    const res = await get(`${base()}/campaigns/${c.id}`);
    expect(res.statusCode).toBe(200);
    const r = res.json().results;
    expect(r).toMatchObject({
      startsOn: '2026-03-10',
      endsOn: '2026-03-16',
      days: 7,
      linkedContents: 1,
      reads: { total: 420, daysWithData: 3 },
      shares: { total: 9, daysWithData: 2 },
      netFollowers: {
        scope: 'linked_accounts',
        accounts: 1,
        total: 40,
        daysWithData: 3,
        missingAccountDays: 4,
        before: { from: '2026-03-03', to: '2026-03-09', total: 12, daysWithData: 3 },
        uplift: 28,
        upliftPercent: 233.33,
      },
    });
    expect(r.goals).toEqual([
      { metric: 'reads', target: 400, note: null, measured: true, achieved: 420, percent: 105, met: true },
      {
        metric: 'net_followers',
        target: 50,
        note: null,
        measured: true,
        achieved: 40,
        percent: 80,
        met: false,
      },
      {
        metric: 'original_articles',
        target: 2,
        note: '原创两篇',
        measured: false,
        achieved: null,
        percent: null,
        met: null,
      },
    ]);
    expect(r.series).toEqual([
      { date: '2026-03-10', reads: 120, shares: 6, netFollowers: 27 },
      { date: '2026-03-11', reads: null, shares: null, netFollowers: null },
      { date: '2026-03-12', reads: 250, shares: null, netFollowers: null },
      { date: '2026-03-13', reads: null, shares: null, netFollowers: 10 },
      { date: '2026-03-14', reads: null, shares: null, netFollowers: null },
      { date: '2026-03-15', reads: null, shares: null, netFollowers: null },
      { date: '2026-03-16', reads: 50, shares: 3, netFollowers: 3 },
    ]);

    // Nothing linked: every account of the organisation, none of another's; no reads to speak of.
    const b = (await get(`${base()}/campaigns/${bare.id}`)).json().results;
    expect(b).toMatchObject({
      linkedContents: 0,
      reads: { total: null, daysWithData: 0 },
      netFollowers: {
        scope: 'organisation',
        accounts: 2,
        total: 1040,
        before: { total: 6, daysWithData: 4 },
        uplift: 1034,
        upliftPercent: 17233.33,
      },
    });
  });

  it('records, lists and removes deliverables, and shows them with campaigns on the calendar', async () => {
    const c = (
      await campaign({ name: '世界杯专题', type: 'topic', startsOn: '2026-06-11', endsOn: '2026-07-19' })
    ).json();
    const early = (await campaign({ name: '春季活动', startsOn: '2026-05-25', endsOn: '2026-06-12' })).json();
    const d1 = await post(`${base()}/deliverables`, {
      kind: 'topic_page',
      title: '世界杯竞猜专题页',
      deliveredOn: '2026-06-12',
      url: 'https://mp.weixin.qq.com/s/abc',
      campaignId: c.id,
    });
    expect(d1.statusCode).toBe(201);
    expect(d1.json()).toMatchObject({ kind: 'topic_page', campaignId: c.id, deliveredOn: '2026-06-12' });
    const d2 = await post(`${base()}/deliverables`, {
      kind: 'feature',
      title: '公益金在身边',
      deliveredOn: '2026-06-11',
    });
    const d3 = await post(`${base()}/deliverables`, {
      kind: 'feature',
      title: '往年栏目',
      deliveredOn: '2025-12-30',
    });
    expect([d2.statusCode, d3.statusCode]).toEqual([201, 201]);

    const june31 = await post(`${base()}/deliverables`, {
      kind: 'feature',
      title: 'x',
      deliveredOn: '2026-06-31',
    });
    expect([june31.statusCode, june31.json().error.code]).toEqual([400, 'INVALID_DATE']);
    for (const bad of [
      { kind: 'feature', title: 'x', deliveredOn: '2026-06-01', url: 'ftp://example.com/x' },
      { kind: 'poster', title: 'x', deliveredOn: '2026-06-01' },
      { kind: 'feature', title: 'x', deliveredOn: '2026-06-01', extra: 1 },
    ]) {
      const res = await post(`${base()}/deliverables`, bad);
      expect([res.statusCode, res.json().error.code], JSON.stringify(bad)).toEqual([
        400,
        'VALIDATION_FAILED',
      ]);
    }
    const otherCampaign = (await campaign({ name: '他人活动' }, otherOrg)).json();
    const crossed = await post(`${base()}/deliverables`, {
      kind: 'feature',
      title: 'x',
      deliveredOn: '2026-06-01',
      campaignId: otherCampaign.id,
    });
    expect(crossed.json().error.code).toBe('CAMPAIGN_NOT_FOUND');

    const titles = async (query: string) =>
      (await get(`${base()}/deliverables${query}`)).json().items.map((d: { title: string }) => d.title);
    expect(await titles('?year=2026')).toEqual(['公益金在身边', '世界杯竞猜专题页']);
    expect(await titles('?from=2025-12-01&to=2026-06-11')).toEqual(['往年栏目', '公益金在身边']);
    expect(await titles('')).toHaveLength(3);
    expect((await get(`${base()}/deliverables?year=2026&from=2026-01-01`)).statusCode).toBe(400);

    const detail = (await get(`${base()}/campaigns/${c.id}`)).json();
    expect(detail.deliverables.map((d: { id: string }) => d.id)).toEqual([d1.json().id]);

    const cal = await get(`${base()}/campaign-calendar?from=2026-06-01&to=2026-06-30`);
    expect(cal.statusCode).toBe(200);
    const entries = cal
      .json()
      .items.map((i: { entry: string; date: string; name?: string; title?: string }) =>
        [i.entry, i.date, i.name ?? i.title].join(' '),
      );
    expect(entries).toEqual([
      'campaign 2026-05-25 春季活动',
      'campaign 2026-06-11 世界杯专题',
      'deliverable 2026-06-11 公益金在身边',
      'deliverable 2026-06-12 世界杯竞猜专题页',
    ]);
    expect(early.id).toBeDefined();
    const long = await get(`${base()}/campaign-calendar?from=2026-01-01&to=2027-02-05`);
    expect([long.statusCode, long.json().error.code]).toEqual([422, 'RANGE_TOO_LONG']);
    const reversed = await get(`${base()}/campaign-calendar?from=2026-07-01&to=2026-06-01`);
    expect([reversed.statusCode, reversed.json().error.code]).toEqual([422, 'RANGE_INVALID']);
    const impossible = await get(`${base()}/campaign-calendar?from=2026-02-30&to=2026-06-01`);
    expect([impossible.statusCode, impossible.json().error.code]).toEqual([400, 'INVALID_DATE']);

    const del = () =>
      h.app.inject({
        method: 'DELETE',
        url: `${base()}/deliverables/${d2.json().id}`,
        headers: planner.headers,
      });
    expect((await del()).statusCode).toBe(204);
    expect((await del()).json().error.code).toBe('DELIVERABLE_NOT_FOUND');
    expect((await auditOf(d2.json().id)).map((a) => a.action)).toEqual([
      'deliverable.created',
      'deliverable.deleted',
    ]);
    const viaOther = await h.app.inject({
      method: 'DELETE',
      url: `${base(otherOrg)}/deliverables/${d1.json().id}`,
      headers: planner.headers,
    });
    expect(viaOther.json().error.code).toBe('DELIVERABLE_NOT_FOUND');
  });

  it('lets the editor read but not manage; the planner manages', async () => {
    const c = (await campaign({ name: '编辑只读' })).json();
    expect((await get(`${base()}/campaigns`, editor)).statusCode).toBe(200);
    expect((await get(`${base()}/campaigns/${c.id}`, editor)).statusCode).toBe(200);
    expect((await get(`${base()}/deliverables`, editor)).statusCode).toBe(200);
    expect((await get(`${base()}/campaign-calendar?from=2026-01-01&to=2026-12-31`, editor)).statusCode).toBe(
      200,
    );
    const attempts = [
      post(
        `${base()}/campaigns`,
        { type: 'theme', name: 'x', startsOn: '2026-01-01', endsOn: '2026-01-31' },
        editor,
      ),
      h.app.inject({
        method: 'PATCH',
        url: `${base()}/campaigns/${c.id}`,
        headers: editor.headers,
        payload: { name: 'y' },
      }),
      h.app.inject({ method: 'DELETE', url: `${base()}/campaigns/${c.id}`, headers: editor.headers }),
      h.app.inject({
        method: 'PUT',
        url: `${base()}/campaigns/${c.id}/contents/${published}`,
        headers: editor.headers,
      }),
      post(`${base()}/deliverables`, { kind: 'feature', title: 'x', deliveredOn: '2026-01-01' }, editor),
    ];
    for (const res of await Promise.all(attempts))
      expect([res.statusCode, res.json().error.code]).toEqual([403, 'FORBIDDEN']);
    expect((await get(`${base()}/campaigns/${c.id}`)).json()).toMatchObject({ name: '编辑只读' });
  });

  it("shows the portal user only their organisation's campaigns, read only", async () => {
    const own = (await campaign({ name: '门户可见', startsOn: '2026-09-01', endsOn: '2026-09-30' })).json();
    const theirs = (
      await campaign({ name: '他机构活动', startsOn: '2026-09-01', endsOn: '2026-09-30' }, otherOrg)
    ).json();
    for (const contentId of [published, draft])
      await h.app.inject({
        method: 'PUT',
        url: `${base()}/campaigns/${own.id}/contents/${contentId}`,
        headers: planner.headers,
      });

    const list = await get('/portal/api/campaigns?from=2026-09-01&to=2026-09-30', viewer);
    expect(list.statusCode).toBe(200);
    const names = list.json().items.map((x: { name: string }) => x.name);
    expect(names).toContain('门户可见');
    expect(names).not.toContain('他机构活动');

    const one = await get(`/portal/api/campaigns/${own.id}`, viewer);
    expect(one.statusCode).toBe(200);
    expect(one.json()).not.toHaveProperty('createdBy');
    // The client sees the published post, never the team's draft.
    expect(one.json().contents.map((x: { id: string }) => x.id)).toEqual([published]);
    expect(one.json().results.days).toBe(30);
    const foreignOne = await get(`/portal/api/campaigns/${theirs.id}`, viewer);
    expect([foreignOne.statusCode, foreignOne.json().error.code]).toEqual([404, 'CAMPAIGN_NOT_FOUND']);

    const cal = await get('/portal/api/campaign-calendar?from=2026-09-01&to=2026-09-30', viewer);
    expect(cal.json().items.map((i: { id: string }) => i.id)).toEqual([own.id]);

    const before = await h.db.selectFrom('campaigns').select('id').execute();
    const portalPost = await post(
      '/portal/api/campaigns',
      { type: 'theme', name: 'x', startsOn: '2026-01-01', endsOn: '2026-01-31' },
      viewer,
    );
    expect(portalPost.statusCode).toBe(404);
    const backendWithPortalSession = await post(
      `${base()}/campaigns`,
      { type: 'theme', name: 'x', startsOn: '2026-01-01', endsOn: '2026-01-31' },
      viewer,
    );
    expect([401, 403]).toContain(backendWithPortalSession.statusCode);
    const swapped = await h.app.inject({
      url: `${base()}/campaigns`,
      headers: { cookie: viewer.cookie.replace('yy_portal_sid', 'yy_sid') },
    });
    expect([swapped.statusCode, swapped.json().error.code]).toEqual([403, 'WRONG_SURFACE']);
    expect(await h.db.selectFrom('campaigns').select('id').execute()).toHaveLength(before.length);
  });
});

import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadWorkingCalendar } from '../../core/calendar/working-days.js';
import { transition } from '../../core/content/content.workflow.js';
import { collectSlaEvents } from '../../core/content/sla.js';
import { mediaPath } from '../../core/media/media.service.js';
import { article, png, uploadImage } from '../helpers/content.js';
import {
  createTestUser,
  type IdentityHarness,
  identityHarness,
  type SignedIn,
  signIn,
  type TestUser,
} from '../helpers/identity.js';

describe('content: editions, Weibo posts, media, proofreading, review and the SLA (real PostgreSQL)', () => {
  let h: IdentityHarness;
  let dataDir: string;
  let admin: SignedIn;
  let author: SignedIn;
  let authorUser: TestUser;
  let reviewer: SignedIn;
  let reviewerUser: TestUser;
  let planner: SignedIn;
  let approver: SignedIn;
  let otherApprover: SignedIn;
  let wechatId: string;
  let weiboId: string;
  let masssendId: string;
  let coverId: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'yy-content-'));
    h = await identityHarness({
      TOTP_REQUIRED_ROLES: 'none',
      DATA_DIR: dataDir,
      SCHEDULE_HORIZON_DAYS: '30',
    });
    admin = await signIn(h.app, await createTestUser(h, 'superadmin'));
    authorUser = await createTestUser(h, 'editor');
    author = await signIn(h.app, authorUser);
    reviewerUser = await createTestUser(h, 'editor');
    reviewer = await signIn(h.app, reviewerUser);
    planner = await signIn(h.app, await createTestUser(h, 'planner'));
    approver = await signIn(h.app, await createTestUser(h, 'client_approver'));
    // A client approver of another organisation.
    const other = await h.db
      .insertInto('organisations')
      .values({ slug: `other-${Date.now()}`, name: '市政府' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const otherUser = await createTestUser(h, 'client_approver');
    await h.db
      .updateTable('users')
      .set({ organisation_id: other.id })
      .where('id', '=', otherUser.id)
      .execute();
    otherApprover = await signIn(h.app, otherUser);

    const account = async (payload: Record<string, unknown>) => {
      const res = await h.app.inject({
        method: 'POST',
        url: '/api/accounts',
        headers: admin.headers,
        payload: { organisationId: h.orgId, ...payload },
      });
      expect(res.statusCode).toBe(201);
      return res.json().id as string;
    };
    wechatId = await account({
      platform: 'wechat',
      name: '体彩公众号',
      externalId: 'wx_content_test',
      wechatKind: 'subscription',
      verified: true,
      // freepublish has no daily quota; the mass-send quota has its own test below.
      publishMode: 'freepublish',
    });
    masssendId = await account({
      platform: 'wechat',
      name: '体彩订阅号',
      externalId: 'wx_masssend_test',
      wechatKind: 'subscription',
      verified: true,
      publishMode: 'masssend',
    });
    weiboId = await account({ platform: 'weibo', name: '体彩微博', externalId: '5566778899' });
    const cover = await uploadImage(h.app, author, h.orgId, png('cover'));
    expect(cover.statusCode).toBe(201);
    coverId = cover.json().id;
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const api = (who: SignedIn, method: string, url: string, payload?: unknown) =>
    h.app.inject({
      method: method as 'GET',
      url,
      headers: who.headers,
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
  const count = async (table: 'contents' | 'content_revisions' | 'media') =>
    Number((await h.db.selectFrom(table).select(h.db.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const edition = (articles: unknown[], extra: Record<string, unknown> = {}) =>
    api(author, 'POST', '/api/contents', {
      accountId: wechatId,
      body: { kind: 'wechat_edition', articles },
      ...extra,
    });
  const inFuture = (hours: number) => new Date(Date.now() + hours * 3600_000).toISOString();

  describe('media library', () => {
    it('stores an image once by SHA-256 and answers the same id for the same bytes', async () => {
      const bytes = png('dedupe');
      const first = await uploadImage(h.app, author, h.orgId, bytes, '封面.png');
      const again = await uploadImage(h.app, author, h.orgId, bytes, 'other-name.png');
      expect(first.statusCode).toBe(201);
      expect(again.statusCode).toBe(200);
      expect(again.json().id).toBe(first.json().id);
      expect(first.json()).toMatchObject({
        mime: 'image/png',
        width: 1,
        height: 1,
        originalName: '封面.png',
      });
      expect(existsSync(mediaPath(dataDir, first.json().sha256))).toBe(true);
      const file = await api(author, 'GET', first.json().url);
      expect(file.statusCode).toBe(200);
      expect(file.headers['content-type']).toBe('image/png');
      expect(file.rawPayload.equals(bytes)).toBe(true);
    });

    it('refuses a 30 MB file and a file that claims to be an image but is not; nothing is stored', async () => {
      const before = await count('media');
      const big = await uploadImage(h.app, author, h.orgId, Buffer.alloc(30 * 1024 * 1024, 1), 'big.png');
      expect(big.statusCode).toBe(413);
      expect(big.json().error.code).toBe('MEDIA_TOO_LARGE');
      expect(big.json().error.message).toMatch(/文件过大/);
      const fake = await uploadImage(h.app, author, h.orgId, Buffer.from('<svg onload=alert(1)>'), 'x.png');
      expect(fake.statusCode).toBe(415);
      expect(fake.json().error).toMatchObject({ code: 'MEDIA_TYPE_REFUSED' });
      expect(fake.json().error.message).toMatch(/JPEG/);
      const truncated = await uploadImage(h.app, author, h.orgId, png().subarray(0, 20), 'cut.png');
      expect(truncated.statusCode).toBe(422);
      expect(truncated.json().error.code).toBe('MEDIA_UNREADABLE');
      expect(await count('media')).toBe(before);
    });

    it('needs a multipart body, and a planner may look but not upload', async () => {
      const json = await api(author, 'POST', `/api/media?organisationId=${h.orgId}`, { file: 'x' });
      expect(json.statusCode).toBe(415);
      expect((await uploadImage(h.app, planner, h.orgId, png('p'))).statusCode).toBe(403);
      expect((await api(planner, 'GET', `/api/media?organisationId=${h.orgId}`)).statusCode).toBe(200);
    });
  });

  describe('saving content', () => {
    it('creates an edition: HTML sanitised, counts and limits reported, typos found, revision 1', async () => {
      const res = await edition([
        article({
          contentHtml: `<p onclick="steal()">工作中要警钟常鸣。</p><script>alert(1)</script><img src="/api/media/${coverId}/file" onerror="x()">`,
          coverMediaId: coverId,
        }),
      ]);
      expect(res.statusCode).toBe(201);
      const c = res.json();
      expect(c).toMatchObject({
        status: 'draft',
        revision: 1,
        kind: 'wechat_edition',
        title: '体彩公益金助力全民健身',
      });
      const html = c.body.articles[0].contentHtml as string;
      expect(html).not.toMatch(/script|onclick|onerror/i);
      expect(html).toContain(`/api/media/${coverId}/file`);
      expect(c.report.articles[0]).toEqual({ characters: 9, words: 8, images: 1 });
      expect(c.report.checks).toContainEqual({
        field: 'articles.0.title',
        value: 11,
        limit: 32,
        unit: 'chars',
        ok: true,
      });
      expect(c.findings).toContainEqual(
        expect.objectContaining({
          field: 'articles.0.body',
          match: '警钟常鸣',
          suggestion: '警钟长鸣',
          severity: 'warn',
        }),
      );
    });

    it('refuses bad input with a stable code and a Chinese message, storing nothing', async () => {
      const before = [await count('contents'), await count('content_revisions')];
      const cases: Array<[string, Promise<{ statusCode: number; json(): any }>, number, string]> = [
        ['9 articles', edition(Array.from({ length: 9 }, () => article())), 422, 'TOO_MANY_ARTICLES'],
        ['no articles', edition([]), 400, 'VALIDATION_FAILED'],
        ['empty title', edition([article({ title: '' })]), 400, 'VALIDATION_FAILED'],
        ['blank title', edition([article({ title: '   ' })]), 422, 'CONTENT_FIELD_INVALID'],
        ['33-character title', edition([article({ title: '标'.repeat(33) })]), 400, 'VALIDATION_FAILED'],
        ['17-character author', edition([article({ author: '作'.repeat(17) })]), 400, 'VALIDATION_FAILED'],
        [
          'body of only markup',
          edition([article({ contentHtml: '<script>x</script>' })]),
          422,
          'CONTENT_FIELD_INVALID',
        ],
        [
          'body of 20,000 characters',
          edition([article({ contentHtml: `<p>${'字'.repeat(20_000)}</p>` })]),
          422,
          'CONTENT_FIELD_INVALID',
        ],
        ['unknown cover', edition([article({ coverMediaId: crypto.randomUUID() })]), 422, 'MEDIA_NOT_FOUND'],
        ['a time in the past', edition([article()], { publishAt: inFuture(-1) }), 422, 'SCHEDULE_IN_PAST'],
        [
          'beyond the horizon',
          edition([article()], { publishAt: inFuture(31 * 24) }),
          422,
          'SCHEDULE_BEYOND_HORIZON',
        ],
        [
          'a Weibo post on a WeChat account',
          api(author, 'POST', '/api/contents', {
            accountId: wechatId,
            body: { kind: 'weibo_post', text: '你好' },
          }),
          422,
          'CONTENT_KIND_MISMATCH',
        ],
        [
          'a Weibo post over 140',
          api(author, 'POST', '/api/contents', {
            accountId: weiboId,
            body: { kind: 'weibo_post', text: '长'.repeat(141) },
          }),
          422,
          'CONTENT_FIELD_INVALID',
        ],
        ['an unknown field', edition([{ ...article(), script: '<x>' }]), 400, 'VALIDATION_FAILED'],
      ];
      for (const [name, pending, status, code] of cases) {
        const res = await pending;
        expect({ name, status: res.statusCode, code: res.json().error.code }).toEqual({ name, status, code });
        expect(res.json().error.message, name).toMatch(/[\u4e00-\u9fff]/);
      }
      const blank = await edition([article({ title: '   ' })]);
      expect(blank.json().error.message).toBe('第 1 篇标题不能为空');
      expect([await count('contents'), await count('content_revisions')]).toEqual(before);
    });

    it('keeps every revision; a stale base revision is refused', async () => {
      const c = (await edition([article()])).json();
      const edit = await api(author, 'PATCH', `/api/contents/${c.id}`, {
        baseRevision: 1,
        body: {
          kind: 'wechat_edition',
          articles: [article({ title: '第二版标题' }), article({ title: '副条' })],
        },
      });
      expect(edit.statusCode).toBe(200);
      expect(edit.json()).toMatchObject({ revision: 2, title: '第二版标题', status: 'draft' });
      const stale = await api(author, 'PATCH', `/api/contents/${c.id}`, {
        baseRevision: 1,
        body: { kind: 'wechat_edition', articles: [article({ title: '覆盖' })] },
      });
      expect(stale.statusCode).toBe(409);
      expect(stale.json().error.code).toBe('CONTENT_CONFLICT');
      const history = (await api(author, 'GET', `/api/contents/${c.id}/revisions`)).json().items;
      expect(history.map((r: { revision: number }) => r.revision)).toEqual([2, 1]);
      const first = (await api(author, 'GET', `/api/contents/${c.id}/revisions/1`)).json();
      expect(first.body.articles[0].title).toBe('体彩公益金助力全民健身');
    });
  });

  describe('articles of an edition and removing images', () => {
    it('adds, replaces and removes single articles, each a new revision; at most 8, at least 1', async () => {
      const c = (await edition([article({ title: '头条' })])).json();
      const added = await api(author, 'POST', `/api/contents/${c.id}/articles`, {
        article: article({ title: '次条' }),
      });
      expect(added.json()).toMatchObject({ revision: 2 });
      expect(added.json().body.articles.map((a: { title: string }) => a.title)).toEqual(['头条', '次条']);
      const first = await api(author, 'POST', `/api/contents/${c.id}/articles`, {
        article: article({ title: '新头条' }),
        position: 0,
      });
      expect(first.json().body.articles.map((a: { title: string }) => a.title)).toEqual([
        '新头条',
        '头条',
        '次条',
      ]);
      expect(first.json().title).toBe('新头条');
      const replaced = await api(author, 'PUT', `/api/contents/${c.id}/articles/2`, {
        article: article({ title: '改过的次条' }),
      });
      expect(replaced.json().body.articles[2].title).toBe('改过的次条');
      const removed = await api(author, 'DELETE', `/api/contents/${c.id}/articles/0`);
      expect(removed.json()).toMatchObject({ revision: 5 });
      expect(removed.json().body.articles).toHaveLength(2);
      const missing = await api(author, 'PUT', `/api/contents/${c.id}/articles/5`, { article: article() });
      expect(missing.json().error.code).toBe('ARTICLE_NOT_FOUND');
      for (let i = 0; i < 6; i++)
        await api(author, 'POST', `/api/contents/${c.id}/articles`, { article: article() });
      const ninth = await api(author, 'POST', `/api/contents/${c.id}/articles`, { article: article() });
      expect(ninth.json().error.code).toBe('TOO_MANY_ARTICLES');
      const single = (await edition([article()])).json();
      const last = await api(author, 'DELETE', `/api/contents/${single.id}/articles/0`);
      expect(last.json().error.code).toBe('EDITION_NEEDS_ARTICLE');
      expect((await api(author, 'GET', `/api/contents/${single.id}`)).json().revision).toBe(1);
    });

    it('an image used by any revision cannot be removed; an unused one is removed with its file', async () => {
      const used = await api(author, 'DELETE', `/api/media/${coverId}`);
      expect(used.statusCode).toBe(409);
      expect(used.json().error.code).toBe('MEDIA_IN_USE');
      const spare = (await uploadImage(h.app, author, h.orgId, png('spare'))).json();
      const gone = await api(author, 'DELETE', `/api/media/${spare.id}`);
      expect(gone.statusCode).toBe(204);
      expect(existsSync(mediaPath(dataDir, spare.sha256))).toBe(false);
      expect((await api(author, 'GET', `/api/media/${spare.id}`)).statusCode).toBe(404);
    });
  });

  describe('review workflow', () => {
    const ready = async () => {
      const c = (await edition([article({ coverMediaId: coverId })])).json();
      const submitted = await api(author, 'POST', `/api/contents/${c.id}/submit`, {});
      expect(submitted.statusCode, submitted.body).toBe(200);
      return c.id as string;
    };

    beforeAll(async () => {
      const res = await api(admin, 'PUT', `/api/organisations/${h.orgId}/review-settings`, {
        reviewSteps: 1,
        allowSelfApproval: false,
        reviewerUserIds: [reviewerUser.id, authorUser.id],
      });
      expect(res.statusCode, res.body).toBe(200);
    });

    it('submission needs a cover; blocking findings need an editor’s reason, which is audited', async () => {
      const c = (await edition([article({ contentHtml: '<p>这是违禁表述的例子。</p>' })])).json();
      const noCover = await api(author, 'POST', `/api/contents/${c.id}/submit`, {});
      expect(noCover.json().error).toMatchObject({
        code: 'CONTENT_INCOMPLETE',
        message: expect.stringContaining('封面'),
      });
      await api(author, 'PATCH', `/api/contents/${c.id}`, {
        body: {
          kind: 'wechat_edition',
          articles: [article({ contentHtml: '<p>这是违禁表述的例子。</p>', coverMediaId: coverId })],
        },
      });
      const entry = await api(author, 'POST', '/api/proofreading/entries', {
        organisationId: h.orgId,
        pattern: '违禁表述',
        suggestion: '规范表述',
        severity: 'block',
        category: 'formulation',
      });
      expect(entry.statusCode).toBe(201);
      const blocked = await api(author, 'POST', `/api/contents/${c.id}/submit`, {});
      expect(blocked.statusCode).toBe(422);
      expect(blocked.json().error.code).toBe('PROOFREADING_BLOCKED');
      expect(blocked.json().error.details.findings[0]).toMatchObject({
        match: '违禁表述',
        severity: 'block',
      });
      expect((await api(author, 'GET', `/api/contents/${c.id}`)).json().status).toBe('draft');
      const overridden = await api(author, 'POST', `/api/contents/${c.id}/submit`, {
        overrideReason: '引用原文，不作修改',
      });
      expect(overridden.json().status).toBe('in_review');
      const audit = await h.db
        .selectFrom('audit_log')
        .select(['details', 'actor_user_id'])
        .where('action', '=', 'content.proof_override')
        .where('target_id', '=', c.id)
        .executeTakeFirstOrThrow();
      expect(audit.actor_user_id).toBe(authorUser.id);
      expect(audit.details).toMatchObject({ reason: '引用原文，不作修改' });
    });

    it('the author may not approve their own content when the organisation forbids it', async () => {
      const id = await ready();
      const res = await api(author, 'POST', `/api/contents/${id}/review`, { decision: 'approved' });
      expect(res.statusCode).toBe(403);
      expect(res.json().error).toMatchObject({
        code: 'SELF_APPROVAL_FORBIDDEN',
        message: '本机构不允许审核自己撰写的内容',
      });
      expect((await api(author, 'GET', `/api/contents/${id}`)).json().status).toBe('in_review');
    });

    it('a backend user who is not a named reviewer cannot review; a planner named as one can', async () => {
      const id = await ready();
      const stranger = await signIn(h.app, await createTestUser(h, 'editor'));
      const res = await api(stranger, 'POST', `/api/contents/${id}/review`, { decision: 'approved' });
      expect(res.json().error.code).toBe('NOT_A_REVIEWER');
    });

    it('three-step review (三审): each step by a different person, portal and backend; the last approval schedules ASAP with the SLA', async () => {
      await api(admin, 'PUT', `/api/organisations/${h.orgId}/review-settings`, { reviewSteps: 2 });
      const id = await ready();
      const step1 = await api(reviewer, 'POST', `/api/contents/${id}/review`, {
        decision: 'approved',
        comment: '一审通过',
      });
      expect(step1.json()).toMatchObject({
        status: 'in_review',
        review: { stepsRequired: 2, steps: [{ step: 1, surface: 'backend' }] },
      });
      const twice = await api(reviewer, 'POST', `/api/contents/${id}/review`, { decision: 'approved' });
      expect(twice.json().error.code).toBe('ALREADY_REVIEWED');
      // The portal approver sees it in the inbox, previews it as a follower would, and approves.
      const inbox = (await api(approver, 'GET', '/portal/api/contents')).json().items;
      expect(inbox.map((i: { id: string }) => i.id)).toContain(id);
      const preview = await api(approver, 'GET', `/portal/api/contents/${id}/preview`);
      expect(preview.headers['content-type']).toMatch(/text\/html/);
      expect(preview.body).toContain('体彩公益金助力全民健身');
      expect(preview.body).toContain(`/portal/api/contents/${id}/media/${coverId}`);
      const image = await api(approver, 'GET', `/portal/api/contents/${id}/media/${coverId}`);
      expect(image.statusCode).toBe(200);
      const before = Date.now();
      const step2 = await api(approver, 'POST', `/portal/api/contents/${id}/review`, {
        decision: 'approved',
        revision: 1,
      });
      expect(step2.statusCode, step2.body).toBe(200);
      const c = step2.json();
      expect(c).toMatchObject({
        status: 'scheduled',
        approvedRevision: 1,
        review: { steps: [{ step: 1 }, { step: 2, surface: 'portal' }] },
      });
      const calendar = await loadWorkingCalendar(h.db);
      const minutes = calendar.isWorkingInstant(new Date(c.sla.approvedAt)) ? 60 : 120;
      expect(new Date(c.sla.deadline).getTime() - new Date(c.sla.approvedAt).getTime()).toBe(
        minutes * 60_000,
      );
      expect(new Date(c.scheduledAt).getTime()).toBeGreaterThanOrEqual(before - 1000);
      expect(c.sla.outcome).toBe('pending');
      const timeline = (await api(author, 'GET', `/api/contents/${id}/timeline`)).json().items;
      expect(timeline.map((t: { action: string }) => t.action)).toEqual(['submit', 'approve', 'schedule']);
      await api(admin, 'PUT', `/api/organisations/${h.orgId}/review-settings`, { reviewSteps: 1 });
    });

    it('editing scheduled content sends it back to review and voids its SLA; reschedule moves it', async () => {
      const id = await ready();
      await api(reviewer, 'POST', `/api/contents/${id}/review`, { decision: 'approved' });
      const moved = await api(author, 'POST', `/api/contents/${id}/reschedule`, { publishAt: inFuture(5) });
      expect(moved.json()).toMatchObject({ status: 'scheduled', publishAt: expect.any(String) });
      const edited = await api(author, 'PATCH', `/api/contents/${id}`, {
        body: { kind: 'wechat_edition', articles: [article({ title: '改过的标题', coverMediaId: coverId })] },
      });
      expect(edited.json()).toMatchObject({
        status: 'in_review',
        revision: 2,
        scheduledAt: null,
        approvedRevision: null,
      });
      expect(edited.json().sla.outcome).toBe('void');
      expect(edited.json().review.steps).toEqual([]);
    });

    it('approval with a requested time schedules at that time, without an SLA record', async () => {
      const c = (await edition([article({ coverMediaId: coverId })], { publishAt: inFuture(3) })).json();
      await api(author, 'POST', `/api/contents/${c.id}/submit`, {});
      const approved = (
        await api(approver, 'POST', `/portal/api/contents/${c.id}/review`, { decision: 'approved' })
      ).json();
      expect(approved).toMatchObject({ status: 'scheduled', sla: null });
      expect(approved.scheduledAt).toBe(c.publishAt);
    });

    it('a second mass send on the same Shanghai day is refused with a suggestion; approval then stays approved', async () => {
      const make = async (publishAt: string) => {
        const res = await api(author, 'POST', '/api/contents', {
          accountId: masssendId,
          body: { kind: 'wechat_edition', articles: [article({ coverMediaId: coverId })] },
          publishAt,
        });
        await api(author, 'POST', `/api/contents/${res.json().id}/submit`, {});
        return res.json().id as string;
      };
      // Both tomorrow at 10:00 and 15:00 Beijing time.
      const tomorrow = new Date(Date.now() + 86_400_000 + 8 * 3600_000).toISOString().slice(0, 10);
      const first = await make(`${tomorrow}T10:00:00+08:00`);
      const second = await make(`${tomorrow}T15:00:00+08:00`);
      expect(
        (await api(reviewer, 'POST', `/api/contents/${first}/review`, { decision: 'approved' })).json()
          .status,
      ).toBe('scheduled');
      const approved = (
        await api(reviewer, 'POST', `/api/contents/${second}/review`, { decision: 'approved' })
      ).json();
      expect(approved.status).toBe('approved');
      const retry = await api(author, 'POST', `/api/contents/${second}/schedule`, {
        publishAt: `${tomorrow}T18:00:00+08:00`,
      });
      expect(retry.statusCode).toBe(409);
      expect(retry.json().error.code).toBe('MASSSEND_QUOTA_USED');
      expect(retry.json().error.message).toMatch(/群发次数已用完.*加入当天那次群发/);
      const nextDay = new Date(Date.parse(`${tomorrow}T10:00:00+08:00`) + 86_400_000).toISOString();
      expect(
        (await api(author, 'POST', `/api/contents/${second}/schedule`, { publishAt: nextDay })).json().status,
      ).toBe('scheduled');
    });

    it('rejection needs a comment; the author edits (back to draft) and resubmits', async () => {
      const id = await ready();
      const bare = await api(approver, 'POST', `/portal/api/contents/${id}/review`, { decision: 'rejected' });
      expect(bare.json().error.code).toBe('REJECT_REASON_REQUIRED');
      const rejected = await api(approver, 'POST', `/portal/api/contents/${id}/review`, {
        decision: 'rejected',
        comment: '标题请更正式',
      });
      expect(rejected.json()).toMatchObject({
        status: 'rejected',
        review: { steps: [{ decision: 'rejected', comment: '标题请更正式' }] },
      });
      const edited = await api(author, 'PATCH', `/api/contents/${id}`, {
        body: { kind: 'wechat_edition', articles: [article({ title: '正式标题', coverMediaId: coverId })] },
      });
      expect(edited.json().status).toBe('draft');
      expect((await api(author, 'POST', `/api/contents/${id}/submit`, {})).json().status).toBe('in_review');
    });

    it('content that is publishing cannot be edited or cancelled; cancelled content is locked', async () => {
      const id = await ready();
      await api(reviewer, 'POST', `/api/contents/${id}/review`, { decision: 'approved' });
      await h.db
        .transaction()
        .execute((tx) =>
          transition(tx, { contentId: id, action: 'start_publish', actor: { userId: null, role: 'system' } }),
        );
      const edit = await api(author, 'PATCH', `/api/contents/${id}`, {
        body: { kind: 'wechat_edition', articles: [article({ title: '发布中修改' })] },
      });
      expect(edit.statusCode).toBe(409);
      expect(edit.json().error).toMatchObject({
        code: 'CONTENT_LOCKED',
        message: '内容正在发布或已结束，不能再修改',
      });
      const cancel = await api(author, 'POST', `/api/contents/${id}/cancel`, { reason: '撤稿' });
      expect(cancel.json().error).toMatchObject({
        code: 'INVALID_TRANSITION',
        details: { status: 'publishing', action: 'cancel' },
      });
      const after = (await api(author, 'GET', `/api/contents/${id}`)).json();
      expect(after).toMatchObject({ status: 'publishing', revision: 1 });

      const other = await ready();
      expect(
        (await api(author, 'POST', `/api/contents/${other}/cancel`, { reason: '活动取消' })).json().status,
      ).toBe('cancelled');
      const locked = await api(author, 'PATCH', `/api/contents/${other}`, { publishAt: inFuture(2) });
      expect(locked.json().error.code).toBe('CONTENT_LOCKED');
    });

    it('a portal user sees only their own organisation’s content', async () => {
      const id = await ready();
      for (const url of [`/portal/api/contents/${id}`, `/portal/api/contents/${id}/preview`]) {
        const res = await api(otherApprover, 'GET', url);
        expect(res.statusCode).toBe(404);
      }
      expect((await api(otherApprover, 'GET', '/portal/api/contents')).json().items).toEqual([]);
      const approve = await api(otherApprover, 'POST', `/portal/api/contents/${id}/review`, {
        decision: 'approved',
      });
      expect(approve.statusCode).toBe(404);
    });

    it('SLA events are raised once each: at risk, then breached (marked missed)', async () => {
      const id = await ready();
      const approved = (
        await api(reviewer, 'POST', `/api/contents/${id}/review`, { decision: 'approved' })
      ).json();
      const approvedAt = new Date(approved.sla.approvedAt).getTime();
      const atRisk = await collectSlaEvents(h.db, new Date(approved.sla.atRiskAt));
      expect(atRisk.filter((e) => e.contentId === id).map((e) => e.kind)).toEqual(['sla_at_risk']);
      expect(
        (await collectSlaEvents(h.db, new Date(approved.sla.atRiskAt))).filter((e) => e.contentId === id),
      ).toEqual([]);
      const late = new Date(approvedAt + 3 * 3600_000);
      expect(
        (await collectSlaEvents(h.db, late)).filter((e) => e.contentId === id).map((e) => e.kind),
      ).toEqual(['sla_breached']);
      expect((await api(author, 'GET', `/api/contents/${id}`)).json().sla.outcome).toBe('missed');
    });
  });

  describe('calendar, Weibo posts and proofreading lists', () => {
    it('the content calendar lists items by organisation, account and planned time', async () => {
      const at = inFuture(48);
      const c = (await edition([article({ title: '日历条目' })], { publishAt: at })).json();
      const from = new Date(Date.now() + 47 * 3600_000).toISOString();
      const to = new Date(Date.now() + 49 * 3600_000).toISOString();
      const q = new URLSearchParams({ organisationId: h.orgId, accountId: wechatId, from, to });
      const items = (await api(planner, 'GET', `/api/contents?${q}`)).json().items;
      expect(items.map((i: { id: string }) => i.id)).toEqual([c.id]);
      const reversed = await api(
        planner,
        'GET',
        `/api/contents?${new URLSearchParams({ from: to, to: from })}`,
      );
      expect(reversed.json().error.code).toBe('RANGE_INVALID');
    });

    it('a Weibo post needs a safe-domain link before review', async () => {
      const res = await api(author, 'POST', '/api/contents', {
        accountId: weiboId,
        body: { kind: 'weibo_post', text: '今晚开奖，详情见链接' },
      });
      expect(res.statusCode).toBe(201);
      const submit = await api(author, 'POST', `/api/contents/${res.json().id}/submit`, {});
      expect(submit.json().error).toMatchObject({
        code: 'CONTENT_INCOMPLETE',
        message: expect.stringContaining('安全域名'),
      });
    });

    it('proofreading entries: duplicates and malformed exceptions are refused; changes apply to the next save', async () => {
      const dup = await api(author, 'POST', '/api/proofreading/entries', {
        organisationId: h.orgId,
        pattern: '违禁表述',
        severity: 'warn',
        category: 'formulation',
      });
      expect(dup.json().error.code).toBe('PROOF_ENTRY_EXISTS');
      const bad = await api(author, 'POST', '/api/proofreading/entries', {
        pattern: '体彩',
        severity: 'warn',
        category: 'formulation',
        exceptions: ['福彩'],
      });
      expect(bad.json().error.code).toBe('PROOF_EXCEPTION_INVALID');
      const check = await api(author, 'POST', '/api/proofreading/check', {
        organisationId: h.orgId,
        text: '请勿使用违禁表述。',
      });
      expect(check.json().findings[0]).toMatchObject({ match: '违禁表述', start: 4, severity: 'block' });
    });

    it('an administrator declares days the package does not know; the calendar and SLA use them', async () => {
      const put = await api(admin, 'PUT', '/api/calendar/overrides/2027-01-01', {
        working: false,
        name: '元旦',
      });
      expect(put.statusCode, put.body).toBe(200);
      const days = (await api(planner, 'GET', '/api/calendar/days?from=2026-12-31&to=2027-01-02')).json();
      expect(days.days[1]).toEqual({ day: '2027-01-01', working: false, name: '元旦', source: 'override' });
      const sla = (
        await api(
          planner,
          'GET',
          `/api/calendar/sla?approvedAt=${encodeURIComponent('2027-01-01T10:00:00+08:00')}`,
        )
      ).json();
      expect(sla).toMatchObject({ workingDay: false, windowMinutes: 120 });
      expect(
        (await api(author, 'PUT', '/api/calendar/overrides/2027-01-02', { working: true, name: 'x' }))
          .statusCode,
      ).toBe(403);
    });
  });
});

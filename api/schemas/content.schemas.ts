import { Type } from 'typebox';
import { CONTENT_STATUSES } from '../../core/content/content.workflow.js';
import { Nullable, Uuid } from './identity.schemas.js';

/** Request and response schemas of the content, media and proofreading routes. */

export const ContentStatusName = Type.Enum([...CONTENT_STATUSES]);

/**
 * Field bounds here are the outer fence (documented WeChat limits for text fields); the body HTML is
 * measured after sanitising, in the service, against WeChat's "fewer than 20,000 characters".
 */
export const ArticleInput = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 32, description: '标题，1–32 个字' }),
    author: Type.Optional(Nullable(Type.String({ maxLength: 16, description: '作者，最多 16 个字' }))),
    digest: Type.Optional(Nullable(Type.String({ maxLength: 128, description: '摘要，最多 128 个字' }))),
    contentHtml: Type.String({
      minLength: 1,
      maxLength: 200_000,
      description:
        '正文 HTML, sanitised on save to what WeChat renders; library images as <img src="/api/media/<id>/file">',
    }),
    coverMediaId: Type.Optional(Nullable(Uuid)),
    sourceUrl: Type.Optional(
      Nullable(Type.String({ format: 'uri', maxLength: 1024, pattern: '^https?://' })),
    ),
    original: Type.Optional(Type.Boolean({ description: '原创' })),
    comments: Type.Optional(Type.Enum(['closed', 'open', 'followers_only'])),
  },
  { additionalProperties: false },
);

export const BodyInput = Type.Union([
  Type.Object(
    {
      kind: Type.Literal('wechat_edition'),
      articles: Type.Array(ArticleInput, {
        minItems: 1,
        maxItems: 50,
        description: '1–8 articles (9 or more are refused with TOO_MANY_ARTICLES)',
      }),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      kind: Type.Literal('weibo_post'),
      text: Type.String({ minLength: 1, maxLength: 2000, description: 'at most 140 as Weibo counts' }),
      pictureMediaId: Type.Optional(Nullable(Uuid)),
    },
    { additionalProperties: false },
  ),
]);

export const PublishAt = Nullable(
  Type.String({
    format: 'date-time',
    description: 'ISO time with offset; null = as soon as possible after approval',
  }),
);

const Finding = Type.Object({
  field: Type.Optional(Type.String()),
  start: Type.Integer(),
  end: Type.Integer(),
  match: Type.String(),
  suggestion: Nullable(Type.String()),
  severity: Type.Enum(['block', 'warn']),
  category: Type.String(),
  source: Type.String(),
  context: Type.String(),
});

export const ContentSummary = Type.Object({
  id: Type.String(),
  organisationId: Type.String(),
  accountId: Type.String(),
  kind: Type.Enum(['wechat_edition', 'weibo_post']),
  status: ContentStatusName,
  revision: Type.Integer(),
  title: Type.String(),
  publishAt: Nullable(Type.String()),
  scheduledAt: Nullable(Type.String()),
  approvedRevision: Nullable(Type.Integer()),
  createdBy: Nullable(Type.String()),
  updatedBy: Nullable(Type.String()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

export const Report = Type.Object({
  articles: Type.Array(
    Type.Object({ characters: Type.Integer(), words: Type.Integer(), images: Type.Integer() }),
  ),
  checks: Type.Array(
    Type.Object({
      field: Type.String(),
      value: Type.Number(),
      limit: Type.Number(),
      unit: Type.String(),
      ok: Type.Boolean(),
    }),
  ),
});

export const ContentView = Type.Intersect([
  ContentSummary,
  Type.Object({
    body: Type.Unknown({
      description: 'the current revision: { kind, articles[] } or { kind, text, pictureMediaId }',
    }),
    findings: Type.Array(Finding),
    report: Report,
    review: Type.Object({
      stepsRequired: Type.Integer(),
      steps: Type.Array(
        Type.Object({
          step: Type.Integer(),
          decision: Type.Enum(['approved', 'rejected']),
          reviewerUserId: Nullable(Type.String()),
          reviewerName: Nullable(Type.String()),
          surface: Type.Enum(['backend', 'portal']),
          comment: Nullable(Type.String()),
          at: Type.String(),
        }),
      ),
    }),
    sla: Nullable(
      Type.Object({
        approvedAt: Type.String(),
        workingDay: Type.Boolean(),
        atRiskAt: Type.String(),
        deadline: Type.String(),
        publishedAt: Nullable(Type.String()),
        outcome: Type.Enum(['pending', 'met', 'missed', 'void']),
      }),
    ),
    allowedActions: Type.Array(Type.String()),
  }),
]);

export const ReviewBody = Type.Object(
  {
    decision: Type.Enum(['approved', 'rejected']),
    comment: Type.Optional(Nullable(Type.String({ maxLength: 1000 }))),
    revision: Type.Optional(Type.Integer({ minimum: 1, description: 'the revision the reviewer read' })),
  },
  { additionalProperties: false },
);

export const Transition = Type.Object({
  action: Type.String(),
  from: ContentStatusName,
  to: ContentStatusName,
  revision: Type.Integer(),
  actorUserId: Nullable(Type.String()),
  actorRole: Nullable(Type.String()),
  reason: Nullable(Type.String()),
  at: Type.String(),
});

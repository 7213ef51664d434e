import { Type } from 'typebox';
import { Nullable, Uuid } from './identity.schemas.js';

/** Request and response schemas of the campaign, campaign calendar and deliverable routes. */

export const Day = Type.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2}$',
  description: 'YYYY-MM-DD (Asia/Shanghai); an impossible day such as 2026-02-30 is refused',
});
export const CampaignTypeName = Type.Enum(['marketing', 'theme', 'topic'], {
  description: 'marketing 营销活动 · theme 主题活动 · topic 专题',
});
export const DeliverableKindName = Type.Enum(['feature', 'topic_page'], {
  description: 'feature 定制栏目 · topic_page 专题页',
});

export const OrgParams = Type.Object({ orgId: Uuid });
export const OrgIdParams = Type.Object({ orgId: Uuid, id: Uuid });
export const LinkParams = Type.Object({ orgId: Uuid, id: Uuid, contentId: Uuid });

const Name = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' });
const Goal = Type.Object(
  {
    metric: Type.String({
      pattern: '^[a-z][a-z0-9_]{0,49}$',
      description: 'reads, shares and net_followers are measured; any other goal is kept as written',
    }),
    target: Type.Number({ minimum: 0, maximum: 1e12 }),
    note: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
const Goals = Type.Array(Goal, { maxItems: 20 });

const campaignFields = {
  type: CampaignTypeName,
  name: Name,
  description: Type.String({ maxLength: 5000 }),
  startsOn: Day,
  endsOn: Day,
  shortEvent: Type.Boolean({
    description:
      'Store a campaign shorter than 7 days; it does not count toward the contract. Cleared when the campaign lasts 7 days or more.',
  }),
  goals: Goals,
};

export const CampaignCreateBody = Type.Object(
  {
    type: campaignFields.type,
    name: campaignFields.name,
    description: Type.Optional(campaignFields.description),
    startsOn: campaignFields.startsOn,
    endsOn: campaignFields.endsOn,
    shortEvent: Type.Optional(campaignFields.shortEvent),
    goals: Type.Optional(campaignFields.goals),
  },
  { additionalProperties: false },
);

export const CampaignPatchBody = Type.Object(
  {
    type: Type.Optional(campaignFields.type),
    name: Type.Optional(campaignFields.name),
    description: Type.Optional(campaignFields.description),
    startsOn: Type.Optional(campaignFields.startsOn),
    endsOn: Type.Optional(campaignFields.endsOn),
    shortEvent: Type.Optional(campaignFields.shortEvent),
    goals: Type.Optional(campaignFields.goals),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const CampaignListQuery = Type.Object(
  {
    from: Type.Optional(Day),
    to: Type.Optional(Day),
    type: Type.Optional(CampaignTypeName),
  },
  { additionalProperties: false },
);

export const RangeQuery = Type.Object({ from: Day, to: Day }, { additionalProperties: false });

const campaignViewFields = {
  id: Type.String(),
  organisationId: Type.String(),
  type: CampaignTypeName,
  name: Type.String(),
  description: Type.String(),
  startsOn: Type.String(),
  endsOn: Type.String(),
  days: Type.Integer(),
  shortEvent: Type.Boolean(),
  countsForContract: Type.Boolean(),
  goals: Type.Array(
    Type.Object({ metric: Type.String(), target: Type.Number(), note: Nullable(Type.String()) }),
  ),
  createdAt: Type.String(),
  updatedAt: Type.String(),
};

export const Campaign = Type.Object({
  ...campaignViewFields,
  contentCount: Type.Integer(),
  createdBy: Nullable(Type.String()),
});
/** The portal's view: the same without the staff user who created it. */
export const PortalCampaign = Type.Object({ ...campaignViewFields, contentCount: Type.Integer() });

export const LinkedContent = Type.Object({
  id: Type.String(),
  accountId: Type.String(),
  kind: Type.String(),
  title: Type.String(),
  status: Type.String(),
  publishedAt: Nullable(Type.String()),
});

const deliverableFields = {
  id: Type.String(),
  organisationId: Type.String(),
  campaignId: Nullable(Type.String()),
  kind: DeliverableKindName,
  title: Type.String(),
  deliveredOn: Type.String(),
  url: Nullable(Type.String()),
  createdAt: Type.String(),
};
export const Deliverable = Type.Object({ ...deliverableFields, createdBy: Nullable(Type.String()) });
export const PortalDeliverable = Type.Object(deliverableFields);

export const DeliverableCreateBody = Type.Object(
  {
    kind: DeliverableKindName,
    title: Name,
    deliveredOn: Day,
    url: Type.Optional(
      Nullable(Type.String({ format: 'uri', pattern: '^https?://[^\\s]+$', maxLength: 1000 })),
    ),
    campaignId: Type.Optional(Nullable(Uuid)),
  },
  { additionalProperties: false },
);

export const DeliverableListQuery = Type.Object(
  {
    year: Type.Optional(Type.Integer({ minimum: 2000, maximum: 2100 })),
    from: Type.Optional(Day),
    to: Type.Optional(Day),
  },
  { additionalProperties: false },
);

const Measure = {
  total: Nullable(Type.Number({ description: 'null when no day had data' })),
  daysWithData: Type.Integer(),
};
export const CampaignResults = Type.Object({
  startsOn: Type.String(),
  endsOn: Type.String(),
  days: Type.Integer(),
  linkedContents: Type.Integer(),
  reads: Type.Object(Measure),
  shares: Type.Object(Measure),
  netFollowers: Type.Object({
    ...Measure,
    scope: Type.Enum(['linked_accounts', 'organisation'], {
      description: "the linked contents' accounts when any is linked, else every account of the organisation",
    }),
    accounts: Type.Integer(),
    missingAccountDays: Type.Integer(),
    before: Type.Object({ ...Measure, from: Type.String(), to: Type.String() }),
    uplift: Nullable(Type.Number()),
    upliftPercent: Nullable(Type.Number()),
  }),
  goals: Type.Array(
    Type.Object({
      metric: Type.String(),
      target: Type.Number(),
      note: Nullable(Type.String()),
      measured: Type.Boolean(),
      achieved: Nullable(Type.Number()),
      percent: Nullable(Type.Number()),
      met: Nullable(Type.Boolean()),
    }),
  ),
  series: Type.Array(
    Type.Object({
      date: Type.String(),
      reads: Nullable(Type.Number()),
      shares: Nullable(Type.Number()),
      netFollowers: Nullable(Type.Number()),
    }),
  ),
});

export const CampaignDetail = Type.Object({
  ...Campaign.properties,
  contents: Type.Array(LinkedContent),
  deliverables: Type.Array(Deliverable),
  results: CampaignResults,
});
export const PortalCampaignDetail = Type.Object({
  ...PortalCampaign.properties,
  contents: Type.Array(LinkedContent),
  deliverables: Type.Array(PortalDeliverable),
  results: CampaignResults,
});

export const CalendarBody = Type.Object({
  from: Type.String(),
  to: Type.String(),
  items: Type.Array(
    Type.Union([
      Type.Object({
        entry: Type.Literal('campaign'),
        date: Type.String(),
        endsOn: Type.String(),
        id: Type.String(),
        type: CampaignTypeName,
        name: Type.String(),
        shortEvent: Type.Boolean(),
        countsForContract: Type.Boolean(),
      }),
      Type.Object({
        entry: Type.Literal('deliverable'),
        date: Type.String(),
        id: Type.String(),
        kind: DeliverableKindName,
        title: Type.String(),
        url: Nullable(Type.String()),
        campaignId: Nullable(Type.String()),
      }),
    ]),
  ),
});

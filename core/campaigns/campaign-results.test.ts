import { describe, expect, it } from 'vitest';
import { checkDay } from '../calendar/days.js';
import { summariseResults } from './campaign-results.js';

const base = {
  startsOn: '2026-03-10',
  endsOn: '2026-03-12',
  goals: [],
  linkedContents: 0,
  scope: 'organisation' as const,
  accounts: 1,
  articleDays: [],
};

describe('campaign results arithmetic', () => {
  it('gives no uplift percentage against a period before with zero net followers', () => {
    const r = summariseResults({
      ...base,
      accountDays: [
        { date: '2026-03-08', net: 0, accounts: 1 },
        { date: '2026-03-10', net: 5, accounts: 1 },
      ],
    });
    expect(r.netFollowers).toMatchObject({ total: 5, uplift: 5, upliftPercent: null });
    expect(r.netFollowers.before).toEqual({
      from: '2026-03-07',
      to: '2026-03-09',
      total: 0,
      daysWithData: 1,
    });
  });

  it('measures a recovery from a net loss against the size of the loss', () => {
    const r = summariseResults({
      ...base,
      accountDays: [
        { date: '2026-03-07', net: -10, accounts: 1 },
        { date: '2026-03-11', net: 5, accounts: 1 },
      ],
    });
    expect(r.netFollowers).toMatchObject({ uplift: 15, upliftPercent: 150 });
  });

  it('says "unknown", not zero, when no day has data, and leaves goals undecided', () => {
    const r = summariseResults({
      ...base,
      goals: [
        { metric: 'shares', target: 10 },
        { metric: 'reads', target: 0 },
      ],
      accountDays: [],
    });
    expect(r.reads).toEqual({ total: null, daysWithData: 0 });
    expect(r.netFollowers).toMatchObject({
      total: null,
      uplift: null,
      upliftPercent: null,
      missingAccountDays: 3,
    });
    expect(r.goals.map((g) => [g.achieved, g.percent, g.met])).toEqual([
      [null, null, null],
      [null, null, null],
    ]);
  });
});

describe('calendar days', () => {
  it('accepts real days and refuses rolled-over or malformed ones with a 400 naming the field', () => {
    expect(checkDay('startsOn', '2028-02-29')).toBe('2028-02-29');
    for (const bad of ['2026-02-29', '2026-02-30', '2026-13-01', '2026/01/01', '0000-01-01'])
      expect(() => checkDay('startsOn', bad), bad).toThrow(
        expect.objectContaining({ code: 'INVALID_DATE', status: 400 }),
      );
  });
});

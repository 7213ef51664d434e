import { describe, expect, it } from 'vitest';
import {
  CONTENT_ACTIONS,
  CONTENT_STATUSES,
  type ContentAction,
  type ContentStatus,
  nextStatus,
} from './content.workflow.js';

/**
 * The workflow written out independently of the module, as the issue states it:
 * draft → in_review → approved | rejected → scheduled → publishing → published | failed | unconfirmed,
 * plus cancelled. Every (status, action) pair not listed here must be refused.
 */
const ALLOWED: ReadonlyArray<[ContentStatus, ContentAction, ContentStatus]> = [
  ['draft', 'submit', 'in_review'],
  ['draft', 'cancel', 'cancelled'],
  ['in_review', 'approve', 'approved'],
  ['in_review', 'reject', 'rejected'],
  ['in_review', 'withdraw', 'draft'],
  ['in_review', 'edit', 'in_review'],
  ['in_review', 'cancel', 'cancelled'],
  ['rejected', 'edit', 'draft'],
  ['rejected', 'submit', 'in_review'],
  ['rejected', 'cancel', 'cancelled'],
  ['approved', 'schedule', 'scheduled'],
  ['approved', 'edit', 'in_review'],
  ['approved', 'cancel', 'cancelled'],
  ['scheduled', 'reschedule', 'scheduled'],
  ['scheduled', 'edit', 'in_review'],
  ['scheduled', 'cancel', 'cancelled'],
  ['scheduled', 'start_publish', 'publishing'],
  ['publishing', 'mark_published', 'published'],
  ['publishing', 'mark_failed', 'failed'],
  ['publishing', 'mark_unconfirmed', 'unconfirmed'],
  ['publishing', 'release', 'scheduled'],
  ['unconfirmed', 'mark_published', 'published'],
  ['unconfirmed', 'mark_failed', 'failed'],
  ['failed', 'schedule', 'scheduled'],
  ['failed', 'edit', 'in_review'],
  ['failed', 'cancel', 'cancelled'],
];

const key = (s: string, a: string) => `${s}:${a}`;
const allowed = new Map(ALLOWED.map(([s, a, t]) => [key(s, a), t]));
const pairs = CONTENT_STATUSES.flatMap((s) => CONTENT_ACTIONS.map((a) => [s, a] as const));

describe('content workflow transition table', () => {
  it.each(ALLOWED)('allows %s --%s--> %s', (from, action, to) => {
    expect(nextStatus(from, action)).toBe(to);
  });

  it.each(pairs.filter(([s, a]) => !allowed.has(key(s, a))))('refuses %s --%s-->', (from, action) => {
    expect(nextStatus(from, action)).toBeNull();
  });

  it('published and cancelled are final; nothing leaves publishing except the worker’s outcomes', () => {
    for (const action of CONTENT_ACTIONS) {
      expect(nextStatus('published', action)).toBeNull();
      expect(nextStatus('cancelled', action)).toBeNull();
    }
    expect(nextStatus('publishing', 'cancel')).toBeNull();
    expect(nextStatus('publishing', 'edit')).toBeNull();
    expect(nextStatus('unconfirmed', 'schedule')).toBeNull();
  });

  it('covers all 130 pairs', () => {
    expect(pairs).toHaveLength(CONTENT_STATUSES.length * CONTENT_ACTIONS.length);
    expect(ALLOWED.length + pairs.filter(([s, a]) => !allowed.has(key(s, a))).length).toBe(pairs.length);
  });
});

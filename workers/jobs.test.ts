import { describe, expect, it } from 'vitest';
import { assertProcessorsComplete, JOBS, jobId, QUEUE_NAMES, SCHEDULERS } from './jobs.js';

describe('job registry', () => {
  it('builds deterministic ids and refuses the ones BullMQ reserves', () => {
    expect(jobId('publish', 'abc', 'r3')).toBe('publish-abc-r3');
    expect(() => jobId('a:b')).toThrow(/must not contain ":"/);
    expect(() => jobId(12, 34)).not.toThrow();
    expect(() => jobId(1234)).toThrow(/must not be all digits/);
  });

  it('gives the same work the same id', () => {
    const at = new Date('2026-11-22T10:00:00.400Z');
    const a = JOBS.heartbeat.jobId({ source: 'manual' }, at);
    expect(JOBS.heartbeat.jobId({ source: 'manual' }, new Date('2026-11-22T10:00:00.900Z'))).toBe(a);
    expect(JOBS.heartbeat.jobId({ source: 'manual' }, new Date('2026-11-22T10:00:01.000Z'))).not.toBe(a);
  });

  it('puts every job and scheduler on a known queue', () => {
    for (const def of Object.values(JOBS)) expect(QUEUE_NAMES).toContain(def.queue);
    for (const s of SCHEDULERS) expect(Object.keys(JOBS)).toContain(s.job);
  });

  it('refuses to start when a job has no processor or a processor has no job', () => {
    const registry = { heartbeat: { queue: 'maintenance' }, report: { queue: 'reports' } };
    expect(() => assertProcessorsComplete(registry, { heartbeat: async () => 1 })).toThrow(
      /job "report" has no processor/,
    );
    expect(() =>
      assertProcessorsComplete(registry, {
        heartbeat: async () => 1,
        report: async () => 1,
        typo: async () => 1,
      }),
    ).toThrow(/processor "typo" has no registered job/);
    expect(() =>
      assertProcessorsComplete(registry, { heartbeat: async () => 1, report: async () => 1 }),
    ).not.toThrow();
  });
});

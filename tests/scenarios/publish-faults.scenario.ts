/**
 * `npm run scenario:publish-faults` (part of `npm test`, after the unit and integration suites): the
 * fault scenario of the publishing issue, in real processes on a shorter clock.
 *
 * 1,000 WeChat editions across 100 accounts (half mass send, half freepublish) are scheduled; then
 *  1. Redis loses every key of the queues while all 1,000 are scheduled (what FLUSHALL does to them):
 *     the scheduler watchdog and the reconciler must restore every job before the items fall due;
 *  2. the emulator injects faults on every call: -1, HTTP 5xx, 40001, 45009, timeouts, lost responses;
 *  3. the worker process is killed with SIGKILL mid-run and a new one started;
 *  4. PostgreSQL is restarted mid-run (SCENARIO_PG_RESTART, or pg_ctlcluster's fast restart).
 * It passes when every item ends published exactly once (the emulator's own record) or failed with a
 * reason for the editor and nothing on the platform; none lost, none duplicated. Exits 1 otherwise.
 */
import { execSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { progress, sleep, startFleet } from '../helpers/publish-fleet.js';

const EDITIONS = Number(process.env.SCENARIO_EDITIONS ?? 1000);
const ACCOUNTS = Number(process.env.SCENARIO_ACCOUNTS ?? 100);
const DEADLINE_MS = 8 * 60_000;

function pgRestartCommand(): string {
  if (process.env.SCENARIO_PG_RESTART) return process.env.SCENARIO_PG_RESTART;
  let versions: string[] = [];
  try {
    versions = readdirSync('/etc/postgresql');
  } catch {
    // not a Debian cluster layout
  }
  if (versions.length === 0)
    throw new Error(
      'Cannot restart PostgreSQL here: set SCENARIO_PG_RESTART to a command that restarts it (the scenario restarts it mid-run).',
    );
  return `pg_ctlcluster --skip-systemctl-redirect ${versions[0]} main restart --mode fast`;
}

const failures: string[] = [];
const check = (ok: boolean, what: string) => {
  if (!ok) failures.push(what);
  process.stdout.write(`${ok ? 'ok  ' : 'FAIL'} ${what}\n`);
};

const restartPg = pgRestartCommand();
const fleet = await startFleet({
  editions: EDITIONS,
  accounts: ACCOUNTS,
  concurrency: 20,
  latencyMs: 5,
  dueInMs: 45_000,
  leaseSeconds: 20,
  reconcileIntervalMs: 3000,
  retryBaseMs: 300,
  mixModes: true,
});
try {
  await fleet.startWorker();
  check((await fleet.liveJobs()) === EDITIONS, `${EDITIONS} items scheduled, each with its delayed job`);

  // 1. Redis loses the queues while everything is still scheduled.
  // Each job has at least its own hash, so the flush must delete more keys than there are items.
  // (Counting jobs afterwards would race the worker, which restores them within seconds.)
  const deleted = await fleet.flushRedis();
  check(deleted > EDITIONS, `Redis flushed: ${deleted} keys deleted at once`);
  let restored = 0;
  while (Date.now() < fleet.due.getTime() - 2000) {
    restored = await fleet.liveJobs();
    if (restored >= EDITIONS) break;
    await sleep(500);
  }
  check(restored === EDITIONS, `every job restored from PostgreSQL before the due time (${restored})`);

  // 2. Faults on every platform call from now on.
  await fleet.emulatorPost('/_emulator/faults', {
    rates: {
      system_error: 0.03,
      http_5xx: 0.03,
      invalid_token_40001: 0.01,
      quota_45009: 0.003,
      timeout: 0.002,
      lost_response: 0.02,
    },
  });

  let killed = false;
  let pgRestarted = false;
  const until = fleet.due.getTime() + DEADLINE_MS;
  let last = '';
  while (Date.now() < until) {
    const c = await fleet.counts();
    if (c) {
      const terminal = (c.published ?? 0) + (c.failed ?? 0);
      const line = JSON.stringify(c);
      if (line !== last) progress(`scenario: ${line}`);
      last = line;
      if (terminal >= EDITIONS) break;
      // 3. SIGKILL the worker mid-run.
      if (!killed && terminal >= EDITIONS * 0.3) {
        fleet.killWorker();
        killed = true;
        progress('scenario: worker killed with SIGKILL; starting another');
        await fleet.startWorker();
      }
      // 4. Restart PostgreSQL mid-run.
      if (killed && !pgRestarted && terminal >= EDITIONS * 0.6) {
        progress(`scenario: restarting PostgreSQL (${restartPg})`);
        execSync(restartPg, { stdio: 'inherit' });
        pgRestarted = true;
      }
    }
    await sleep(500);
  }
  check(killed && pgRestarted, 'the worker was SIGKILLed and PostgreSQL restarted mid-run');
  // The faults stop; what is left unsettled must settle through the reconciler.
  await fleet.emulatorPost('/_emulator/faults', { rates: {} });
  const o = await fleet.outcome();
  process.stdout.write(
    `outcome: ${JSON.stringify(o.byStatus)}; failed because: ${JSON.stringify(o.failureReasons)}\n`,
  );
  if (fleet.unexpectedExits() > 0)
    process.stdout.write(
      `note: ${fleet.unexpectedExits()} worker exit(s) not caused by the scenario (restarted)\n`,
    );
  for (const path of o.failedPaths) process.stdout.write(`failed item: ${path}\n`);
  check(o.lost === 0, `none lost (${o.lost} not published and not failed)`);
  check(o.duplicates === 0, `none duplicated (${o.duplicates} published more than once)`);
  check(
    o.disagreements.length === 0,
    `our records agree with the platform${o.disagreements.length ? `: ${o.disagreements.slice(0, 5).join('; ')}` : ''}`,
  );
  check(o.failedWithoutReason === 0, 'every failed item has a reason for the editor');
  check((o.byStatus.published ?? 0) >= EDITIONS * 0.9, `most items published (${o.byStatus.published ?? 0})`);
} finally {
  await fleet.stop();
}
process.stdout.write(
  failures.length
    ? `\npublish fault scenario FAILED: ${failures.length} check(s)\n`
    : '\npublish fault scenario passed\n',
);
process.exit(failures.length ? 1 : 0);

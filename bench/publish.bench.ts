/**
 * `npm run bench:publish` — scheduled publishing at scale (issue 6): 2,000 WeChat editions across 200
 * accounts, all due at the same moment, published by a separate worker process (`--role worker`)
 * through the emulator (its own process) with 50 ms latency on every call. Real PostgreSQL and Redis.
 *
 * Reported per run:
 *   drain      time from the due moment until every item is published, and its ratio to the lower
 *              bound set by per-account serialisation and PUBLISH_CONCURRENCY:
 *                max(editions per account × calls per edition × latency,
 *                    editions × calls per edition × latency / concurrency)
 *              (calls per edition measured from the emulator's request count; target ≤ 1.25)
 *   lateness   p50/p99 of (first attempt's start − due moment) (target p99 < 10 s)
 *   attempt    p50 duration of one publish attempt (claim to published)
 *   duplicates editions the emulator published more than once (must be 0); lost: items not
 *              published at the end (must be 0)
 *   peak RSS   of the worker process (VmHWM), and of the replacement worker in the fault run
 * Runs: `normal`, then `faults` — the worker is SIGKILLed at 30 % and restarted, and at 50 % the Redis
 * keys of the queues are deleted (what FLUSHALL does to them); the reconciler (every 5 s there) and the
 * scheduler watchdog must recover.
 * BENCH_EDITIONS (2000), BENCH_ACCOUNTS (200), BENCH_CONCURRENCY (50), BENCH_LATENCY_MS (50),
 * BENCH_RUNS (normal,normal,normal,faults: the median and range are over runs of the same kind), BENCH_CPU_PROFILE (a directory: the worker writes a CPU profile there).
 */
import { peakRssMb, progress, sleep, startFleet } from '../tests/helpers/publish-fleet.js';
import { quantile } from './stats.js';

const EDITIONS = Number(process.env.BENCH_EDITIONS ?? 2000);
const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 200);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 50);

interface RunResult {
  name: string;
  drainS: number;
  lowerBoundS: number;
  callsPerEdition: number;
  latenessP50: number;
  latenessP99: number;
  attemptP50: number;
  duplicates: number;
  lost: number;
  peakRssMb: number[];
}

async function run(name: 'normal' | 'faults'): Promise<RunResult> {
  const faults = name === 'faults';
  const fleet = await startFleet({
    editions: EDITIONS,
    accounts: ACCOUNTS,
    concurrency: CONCURRENCY,
    latencyMs: LATENCY_MS,
    dueInMs: 25_000,
    leaseSeconds: faults ? 10 : 120,
    reconcileIntervalMs: faults ? 5000 : 60_000,
  });
  try {
    await fleet.startWorker();
    progress(`${name}: worker started; due at ${fleet.due.toISOString()}`);
    const rss: number[] = [];
    let killed = false;
    let flushed = false;
    let done = 0;
    let lastReport = Date.now();
    const deadline = fleet.due.getTime() + 15 * 60_000;
    while (Date.now() < deadline) {
      done = (await fleet.counts())?.published ?? done;
      if (done >= EDITIONS) break;
      if (Date.now() - lastReport > 5000) {
        lastReport = Date.now();
        progress(`${name}: ${done}/${EDITIONS} published`);
      }
      if (faults && !killed && done >= EDITIONS * 0.3) {
        rss.push(await peakRssMb(fleet.workers.at(-1)?.pid));
        fleet.killWorker();
        killed = true;
        await fleet.startWorker();
      }
      if (faults && killed && !flushed && done >= EDITIONS * 0.5) {
        await fleet.flushRedis();
        flushed = true;
      }
      await sleep(100);
    }
    const finishedAt = Date.now();
    rss.push(await peakRssMb(fleet.workers.at(-1)?.pid));
    const o = await fleet.outcome();
    // Requests per edition (tokens are fetched once per app and amortised across its editions).
    const callsPerEdition = o.emulatorRequests / EDITIONS;
    const perEditionS = (callsPerEdition * LATENCY_MS) / 1000;
    return {
      name,
      drainS: (finishedAt - fleet.due.getTime()) / 1000,
      lowerBoundS: Math.max((EDITIONS / ACCOUNTS) * perEditionS, (EDITIONS * perEditionS) / CONCURRENCY),
      callsPerEdition,
      latenessP50: quantile(o.lateness, 0.5),
      latenessP99: quantile(o.lateness, 0.99),
      attemptP50: quantile(o.attemptSeconds, 0.5),
      duplicates: o.duplicates,
      lost: o.lost,
      peakRssMb: rss,
    };
  } finally {
    await fleet.stop();
  }
}

const results: RunResult[] = [];
const runs = (process.env.BENCH_RUNS ?? 'normal,normal,normal,faults').split(',') as Array<
  'normal' | 'faults'
>;
for (const name of runs) results.push(await run(name));
const lines = [
  `publish bench: ${EDITIONS} editions, ${ACCOUNTS} accounts, concurrency ${CONCURRENCY}, emulator latency ${LATENCY_MS} ms`,
  '| run | drain s | lower bound s | ratio | calls/edition | lateness p50 s | lateness p99 s | attempt p50 s | duplicates | lost | worker peak RSS MB |',
  '|---|---|---|---|---|---|---|---|---|---|---|',
  ...results.map(
    (r) =>
      `| ${r.name} | ${r.drainS.toFixed(1)} | ${r.lowerBoundS.toFixed(1)} | ${(r.drainS / r.lowerBoundS).toFixed(2)} | ${r.callsPerEdition.toFixed(2)} | ${r.latenessP50.toFixed(2)} | ${r.latenessP99.toFixed(2)} | ${r.attemptP50.toFixed(3)} | ${r.duplicates} | ${r.lost} | ${r.peakRssMb.map((m) => m.toFixed(0)).join(' → ')} |`,
  ),
];
for (const name of new Set(runs)) {
  const of = results.filter((r) => r.name === name);
  const summary = (label: string, values: number[], digits: number) =>
    `${label} median ${quantile(values, 0.5).toFixed(digits)} (${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)})`;
  lines.push(
    `${name} × ${of.length}: ${summary(
      'ratio',
      of.map((r) => r.drainS / r.lowerBoundS),
      2,
    )}; ${summary(
      'lateness p99 s',
      of.map((r) => r.latenessP99),
      2,
    )}`,
  );
}
process.stdout.write(`${lines.join('\n')}\n`);
process.exit(0);

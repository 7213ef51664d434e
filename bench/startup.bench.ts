/**
 * `npm run bench:startup` — how long `node dist/bin/main.js --role all` takes from spawn to the first
 * `/readyz` 200 (database, Redis and a heartbeat that went through the queue), and its idle RSS.
 *
 * Scenarios, each run BENCH_RUNS times (default 5), in this one process so they share the machine's state:
 *   postgres        DATABASE_URL (fresh, migrated database) + REDIS_URL      target ≤ 3 s
 *   embedded-cold   no DATABASE_URL, an empty DATA_DIR (creates and migrates) target ≤ 10 s
 *   embedded-warm   no DATABASE_URL, the DATA_DIR of the previous cold run    target ≤ 10 s
 * Idle RSS is VmRSS from /proc 10 s (BENCH_IDLE_MS) after ready, target ≤ 200 MB.
 * Figures go to stdout as a Markdown table and to bench/results/startup-<time>.json.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const entry = path.join(root, 'dist', 'bin', 'main.js');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const IDLE_MS = Number(process.env.BENCH_IDLE_MS ?? 10_000);
const ADMIN_DB =
  process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.TEST_REDIS_URL || process.env.REDIS_URL || 'redis://127.0.0.1:6379';

interface Sample {
  readyMs: number;
  idleRssMb: number;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN);
  return Math.round((kb / 1024) * 10) / 10;
}

async function waitReady(
  child: ChildProcess,
  port: number,
  started: number,
  timeoutMs = 60_000,
): Promise<number> {
  const url = `http://127.0.0.1:${port}/readyz`;
  while (performance.now() - started < timeoutMs) {
    if (child.exitCode !== null) throw new Error(`service exited with ${child.exitCode} before it was ready`);
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.status === 200) return performance.now() - started;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`not ready within ${timeoutMs} ms`);
}

async function runOnce(env: Record<string, string>): Promise<Sample> {
  const port = await freePort();
  let stderr = '';
  const started = performance.now();
  const child = spawn(process.execPath, [entry, '--role', 'all'], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: String(port), LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const readyMs = await waitReady(child, port, started);
    await new Promise((r) => setTimeout(r, IDLE_MS));
    const idleRssMb = await rssMb(child.pid as number);
    return { readyMs: Math.round(readyMs), idleRssMb };
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${stderr}`);
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

async function withAdmin<T>(work: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: ADMIN_DB });
  await c.connect();
  try {
    return await work(c);
  } finally {
    await c.end();
  }
}

function stats(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const at = (i: number) => sorted[i] ?? Number.NaN;
  const median = sorted.length % 2 ? at(mid) : (at(mid - 1) + at(mid)) / 2;
  return { median, min: at(0), max: at(sorted.length - 1) };
}

async function main(): Promise<void> {
  if (!existsSync(entry)) execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  const dbName = `yy_bench_${process.pid}`;
  await withAdmin((c) => c.query(`create database ${dbName}`));
  const dbUrl = new URL(ADMIN_DB);
  dbUrl.pathname = `/${dbName}`;
  execFileSync(process.execPath, [path.join(root, 'dist', 'bin', 'cli.js'), 'migrate'], {
    env: { PATH: process.env.PATH, DATABASE_URL: dbUrl.toString() },
    stdio: 'ignore',
  });

  const samples: Record<'postgres' | 'embedded-cold' | 'embedded-warm', Sample[]> = {
    postgres: [],
    'embedded-cold': [],
    'embedded-warm': [],
  };
  const dirs: string[] = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      const prefix = `yybench${process.pid}r${i}`;
      samples.postgres.push(
        await runOnce({ DATABASE_URL: dbUrl.toString(), REDIS_URL, REDIS_PREFIX: `${prefix}pg` }),
      );
      const dataDir = await mkdtemp(path.join(tmpdir(), 'yunying-bench-'));
      dirs.push(dataDir);
      samples['embedded-cold'].push(await runOnce({ DATA_DIR: dataDir, REDIS_PREFIX: `${prefix}cold` }));
      samples['embedded-warm'].push(await runOnce({ DATA_DIR: dataDir, REDIS_PREFIX: `${prefix}warm` }));
      process.stderr.write(`run ${i + 1}/${RUNS} done\n`);
    }
  } finally {
    await withAdmin((c) => c.query(`drop database if exists ${dbName} with (force)`));
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  }

  const targets = { postgres: 3000, 'embedded-cold': 10_000, 'embedded-warm': 10_000 };
  const rows = (Object.keys(targets) as Array<keyof typeof targets>).map((name) => {
    const s = samples[name];
    const ready = stats(s.map((x) => x.readyMs));
    const rss = stats(s.map((x) => x.idleRssMb));
    return { name, ready, rss, readyTarget: targets[name], rssTarget: 200 };
  });
  const lines = [
    `node ${process.version}, ${RUNS} runs per scenario, idle RSS read ${IDLE_MS / 1000} s after ready`,
    '',
    '| scenario | ready median (min–max) ms | ratio to target | idle RSS median (min–max) MB | ratio to 200 MB |',
    '|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.name} | ${r.ready.median} (${r.ready.min}–${r.ready.max}) | ${(r.ready.median / r.readyTarget).toFixed(2)} of ${r.readyTarget} | ${r.rss.median} (${r.rss.min}–${r.rss.max}) | ${(r.rss.median / r.rssTarget).toFixed(2)} |`,
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  await mkdir(path.join(root, 'bench', 'results'), { recursive: true });
  await writeFile(
    path.join(root, 'bench', 'results', `startup-${new Date().toISOString().replace(/[:.]/g, '-')}.json`),
    JSON.stringify({ node: process.version, runs: RUNS, idleMs: IDLE_MS, samples, rows }, null, 2),
  );
}

await main();

import { type ChildProcess, spawn } from 'node:child_process';

export interface Spawned {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs a TypeScript entry point (`bin/main.ts`, `bin/cli.ts`) through tsx, as `npm run` would. */
export function spawnTs(
  script: string,
  args: string[],
  env: Record<string, string | undefined>,
  opts: { input?: string } = {},
): Spawned {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  if (opts.input !== undefined) child.stdin?.end(opts.input);
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Waits for a line matching `pattern` on stdout (or the process to exit). */
export async function waitForOutput(
  s: Spawned,
  pattern: RegExp,
  timeoutMs: number,
): Promise<RegExpMatchArray> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const m = s.stdout().match(pattern);
    if (m) return m;
    if (s.child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(
    `no output matching ${pattern} (exit ${s.child.exitCode});\nstdout:\n${s.stdout()}\nstderr:\n${s.stderr()}`,
  );
}

export async function waitForStatus(url: string, status: number, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  let last = 0;
  while (Date.now() < end) {
    last = await fetch(url).then(
      (r) => r.status,
      () => 0,
    );
    if (last === status) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} answered ${last}, not ${status}, within ${timeoutMs} ms`);
}

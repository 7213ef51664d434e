import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { Redis, type RedisOptions } from 'ioredis';
import { type Config, maskUrl } from '../config/config.js';
import { errorMessage, StartupError } from '../errors.js';
import type { Logger } from '../logger.js';
import { findExecutable, isProcessAlive } from '../process.js';

export const LOCAL_REDIS_URL = 'redis://127.0.0.1:6379';

export interface RedisHandle {
  /** Connection URL (may contain a password: print it with maskUrl). */
  url: string;
  source: 'configured' | 'local' | 'private';
  /** Shared client for commands and BullMQ queues (BullMQ duplicates it for blocking calls). */
  client: Redis;
  /** Closes the client and, for a private server, stops it. */
  close(): Promise<void>;
}

export interface ConnectRedisOptions {
  /** Where to look for an already running Redis when REDIS_URL is unset. */
  localUrl?: string;
}

/** BullMQ needs commands to wait for a reconnect rather than fail after N retries. */
const CLIENT_OPTIONS: RedisOptions = { maxRetriesPerRequest: null, enableReadyCheck: true };

/**
 * REDIS_URL when set; otherwise a Redis already answering on 127.0.0.1:6379; otherwise a private
 * redis-server started as our child (data in DATA_DIR/redis, append-only file on), stopped when we stop.
 */
export async function connectRedis(
  config: Config,
  logger: Logger,
  options: ConnectRedisOptions = {},
): Promise<RedisHandle> {
  if (config.redis.url) {
    const problem = await probe(config.redis.url);
    if (problem) {
      throw new StartupError(
        `Cannot connect to Redis at ${maskUrl(config.redis.url)}: ${problem}`,
        'Check that Redis is running and REDIS_URL is right, or unset REDIS_URL to use a local Redis.',
      );
    }
    return clientHandle(config.redis.url, 'configured', logger);
  }
  const localUrl = options.localUrl ?? LOCAL_REDIS_URL;
  const localProblem = await probe(localUrl);
  if (!localProblem) return clientHandle(localUrl, 'local', logger);
  logger.info(
    { localUrl, reason: localProblem },
    'no Redis answering locally; starting a private redis-server',
  );
  const binary = await findExecutable('redis-server', config.systemPath);
  if (!binary) {
    throw new StartupError(
      `No Redis answered at ${localUrl} (${localProblem}) and no redis-server program was found to start one`,
      'Install Redis (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis) or set REDIS_URL.',
    );
  }
  const server = await startPrivateRedis(
    binary,
    path.join(config.dataDir, 'redis'),
    config.systemPath,
    logger,
  );
  const handle = clientHandle(server.url, 'private', logger);
  return {
    ...handle,
    close: async () => {
      await handle.close();
      await server.stop();
    },
  };
}

function clientHandle(url: string, source: RedisHandle['source'], logger: Logger): RedisHandle {
  const client = new Redis(url, CLIENT_OPTIONS);
  // ioredis reconnects by itself; without a listener each failed attempt would print an unhandled error.
  client.on('error', (err) => logger.warn({ err: err.message }, 'Redis connection error'));
  return {
    url,
    source,
    client,
    close: async () => {
      await client.quit().catch(() => client.disconnect());
    },
  };
}

/** Returns null when a PING succeeds within the timeout, otherwise why not. */
export async function probe(url: string, timeoutMs = 1500): Promise<string | null> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    return null;
  } catch (err) {
    return errorMessage(err) || 'no answer';
  } finally {
    client.disconnect();
  }
}

interface PrivateRedis {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

const privateChildren = new Set<ChildProcess>();
// Last resort for every exit path (including process.exit after a crash): no orphan redis-server.
process.once('exit', () => {
  for (const child of privateChildren) child.kill('SIGKILL');
});

async function startPrivateRedis(
  binary: string,
  dir: string,
  systemPath: string,
  logger: Logger,
): Promise<PrivateRedis> {
  await mkdir(dir, { recursive: true });
  const pidFile = path.join(dir, 'redis.pid');
  await reapOrphan(pidFile, logger);
  const port = await freePort();
  const password = randomBytes(18).toString('base64url');
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--appendonly',
    'yes',
    '--save',
    '',
    '--pidfile',
    pidFile,
    '--logfile',
    path.join(dir, 'redis.log'),
    '--daemonize',
    'no',
    '--maxmemory-policy',
    'noeviction',
    '--requirepass',
    password,
  ];
  // setpriv --pdeathsig asks the kernel to stop redis-server if we die without cleaning up (kill -9).
  const setpriv = await findExecutable('setpriv', systemPath);
  const child = setpriv
    ? spawn(setpriv, ['--pdeathsig', 'TERM', '--', binary, ...args], { stdio: 'ignore' })
    : spawn(binary, args, { stdio: 'ignore' });
  privateChildren.add(child);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.once('exit', () => privateChildren.delete(child));
  const url = `redis://:${password}@127.0.0.1:${port}`;

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };

  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) {
      const log = await readFile(path.join(dir, 'redis.log'), 'utf8').catch(() => '');
      throw new StartupError(
        `The private redis-server exited at start (code ${child.exitCode}): ${log.trim().split('\n').slice(-1)[0] ?? ''}`,
        `See ${path.join(dir, 'redis.log')}, or set REDIS_URL to a Redis you run yourself.`,
      );
    }
    if ((await probe(url, 500)) === null) break;
    if (Date.now() > deadline) {
      await stop();
      throw new StartupError(
        'The private redis-server did not answer within 10 s',
        'Set REDIS_URL to a Redis you run yourself.',
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  logger.info({ port, dir, pid: child.pid }, 'private redis-server started');
  return { url, pid: child.pid ?? -1, stop };
}

/** A redis-server left by a crashed run of ours (its pid file says so) is stopped before we start another. */
async function reapOrphan(pidFile: string, logger: Logger): Promise<void> {
  const pid = Number.parseInt(await readFile(pidFile, 'utf8').catch(() => ''), 10);
  if (!Number.isInteger(pid) || pid <= 0 || !isProcessAlive(pid)) return;
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  if (!cmdline.includes('redis-server')) return;
  logger.warn({ pid }, 'stopping a private redis-server left behind by an earlier run');
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 100 && isProcessAlive(pid); i++) await new Promise((r) => setTimeout(r, 50));
  if (isProcessAlive(pid)) process.kill(pid, 'SIGKILL');
  await rm(pidFile, { force: true });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

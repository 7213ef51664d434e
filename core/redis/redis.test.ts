import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger, tempDir, testConfig } from '../../tests/helpers/services.js';
import { testServiceUrls } from '../../tests/helpers/urls.js';
import { StartupError } from '../errors.js';
import { isProcessAlive } from '../process.js';
import { connectRedis, probe } from './redis.js';

const NOTHING_THERE = 'redis://127.0.0.1:1';

async function waitUntil(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

describe('connectRedis', () => {
  it('uses REDIS_URL when it answers', async () => {
    const handle = await connectRedis(testConfig(), silentLogger);
    try {
      expect(handle.source).toBe('configured');
      expect(await handle.client.ping()).toBe('PONG');
    } finally {
      await handle.close();
    }
  });

  it('stops with the address and a hint when REDIS_URL does not answer', async () => {
    const err = await connectRedis(
      testConfig({ REDIS_URL: 'redis://:pw-secret@127.0.0.1:1' }),
      silentLogger,
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StartupError);
    expect((err as StartupError).message).toMatch(
      /^Cannot connect to Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:1: /,
    );
    expect((err as StartupError).message).not.toContain('pw-secret');
  });

  it('without REDIS_URL uses the Redis already answering locally', async () => {
    const handle = await connectRedis(testConfig({ REDIS_URL: '' }), silentLogger, {
      localUrl: testServiceUrls().redisUrl,
    });
    try {
      expect(handle.source).toBe('local');
    } finally {
      await handle.close();
    }
  });

  it('explains how to get Redis when none answers and none is installed', async () => {
    const err = await connectRedis(testConfig({ REDIS_URL: '', PATH: '/nonexistent' }), silentLogger, {
      localUrl: NOTHING_THERE,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StartupError);
    expect((err as StartupError).message).toMatch(/no redis-server program was found/);
    expect((err as StartupError).hint).toMatch(/apt-get install redis-server.*REDIS_URL/);
  });

  it('starts a private redis-server with an append-only file and stops it on close', async () => {
    const dir = await tempDir();
    try {
      const handle = await connectRedis(testConfig({ REDIS_URL: '', DATA_DIR: dir.dir }), silentLogger, {
        localUrl: NOTHING_THERE,
      });
      expect(handle.source).toBe('private');
      await handle.client.set('kept', 'yes');
      expect(await handle.client.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
      expect(existsSync(path.join(dir.dir, 'redis', 'appendonlydir'))).toBe(true);
      // Bound to loopback and password-protected: an anonymous client is refused.
      expect(await probe(handle.url.replace(/:\/\/:[^@]+@/, '://'))).not.toBeNull();
      expect(await probe(handle.url)).toBeNull();
      const pid = Number(await readFile(path.join(dir.dir, 'redis', 'redis.pid'), 'utf8'));
      await handle.close();
      expect(await waitUntil(() => !isProcessAlive(pid), 5000)).toBe(true);

      // The data survive a restart of the private server.
      const again = await connectRedis(testConfig({ REDIS_URL: '', DATA_DIR: dir.dir }), silentLogger, {
        localUrl: NOTHING_THERE,
      });
      try {
        expect(await again.client.get('kept')).toBe('yes');
      } finally {
        await again.close();
      }
    } finally {
      await dir.remove();
    }
  });

  it('leaves no orphan redis-server when the service is killed with SIGKILL', async () => {
    const dir = await tempDir();
    const child = spawn(process.execPath, ['--import', 'tsx', 'tests/fixtures/private-redis.ts', dir.dir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let buf = '';
        child.stdout.on('data', (d: Buffer) => {
          buf += d.toString();
          if (buf.includes('\n')) resolve(buf.split('\n')[0] ?? '');
        });
        child.once('exit', (code) => reject(new Error(`fixture exited with ${code}`)));
      });
      const { pid, source } = JSON.parse(line) as { pid: number; source: string };
      expect(source).toBe('private');
      expect(isProcessAlive(pid)).toBe(true);
      child.kill('SIGKILL');
      expect(await waitUntil(() => !isProcessAlive(pid), 10_000)).toBe(true);
    } finally {
      child.kill('SIGKILL');
      await dir.remove();
    }
  });
});

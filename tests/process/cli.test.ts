import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../../migrations/index.js';
import { createTestDatabase, type TestDatabase } from '../helpers/services.js';
import { spawnTs } from '../helpers/spawn.js';
import { testServiceUrls } from '../helpers/urls.js';

async function cli(args: string[], env: Record<string, string>, input?: string) {
  const s = spawnTs('bin/cli.ts', args, env, input === undefined ? {} : { input });
  const { code } = await s.exited;
  return { code, stdout: s.stdout(), stderr: s.stderr() };
}

describe('npm run cli', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('migrate applies, migrate down reverts one, migrate:down another, migrate again re-applies', async () => {
    const env = { DATABASE_URL: db.url };
    const names = Object.keys(migrations);
    const up = await cli(['migrate'], env);
    expect(up.code).toBe(0);
    expect(up.stdout.trim()).toBe(names.map((n) => `applied  ${n}`).join('\n'));
    expect((await cli(['migrate'], env)).stdout).toContain('Database is up to date.');
    const down = await cli(['migrate', 'down'], env);
    expect(down.stdout.trim()).toBe(`reverted ${names.at(-1)}`);
    const down2 = await cli(['migrate:down'], env);
    expect(down2.stdout.trim()).toBe(`reverted ${names.at(-2)}`);
    const again = await cli(['migrate'], env);
    expect(again.code).toBe(0);
    expect(again.stdout.trim()).toBe(
      names
        .slice(-2)
        .map((n) => `applied  ${n}`)
        .join('\n'),
    );
  });

  it('migrate refuses an unknown direction', async () => {
    const r = await cli(['migrate', 'sideways'], { DATABASE_URL: db.url });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('unknown direction "sideways"');
  });

  it('doctor prints the configuration with secrets masked and checks each part', async () => {
    const url = new URL(db.url);
    url.password = 'pw-secret';
    const r = await cli(['doctor'], {
      DATABASE_URL: url.toString(),
      REDIS_URL: testServiceUrls().redisUrl,
      APP_ENCRYPTION_KEY: Buffer.alloc(32, 9).toString('base64'),
      CHROMIUM_PATH: '/nonexistent/chromium',
    });
    expect(r.stdout).not.toContain('pw-secret');
    expect(r.stdout).not.toContain(Buffer.alloc(32, 9).toString('base64'));
    expect(r.stdout).toMatch(/APP_ENCRYPTION_KEY\s+\*\*\* \(set\)/);
    expect(r.stdout).toMatch(/^OK {4}database {2}PostgreSQL .+ migrations up to date$/m);
    expect(r.stdout).toMatch(/^OK {4}redis {5}Redis answers at REDIS_URL$/m);
    expect(r.stdout).toMatch(/^FAIL {2}chromium {2}Chromium at \/nonexistent\/chromium does not start/m);
    expect(r.stdout).toMatch(/hint: Install Chromium/);
    expect(r.code).toBe(1);
  });

  it('doctor reports an unreachable database as FAIL with a hint', async () => {
    const r = await cli(['doctor'], {
      DATABASE_URL: 'postgres://u@127.0.0.1:1/x',
      REDIS_URL: testServiceUrls().redisUrl,
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAIL {2}database {2}database: Cannot connect to the database/m);
    expect(r.stdout).toMatch(/hint: Check that PostgreSQL is running/);
  });

  it('health fails naming the heartbeat until a worker has beaten, then passes', async () => {
    const env = { DATABASE_URL: db.url, REDIS_URL: testServiceUrls().redisUrl };
    expect((await cli(['migrate'], env)).code).toBe(0);
    const before = await cli(['health'], env);
    expect(before.code).toBe(1);
    expect(JSON.parse(before.stdout)).toMatchObject({ ready: false, failing: ['heartbeat'] });
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await client.query(
        "insert into worker_heartbeats (name, job_id, worker, beat_at) values ('maintenance', 'j', 'w', now()) on conflict (name) do update set beat_at = now()",
      );
    } finally {
      await client.end();
    }
    const after = await cli(['health'], env);
    expect(JSON.parse(after.stdout)).toMatchObject({ ready: true, failing: [] });
    expect(after.code).toBe(0);
  });

  it('health fails naming Redis when Redis does not answer', async () => {
    const r = await cli(['health'], { DATABASE_URL: db.url, REDIS_URL: 'redis://127.0.0.1:1' });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).failing).toContain('redis');
  });

  it('user:create makes the first superadmin from a password on stdin, and refuses a second or a weak one', async () => {
    const env = { DATABASE_URL: db.url, REDIS_URL: testServiceUrls().redisUrl };
    const args = ['user:create', '--role', 'superadmin', '--username', 'chief', '--password-stdin'];
    const weak = await cli(args, env, 'password\n');
    expect(weak.code).toBe(1);
    expect(weak.stderr).toMatch(/at least 12/i);
    const ok = await cli(args, env, 'Gx8!harbour-Lamp-42\n');
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/Created superadmin chief/);
    const again = await cli(
      [...args.slice(0, 4), 'chief2', '--password-stdin'],
      env,
      'Gx8!harbour-Lamp-43\n',
    );
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/superadmin already exists/);
    const editor = await cli(
      ['user:create', '--role', 'editor', '--username', 'ed1', '--password-stdin'],
      env,
      'x\n',
    );
    expect(editor.stderr).toMatch(/only creates the first superadmin/);
  });
});

import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../core/calendar/days.js';
import { dayOf } from '../../core/metrics/ingest.js';
import { keyringFromKeys } from '../../core/secrets/keyring.js';
import { putSecret } from '../../core/secrets/secrets.repository.js';
import { type EmulatorApp, startEmulator } from '../../integrations/emulator/emulator.app.js';
import { clearPrefix, createMigratedDatabase, uniqueName } from '../helpers/services.js';
import { spawnTs } from '../helpers/spawn.js';
import { testServiceUrls } from '../helpers/urls.js';

const SECRET = 'cli-backfill-secret-0123456789abcd';

describe('npm run cli -- metrics:backfill', () => {
  let database: Awaited<ReturnType<typeof createMigratedDatabase>>;
  let emu: EmulatorApp & { url: string; close: () => Promise<void> };
  let env: Record<string, string>;
  let accountId: string;
  const prefix = uniqueName('t-mcli').toLowerCase();

  const cli = async (args: string[]) => {
    const s = spawnTs('bin/cli.ts', args, env);
    const { code } = await s.exited;
    return { code, stdout: s.stdout(), stderr: s.stderr() };
  };
  const rows = async () =>
    Number(
      (
        await database.db
          .selectFrom('metric_account_daily')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('account_id', '=', accountId)
          .executeTakeFirstOrThrow()
      ).n,
    );

  beforeAll(async () => {
    database = await createMigratedDatabase();
    emu = await startEmulator();
    emu.state.addWechatApp({ appid: 'wx_cli_backfill', secret: SECRET });
    const key = randomBytes(32).toString('base64');
    const org = await database.db
      .insertInto('organisations')
      .values({ slug: 'cli-metrics', name: '市政府' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const account = await database.db
      .insertInto('accounts')
      .values({
        organisation_id: org.id,
        platform: 'wechat',
        name: '市政府发布',
        external_id: 'wx_cli_backfill',
        wechat_kind: 'subscription',
        publish_mode: 'masssend',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    accountId = account.id;
    await putSecret(database.db, keyringFromKeys(key, []), {
      ownerType: 'account',
      ownerId: accountId,
      name: 'app_secret',
      value: SECRET,
    });
    env = {
      DATABASE_URL: database.url,
      REDIS_URL: testServiceUrls().redisUrl,
      REDIS_PREFIX: prefix,
      APP_ENCRYPTION_KEY: key,
      WECHAT_API_BASE: emu.url,
    };
  });
  afterAll(async () => {
    const redis = new Redis(testServiceUrls().redisUrl);
    await clearPrefix(redis, prefix);
    await redis.quit();
    await emu.close();
    await database.drop();
  });

  it('backfills by account name with a progress bar, and a second run writes the same rows again', async () => {
    const to = dayOf(Date.now() - 86_400_000);
    const from = addDays(to, -59);
    const first = await cli(['metrics:backfill', '--account', '市政府发布', '--from', from, '--to', to]);
    expect(first.stderr).toContain('100%');
    expect(first.stderr).toContain('60/60 days');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/Backfill [0-9a-f-]{36}: 市政府发布 \(wechat\)/);
    expect(first.stdout).toMatch(/Done: \d+ rows written/);
    expect(await rows()).toBe(60);

    const second = await cli([
      'metrics:backfill',
      '--account',
      'wx_cli_backfill',
      '--from',
      from,
      '--to',
      to,
    ]);
    expect(second.code).toBe(0);
    expect(await rows()).toBe(60);
  });

  it('explains a bad range or an unknown account and exits 1 without writing', async () => {
    const today = dayOf(Date.now());
    const notFinal = await cli([
      'metrics:backfill',
      '--account',
      '市政府发布',
      '--from',
      today,
      '--to',
      today,
    ]);
    expect(notFinal.code).toBe(1);
    expect(notFinal.stderr).toMatch(/not available before the next day/);
    const unknown = await cli([
      'metrics:backfill',
      '--account',
      'nobody',
      '--from',
      '2026-01-01',
      '--to',
      '2026-01-02',
    ]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/No account "nobody"/);
    const reversed = await cli([
      'metrics:backfill',
      '--account',
      '市政府发布',
      '--from',
      '2026-01-09',
      '--to',
      '2026-01-02',
    ]);
    expect(reversed.code).toBe(1);
    expect(reversed.stderr).toMatch(/`from` must not be after `to`/);
  });
});

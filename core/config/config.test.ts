import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, describeConfig, loadConfig, maskUrl, parseCidrList } from './config.js';

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('runs on embedded defaults when nothing is set', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.host).toBe('127.0.0.1');
    expect(c.dataDir).toBe(path.resolve('./data'));
    expect(c.database.url).toBeNull();
    expect(c.database.autoMigrate).toBe(true);
    expect(c.redis.url).toBeNull();
    expect(c.adminIpAllowlist).toEqual(['127.0.0.0/8', '::1/128']);
    expect(c.trustProxy).toBe(false);
    expect(c.publicUrl).toBeNull();
    expect(loadConfig({ PUBLIC_URL: 'https://yy.example.cn/' }).publicUrl).toBe('https://yy.example.cn');
  });

  it('does not migrate automatically on a real database unless asked', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://u@h/db' }).database.autoMigrate).toBe(false);
    expect(loadConfig({ DATABASE_URL: 'postgres://u@h/db', AUTO_MIGRATE: 'true' }).database.autoMigrate).toBe(
      true,
    );
    expect(loadConfig({ AUTO_MIGRATE: 'false' }).database.autoMigrate).toBe(false);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '  ' }).port).toBe(3000);
  });

  it('names the variable and the problem in one line', () => {
    const problems = problemsOf({ PORT: 'abc' });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^Invalid configuration: PORT must be a whole number, got "abc"$/);
  });

  it('reports each bad variable on its own line', () => {
    const problems = problemsOf({
      PORT: '70000',
      LOG_LEVEL: 'loud',
      DATABASE_URL: 'mysql://x',
      TRUST_PROXY: 'maybe',
    });
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).toMatch(/PORT must be at most 65535/);
    expect(problems.join('\n')).toMatch(/LOG_LEVEL must be one of fatal, error/);
    expect(problems.join('\n')).toMatch(
      /DATABASE_URL must be a URL starting with postgres:\/\/ or postgresql:\/\//,
    );
    expect(problems.join('\n')).toMatch(
      /TRUST_PROXY must be true, false, a hop count or a list of proxy CIDRs/,
    );
    for (const p of problems) expect(p).not.toContain('\n');
  });

  it('never echoes a secret value back', () => {
    const problems = problemsOf({ APP_ENCRYPTION_KEY: 'hunter2-not-base64' });
    expect(problems[0]).toMatch(/APP_ENCRYPTION_KEY must be 32 random bytes in base64/);
    expect(problems[0]).not.toContain('hunter2');
  });

  it('accepts a proper encryption key', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    expect(loadConfig({ APP_ENCRYPTION_KEY: key }).encryptionKey).toBe(key);
  });

  it('parses the allow-list and the trust-proxy forms', () => {
    expect(
      loadConfig({ ADMIN_IP_ALLOWLIST: '10.0.0.0/8, 2001:db8::/32,192.168.1.7' }).adminIpAllowlist,
    ).toEqual(['10.0.0.0/8', '2001:db8::/32', '192.168.1.7/32']);
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: '10.1.0.0/16' }).trustProxy).toEqual(['10.1.0.0/16']);
    expect(problemsOf({ ADMIN_IP_ALLOWLIST: '10.0.0.0/33' })[0]).toMatch(
      /ADMIN_IP_ALLOWLIST "10.0.0.0\/33" has an invalid prefix/,
    );
    expect(problemsOf({ ADMIN_IP_ALLOWLIST: 'office' })[0]).toMatch(
      /"office" is not an IPv4 or IPv6 address/,
    );
  });

  it('returns a frozen object', () => {
    const c = loadConfig({});
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.database)).toBe(true);
    expect(() => {
      (c as { port: number }).port = 1;
    }).toThrow(TypeError);
  });
});

describe('parseCidrList', () => {
  it('rejects garbage prefixes', () => {
    expect(() => parseCidrList('10.0.0.0/abc')).toThrow(/invalid prefix/);
    expect(() => parseCidrList('::1/129')).toThrow(/invalid prefix/);
    expect(parseCidrList(' , ')).toEqual([]);
  });
});

describe('describeConfig', () => {
  it('masks passwords and secrets', () => {
    const c = loadConfig({
      DATABASE_URL: 'postgres://app:s3cret@db:5432/yy',
      REDIS_URL: 'redis://:r3dis@cache:6379',
      APP_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'),
    });
    const text = describeConfig(c)
      .map((r) => `${r.name}=${r.value}`)
      .join('\n');
    expect(text).not.toMatch(/s3cret|r3dis|AQEBAQ/);
    expect(text).toContain('DATABASE_URL=postgres://app:***@db:5432/yy');
    expect(text).toContain('APP_ENCRYPTION_KEY=*** (set)');
    expect(text).toContain('PORT=3000');
  });

  it('maskUrl leaves password-less URLs alone and hides unparseable ones', () => {
    expect(maskUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
    expect(maskUrl('::not a url')).toBe('***');
  });
});

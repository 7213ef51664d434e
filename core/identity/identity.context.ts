import type { Redis } from 'ioredis';
import type { Config } from '../config/config.js';
import type { Db } from '../db/database.js';
import type { Keyring } from '../secrets/keyring.js';
import type { SessionPolicy } from './session.service.js';

/** What the identity services need; built once at start-up. */
export interface IdentityContext {
  db: Db;
  redis: Redis;
  config: Config;
  keyring: Keyring;
}

/** Who is asking, for the audit log and the per-address limits. */
export interface RequestOrigin {
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
}

export function sessionPolicy(config: Config): SessionPolicy {
  return {
    idleMinutes: config.auth.sessionIdleMinutes,
    maxHours: config.auth.sessionMaxHours,
    passwordMaxAgeDays: config.auth.passwordMaxAgeDays,
  };
}

/**
 * Where the real services for the tests are. TEST_DATABASE_URL / TEST_REDIS_URL win, then
 * DATABASE_URL / REDIS_URL (as CI sets them), then the development machine's defaults.
 * The database named here is only used to create a fresh database per test file.
 */
export function testServiceUrls(): { databaseUrl: string; redisUrl: string } {
  const env = process.env;
  return {
    databaseUrl: env.TEST_DATABASE_URL || env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test',
    redisUrl: env.TEST_REDIS_URL || env.REDIS_URL || 'redis://127.0.0.1:6379',
  };
}

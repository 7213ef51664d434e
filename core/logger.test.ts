import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger('info', stream), text: () => lines.join('') };
}

// Listed here rather than imported, so dropping one from the logger fails this test.
const SECRET_FIELDS = [
  'password',
  'newPassword',
  'currentPassword',
  'initialPassword',
  'otp',
  'secret',
  'appSecret',
  'app_secret',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'token',
  'ciphertext',
  'totpSecret',
  'totp_secret',
  'recoveryCodes',
  'encryptionKey',
  'csrfToken',
];
const SECRET_HEADERS = ['authorization', 'cookie', 'set-cookie', 'x-csrf-token'];

/** A value nobody would log by accident, unique per field and depth so a leak names its path. */
const marker = (where: string) => `LEAK<${where}>`;

describe('log redaction', () => {
  it('never writes a secret field at the top level, or one or two levels deep', () => {
    const { logger, text } = capture();
    for (const f of SECRET_FIELDS) {
      logger.info({ [f]: marker(f), keep: `kept-top-${f}` }, 'top level');
      logger.info({ account: { [f]: marker(`account.${f}`), name: `kept-one-${f}` } }, 'one level');
      logger.info({ job: { data: { [f]: marker(`job.data.${f}`), kind: `kept-two-${f}` } } }, 'two levels');
    }
    logger.info({ user: { recoveryCodes: [marker('array-code')] } }, 'an array value');
    const out = text();
    expect(out.match(/LEAK<[^>]*>/g) ?? []).toEqual([]);
    for (const f of SECRET_FIELDS)
      for (const kept of [`kept-top-${f}`, `kept-one-${f}`, `kept-two-${f}`]) expect(out).toContain(kept);
    expect(out).toContain('[redacted]');
  });

  it('never writes session or credential headers of a request or a response', () => {
    const { logger, text } = capture();
    for (const h of SECRET_HEADERS) {
      const headers = (where: string) => ({
        [h]: marker(`${where}.${h}`),
        'user-agent': `kept-${where}-${h}`,
      });
      logger.info({ headers: headers('headers') }, 'top level');
      logger.info({ req: { url: '/admin', headers: headers('req') } }, 'request');
      logger.info({ res: { statusCode: 200, headers: headers('res') } }, 'response');
      logger.info({ err: { response: { headers: headers('err.response') } } }, 'platform error');
    }
    const out = text();
    expect(out.match(/LEAK<[^>]*>/g) ?? []).toEqual([]);
    for (const h of SECRET_HEADERS)
      for (const where of ['headers', 'req', 'res', 'err.response'])
        expect(out).toContain(`kept-${where}-${h}`);
    expect(out).toContain('/admin');
  });
});

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

describe('log redaction', () => {
  it('never writes secrets, top level or nested, while keeping the rest', () => {
    const { logger, text } = capture();
    const secrets = {
      password: 'SEKRIT1Z-password',
      newPassword: 'SEKRIT2Z-new',
      otp: '123456-SEKRIT3Z',
      appSecret: 'SEKRIT4Z-appsecret',
      access_token: 'SEKRIT5Z-token',
      ciphertext: 'v1.SEKRIT6Z',
      totpSecret: 'SEKRIT7Z-totp',
      recoveryCodes: ['SEKRIT8Z-code'],
      initialPassword: 'SEKRIT9Z-initial',
    };
    logger.info(secrets, 'top level');
    logger.info({ account: { appSecret: 'SEKRIT10Z-nested', name: 'visible-account' } }, 'nested');
    logger.info({ job: { data: { token: 'SEKRIT11Z-deep' } } }, 'two levels');
    logger.info(
      {
        req: {
          headers: {
            cookie: 'yy_sid=SEKRIT12Z-cookie',
            authorization: 'Bearer SEKRIT13Z',
            'x-csrf-token': 'SEKRIT14Z',
          },
        },
      },
      'request',
    );
    const out = text();
    for (let i = 1; i <= 14; i++) expect(out).not.toContain(`SEKRIT${i}Z`);
    expect(out).toContain('visible-account');
    expect(out).toContain('[redacted]');
  });
});

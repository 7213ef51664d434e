import { randomBytes } from 'node:crypto';
import jpegJs from 'jpeg-js';
import type { App } from '../../api/app.js';
import type { SignedIn } from './identity.js';

/** A valid 1×1 PNG; `salt` appends bytes after IEND so each call can make a distinct file. */
export function png(salt = ''): Buffer {
  const base = Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
    'base64',
  );
  return salt ? Buffer.concat([base, Buffer.from(salt)]) : base;
}

/** A valid 16×16 JPEG (WeChat covers must be JPEG under 64 KB); `shade` makes distinct files. */
export function jpeg(shade = 200): Buffer {
  const size = 16;
  const data = Buffer.alloc(size * size * 4, shade % 256);
  return Buffer.from(jpegJs.encode({ data, width: size, height: size }, 80).data);
}

/** A multipart/form-data body with one file part, as a browser would send it. */
export function multipart(filename: string, contentType: string, bytes: Buffer) {
  const boundary = `----yy${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: ${contentType}\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return {
    payload: Buffer.concat([head, bytes, tail]),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

export async function uploadImage(
  app: App,
  who: SignedIn,
  organisationId: string,
  bytes: Buffer,
  filename = 'cover.png',
  contentType = 'image/png',
) {
  const body = multipart(filename, contentType, bytes);
  return app.inject({
    method: 'POST',
    url: `/api/media?organisationId=${organisationId}`,
    headers: { ...who.headers, ...body.headers },
    payload: body.payload,
  });
}

export function article(overrides: Record<string, unknown> = {}) {
  return {
    title: '体彩公益金助力全民健身',
    author: '省体彩中心',
    digest: '今年以来，体彩公益金支持建设健身场地。',
    contentHtml: '<p>今年以来，体彩公益金持续支持全民健身设施建设。</p>',
    original: true,
    comments: 'open',
    ...overrides,
  };
}

/**
 * `npm run bench:platform` — WeChat client calls per second against the emulator, as a ratio to raw
 * HTTP requests to the same emulator endpoint in the same run (issue 4 target: ≥ 0.8).
 *   client  WechatClient.customMenu(): token from the Redis-backed holder, the wechat-api adapter
 *           (urllib over a keep-alive agent), JSON, errcode check
 *   raw     the same URL with a fixed token and the body read, two ways: fetch() (undici) and
 *           node:http with a keep-alive agent. The ratio is taken against the faster of the two.
 * At 0 ms and 50 ms emulator latency; CONCURRENCY requests in flight (default 32), DURATION_MS per
 * measurement (default 3000), ROUNDS alternating measurements per setting (default 5).
 */
import { Agent, get } from 'node:http';
import { Redis } from 'ioredis';
import { startEmulator } from '../integrations/emulator/emulator.app.js';
import { WechatTokenHolder } from '../integrations/wechat/token-holder.js';
import { WechatClient } from '../integrations/wechat/wechat.client.js';
import { clearPrefix } from '../tests/helpers/services.js';
import { testServiceUrls } from '../tests/helpers/urls.js';

const CONCURRENCY = Number(process.env.CONCURRENCY ?? 32);
const DURATION_MS = Number(process.env.DURATION_MS ?? 3000);
const ROUNDS = Number(process.env.ROUNDS ?? 5);

async function throughput(call: () => Promise<unknown>): Promise<number> {
  let done = 0;
  const end = performance.now() + DURATION_MS;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < end) {
        await call();
        done++;
      }
    }),
  );
  return done / (DURATION_MS / 1000);
}

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

async function main(): Promise<void> {
  const emu = await startEmulator();
  const redis = new Redis(testServiceUrls().redisUrl, { maxRetriesPerRequest: null });
  const prefix = `yybenchplatform${process.pid}`;
  emu.state.addWechatApp({ appid: 'wx_bench', secret: 'bench-secret-0123456789abcdef' });
  const holder = new WechatTokenHolder({
    redis,
    prefix,
    baseUrl: emu.url,
    secretOf: async () => 'bench-secret-0123456789abcdef',
  });
  const client = new WechatClient(emu.url, holder);
  const token = await holder.token('wx_bench');
  const url = `${emu.url}/cgi-bin/get_current_selfmenu_info?access_token=${token}`;
  const rawFetch = async () => {
    const res = await fetch(url);
    await res.json();
  };
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const rawHttp = () =>
    new Promise<unknown>((resolve, reject) => {
      get(url, { agent }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => {
          body += d;
        });
        res.on('end', () => resolve(JSON.parse(body)));
      }).on('error', reject);
    });
  const viaClient = () => client.customMenu('wx_bench');
  const lines = [
    `node ${process.version}; ${CONCURRENCY} in flight, ${DURATION_MS} ms per measurement, ${ROUNDS} alternating rounds`,
    '',
    '| emulator latency | raw fetch req/s median (min–max) | raw node:http req/s median (min–max) | client calls/s median (min–max) | ratio (client / faster raw) | target |',
    '|---|---|---|---|---|---|',
  ];
  try {
    for (const latency of [0, 50]) {
      emu.state.knobs.latencyMs = latency;
      await throughput(rawFetch);
      await throughput(rawHttp);
      const f: number[] = [];
      const h: number[] = [];
      const c: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        f.push(await throughput(rawFetch));
        h.push(await throughput(rawHttp));
        c.push(await throughput(viaClient));
      }
      const fmt = (v: number[]) =>
        `${median(v).toFixed(0)} (${Math.min(...v).toFixed(0)}–${Math.max(...v).toFixed(0)})`;
      const ratio = median(c) / Math.max(median(f), median(h));
      lines.push(`| ${latency} ms | ${fmt(f)} | ${fmt(h)} | ${fmt(c)} | ${ratio.toFixed(2)} | ≥ 0.8 |`);
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await clearPrefix(redis, prefix);
    await redis.quit();
    agent.destroy();
    await emu.close();
  }
}

await main();

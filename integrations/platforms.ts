import type { Redis } from 'ioredis';
import type { AccountRef, CredentialCheck, Platform, PlatformClient } from './platform.js';
import { PlatformError } from './platform.js';
import { WechatTokenHolder } from './wechat/token-holder.js';
import { WechatClient } from './wechat/wechat.client.js';
import { WechatPlatform } from './wechat/wechat.platform.js';
import { WeiboClient } from './weibo/weibo.client.js';
import { WeiboPlatform } from './weibo/weibo.platform.js';

export interface PlatformWiring {
  redis: Redis;
  redisPrefix: string;
  wechatApiBase: string;
  weiboApiBase: string;
  weiboSafeDomains: readonly string[];
  /** The in-process emulator serving sandbox (沙箱) accounts, when one runs. */
  sandboxBase: string | null;
  /** The emulator's Weibo safe domains (its demo app). */
  sandboxSafeDomains?: readonly string[];
  secretOf: (platform: Platform, externalId: string, name: string) => Promise<string>;
}

/**
 * Builds the platform clients: one for the real platforms (WECHAT_API_BASE) and one for the sandbox
 * emulator, chosen per account. Nothing else needs to know which is which.
 */
/** The safe domain of the emulator's Weibo app, which serves sandbox accounts. */
export const SANDBOX_SAFE_DOMAINS: readonly string[] = ['example.gov.cn'];

export function createPlatformClients(w: PlatformWiring) {
  const wechatAt = (baseUrl: string, prefix: string) =>
    new WechatClient(
      baseUrl,
      new WechatTokenHolder({
        redis: w.redis,
        prefix,
        baseUrl,
        secretOf: (appid) => w.secretOf('wechat', appid, 'app_secret'),
      }),
    );
  const real = wechatAt(w.wechatApiBase, w.redisPrefix);
  const sandbox = w.sandboxBase ? wechatAt(w.sandboxBase, `${w.redisPrefix}:sandbox`) : null;
  const wechatFor = (a: AccountRef): WechatClient => {
    if (!a.sandbox) return real;
    if (!sandbox)
      throw new PlatformError('transient', 'wechat', 'the sandbox emulator is not running', {
        editorMessage: '沙箱模拟器未运行：沙箱账号仅在内置演示模式下可用。',
      });
    return sandbox;
  };
  const weiboReal = new WeiboClient(w.weiboApiBase, w.weiboSafeDomains);
  const weiboSandbox = w.sandboxBase
    ? new WeiboClient(w.sandboxBase, w.sandboxSafeDomains ?? SANDBOX_SAFE_DOMAINS)
    : null;
  const weiboFor = (a: AccountRef): WeiboClient => {
    if (!a.sandbox) return weiboReal;
    if (!weiboSandbox)
      throw new PlatformError('transient', 'weibo', 'the sandbox emulator is not running', {
        editorMessage: '沙箱模拟器未运行：沙箱账号仅在内置演示模式下可用。',
      });
    return weiboSandbox;
  };
  const platforms: Record<Platform, PlatformClient> = {
    wechat: new WechatPlatform(wechatFor),
    weibo: new WeiboPlatform(weiboFor, (a) => w.secretOf('weibo', a.externalId, 'access_token')),
  };
  return {
    wechatFor,
    weiboFor,
    /** The platform interface for an account: the only way the rest of the code reaches a platform. */
    platformFor: (a: AccountRef): PlatformClient => platforms[a.platform],
    verifiers: {
      wechat: (a: AccountRef): Promise<CredentialCheck> => platforms.wechat.verify(a),
      weibo: (a: AccountRef): Promise<CredentialCheck> => platforms.weibo.verify(a),
    },
  };
}

import { PlatformError, type PlatformErrorKind } from '../platform.js';

/** WeChat errcodes (reference §1.7) → error kind and the editor's message (zh-CN, naming the fix). */
const CODES: Readonly<Record<number, { kind: PlatformErrorKind; editorMessage: string }>> = {
  [-1]: { kind: 'transient', editorMessage: '微信系统繁忙，稍后将自动重试。' },
  40001: { kind: 'auth', editorMessage: '调用凭证失效，系统将自动刷新后重试。' },
  40014: { kind: 'auth', editorMessage: '调用凭证无效，系统将自动刷新后重试。' },
  42001: { kind: 'auth', editorMessage: '调用凭证已过期，系统将自动刷新后重试。' },
  40013: { kind: 'reauth', editorMessage: 'AppID 无效：请在“账号管理”中核对公众号的 AppID。' },
  40125: {
    kind: 'reauth',
    editorMessage:
      'AppSecret 错误：请在公众平台“设置与开发 → 基本配置”重置 AppSecret，并在“账号管理”中更新。',
  },
  40243: { kind: 'reauth', editorMessage: 'AppSecret 已被冻结：请在公众平台解冻或重置 AppSecret 后更新。' },
  41004: { kind: 'reauth', editorMessage: '缺少 AppSecret：请在“账号管理”中填写。' },
  40164: {
    kind: 'reauth',
    editorMessage:
      '服务器 IP 不在公众号 IP 白名单中：请在公众平台“设置与开发 → 基本配置 → IP 白名单”中加入本服务器的出口 IP。',
  },
  50002: { kind: 'reauth', editorMessage: '公众号受限（可能被冻结或注销）：请登录公众平台查看账号状态。' },
  50007: { kind: 'reauth', editorMessage: '公众号已被冻结：请登录公众平台处理。' },
  45009: {
    kind: 'quota_exhausted',
    editorMessage: '今日接口调用次数已用完：明日自动恢复，或由管理员在公众平台清零。',
  },
  45011: { kind: 'rate_limited', editorMessage: '接口调用过于频繁，稍后将自动重试。' },
  45028: {
    kind: 'quota_exhausted',
    editorMessage: '今日群发次数已用完：请将文章并入当日已群发的图文，或改期到明天。',
  },
  48001: {
    kind: 'not_permitted',
    editorMessage: '该公众号没有此接口权限（可能未认证或类型不支持）：请改用群发，或先完成微信认证。',
  },
  40007: { kind: 'invalid_content', editorMessage: '素材 ID 无效：请重新上传封面或图片。' },
  53503: { kind: 'invalid_content', editorMessage: '草稿未通过发布检查：请检查内容后重新提交。' },
};

export function wechatErrorKind(errcode: number): PlatformErrorKind {
  return CODES[errcode]?.kind ?? 'transient';
}

export function wechatError(errcode: number, errmsg: string, endpoint: string): PlatformError {
  const known = CODES[errcode];
  return new PlatformError(known?.kind ?? 'transient', 'wechat', `WeChat ${endpoint}: ${errcode} ${errmsg}`, {
    code: errcode,
    endpoint,
    editorMessage: known?.editorMessage ?? `微信返回错误 ${errcode}：${errmsg}`,
    ...(errcode === 45011 ? { retryAfterMs: 60_000 } : {}),
  });
}

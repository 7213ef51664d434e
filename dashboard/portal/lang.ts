/**
 * The portal's two languages. Chinese is the default and the language of the monthly report; English is
 * the visitor's choice, kept in the `yy_lang` cookie that the switch in the top bar (portal-i18n.js) sets.
 */
export const PORTAL_LANGS = ['zh-CN', 'en'] as const;
export type PortalLang = (typeof PORTAL_LANGS)[number];

export const LANG_COOKIE = 'yy_lang';

/** Only the exact cookie values count; anything else (absent, `EN`, `en-US`) is Chinese. */
export function portalLangOf(cookieValue: string | undefined): PortalLang {
  return cookieValue === 'en' ? 'en' : 'zh-CN';
}

/** The text of a server-rendered shell in the page's language. */
export const inLang = (lang: PortalLang, zh: string, en: string): string => (lang === 'en' ? en : zh);

import { inLang, type PortalLang } from './lang.js';
import { portalHeader, portalShell } from './layout.js';

/** The approval inbox (体彩方审定): list, follower-eye preview, approve, or reject with a reason. */
export function portalInboxPage(lang: PortalLang = 'zh-CN'): string {
  const t = (zh: string, en: string) => inLang(lang, zh, en);
  return portalShell({
    title: t('待审内容', 'For review'),
    page: 'inbox',
    lang,
    modules: ['portal-inbox.js'],
    body: `${portalHeader('inbox', lang)}
<main id="main">
  <h1>${t('待审内容', 'For review')}</h1>
  <p class="muted">${t('以下内容等待您审定。审定通过后将按预定时间（或尽快）发布；驳回时请填写原因。', 'These items wait for your review. Approved items are published at their scheduled time (or as soon as possible); please give a reason when you reject one.')}</p>
  <p id="status" class="muted" role="status" aria-live="polite">${t('正在加载…', 'Loading…')}</p>
  <p id="error" class="error" role="alert" hidden></p>
  <div id="inbox" class="table-wrap"></div>
</main>`,
  });
}

import { portalHeader, portalShell } from './layout.js';

/** The approval inbox (体彩方审定): list, follower-eye preview, approve, or reject with a reason. */
export function portalInboxPage(): string {
  return portalShell({
    title: '待审内容',
    page: 'inbox',
    modules: ['portal-inbox.js'],
    body: `${portalHeader('inbox')}
<main id="main">
  <h1>待审内容</h1>
  <p class="muted">以下内容等待您审定。审定通过后将按预定时间（或尽快）发布；驳回时请填写原因。</p>
  <p id="status" class="muted" role="status" aria-live="polite">正在加载…</p>
  <p id="error" class="error" role="alert" hidden></p>
  <div id="inbox" class="table-wrap"></div>
</main>`,
  });
}

import { escapeHtml } from '../html.js';
import type { ContentBody } from './content.body.js';

/**
 * The follower's view of content, for reviewers: a WeChat article page (title, author and account
 * line, body, 阅读原文) for each article of an edition, or a Weibo card. The body HTML was sanitised
 * on save; everything else is escaped here. `mediaUrl` maps a library image id to a URL the viewer's
 * surface may load (backend or portal).
 */

const LIBRARY_SRC = /\/api\/media\/([0-9a-f-]{36})\/file/gi;

export interface PreviewInput {
  body: ContentBody;
  accountName: string;
  /** The planned time, shown where WeChat shows the publish date. */
  when: Date | null;
  mediaUrl: (mediaId: string) => string;
}

const STYLE = `
body{margin:0;background:#f2f2f2;font-family:-apple-system,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;color:#333}
main{max-width:677px;margin:0 auto;background:#fff;padding:20px 16px 40px}
article+article{border-top:8px solid #f2f2f2;margin-top:32px;padding-top:24px}
h1{font-size:22px;line-height:1.4;margin:0 0 14px;font-weight:500}
.meta{font-size:15px;color:rgba(0,0,0,.55);margin-bottom:22px}
.meta .account{color:#576b95;margin-right:8px}
.body{font-size:17px;line-height:1.6;overflow-wrap:break-word}
.body img{max-width:100%!important;height:auto!important}
.cover{width:100%;aspect-ratio:2.35/1;object-fit:cover;border-radius:4px;margin-bottom:16px}
.source{margin-top:24px;font-size:14px}.source a{color:#576b95}
.weibo{border:1px solid #e6e6e6;border-radius:6px;padding:16px}
.weibo .text{font-size:15px;line-height:1.6;white-space:pre-wrap}
.weibo img{max-width:100%;margin-top:10px;border-radius:4px}
.label{font-size:12px;color:#999;margin-bottom:8px}
`;

function when(d: Date | null): string {
  if (!d) return '审核通过后尽快发布';
  return new Intl.DateTimeFormat('zh-CN', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).format(d);
}

export function renderPreview(p: PreviewInput): string {
  const src = (html: string) => html.replace(LIBRARY_SRC, (_m, id: string) => p.mediaUrl(id));
  let main: string;
  if (p.body.kind === 'weibo_post') {
    main = `<div class="weibo"><div class="label">${escapeHtml(p.accountName)} · ${escapeHtml(when(p.when))}</div>
<div class="text">${escapeHtml(p.body.text)}</div>
${p.body.pictureMediaId ? `<img alt="配图" src="${escapeHtml(p.mediaUrl(p.body.pictureMediaId))}">` : ''}</div>`;
  } else {
    main = p.body.articles
      .map(
        (a, i) => `<article>
${p.body.kind === 'wechat_edition' && p.body.articles.length > 1 ? `<div class="label">第 ${i + 1} 篇${i === 0 ? '（头条）' : ''}</div>` : ''}
${a.coverMediaId ? `<img class="cover" alt="封面" src="${escapeHtml(p.mediaUrl(a.coverMediaId))}">` : ''}
<h1>${escapeHtml(a.title)}</h1>
<div class="meta">${a.original ? '<span>原创</span> ' : ''}${a.author ? `<span>${escapeHtml(a.author)}</span> ` : ''}<span class="account">${escapeHtml(p.accountName)}</span><span>${escapeHtml(when(p.when))}</span></div>
<div class="body">${src(a.contentHtml)}</div>
${a.sourceUrl ? `<div class="source"><a href="${escapeHtml(a.sourceUrl)}" rel="noopener noreferrer">阅读原文</a></div>` : ''}
</article>`,
      )
      .join('\n');
  }
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>预览</title><style>${STYLE}</style></head><body><main>${main}</main></body></html>`;
}

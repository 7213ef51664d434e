import sanitizeHtml from 'sanitize-html';
import { describe, expect, it } from 'vitest';
import {
  ARTICLE_LIMITS,
  articleText,
  articleTextStats,
  sanitizeArticleHtml,
  textOfSanitised,
} from './article-html.js';

const ALLOWED_TAGS = new Set(
  'p br span strong b em i u s sub sup blockquote h1 h2 h3 h4 h5 h6 ul ol li section figure figcaption img a table thead tbody tr th td hr pre code'.split(
    ' ',
  ),
);
const ALLOWED_ATTRS = new Set([
  'style',
  'src',
  'alt',
  'width',
  'height',
  'data-src',
  'href',
  'title',
  'colspan',
  'rowspan',
]);
const URL_ATTRS = new Set(['src', 'data-src', 'href']);

/** The real tags of sanitised output: every `<` in its text is escaped, so each `<` opens a tag. */
function tagsOf(html: string): { name: string; attrs: [string, string][] }[] {
  return [...html.matchAll(/<\/?([^\s/>]+)([^>]*)>/g)].map((m) => ({
    name: (m[1] ?? '').toLowerCase(),
    attrs: [...(m[2] ?? '').matchAll(/([^\s=/>]+)(?:="([^"]*)")?/g)].map((a): [string, string] => [
      (a[1] ?? '').toLowerCase(),
      a[2] ?? '',
    ]),
  }));
}

function expectSafe(out: string): void {
  expect(out).not.toMatch(/<script/i);
  for (const tag of [
    'iframe',
    'object',
    'embed',
    'svg',
    'math',
    'style',
    'base',
    'meta',
    'form',
    'link',
    'xmp',
  ])
    expect(out.toLowerCase()).not.toContain(`<${tag}`);
  // No event handler attribute anywhere in markup (text may mention "onerror=" harmlessly, escaped).
  expect(out).not.toMatch(/<[^>]*\son\w+\s*=/i);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: browsers ignore these inside URLs
  expect(out.replace(/[\s\u0000-\u001f]+/g, '')).not.toMatch(/javascript:|vbscript:/i);
  for (const { name, attrs } of tagsOf(out)) {
    expect(ALLOWED_TAGS.has(name), `tag <${name}>`).toBe(true);
    for (const [attr, value] of attrs) {
      expect(ALLOWED_ATTRS.has(attr), `attribute ${attr} on <${name}>`).toBe(true);
      if (attr === 'style')
        expect(value).not.toMatch(/expression\s*\(|url\s*\(|\\|javascript|behavior|binding/i);
      if (URL_ATTRS.has(attr)) {
        expect(value).not.toMatch(/^\s*data:/i);
        expect(value).toMatch(name === 'a' ? /^(?:https?:\/\/[^/\\]|mailto:)/i : /^https?:\/\/[^/\\]/i);
      }
    }
  }
}

// OWASP XSS Filter Evasion Cheat Sheet vectors and well-known sanitizer bypasses.
const payloads: [string, string][] = [
  ['script tag', '<script>alert(1)</script>'],
  ['external script', '<SCRIPT SRC=https://xss.rocks/xss.js></SCRIPT>'],
  ['mixed-case script', '<ScRiPt>alert(String.fromCharCode(88,83,83))</sCrIpT>'],
  ['img onerror', '<img src=x onerror=alert(1)>'],
  ['valid img with handlers', '<img src="https://a.com/x.png" onerror="alert(1)" onload="alert(2)">'],
  ['uppercase IMG ONERROR', '<IMG SRC="x" ONERROR="alert(1)">'],
  ['img javascript: src', `<IMG SRC="javascript:alert('XSS');">`],
  ['img case-mixed scheme', `<IMG SRC=JaVaScRiPt:alert('XSS')>`],
  ['img &quot; in unquoted src', '<IMG SRC=javascript:alert(&quot;XSS&quot;)>'],
  ['img backtick src', '<IMG SRC=`javascript:alert("RSnake says, \'XSS\'")`>'],
  ['malformed IMG quotes', '<IMG """><SCRIPT>alert("XSS")</SCRIPT>"\\>'],
  [
    'decimal entity src',
    '<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;&#41;>',
  ],
  [
    'padded decimal entities without semicolons',
    '<IMG SRC=&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058&#0000097&#0000108&#0000101&#0000114&#0000116&#0000040&#0000039&#0000088&#0000083&#0000083&#0000039&#0000041>',
  ],
  [
    'hex entities without semicolons',
    '<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C&#x65&#x72&#x74&#x28&#x27&#x58&#x53&#x53&#x27&#x29>',
  ],
  ['embedded tab', `<IMG SRC="jav\tascript:alert('XSS');">`],
  ['encoded tab', `<IMG SRC="jav&#x09;ascript:alert('XSS');">`],
  ['encoded newline', `<IMG SRC="jav&#x0A;ascript:alert('XSS');">`],
  ['encoded carriage return', `<IMG SRC="jav&#x0D;ascript:alert('XSS');">`],
  ['leading spaces and meta char', `<IMG SRC=" &#14;  javascript:alert('XSS');">`],
  ['null byte in scheme', '<IMG SRC="jav&#x0;ascript:alert(1)">'],
  ['a href encoded tab', '<a href="jav&#x09;ascript:alert(1)">x</a>'],
  ['a href mixed case', '<a href="JaVaScRiPt:alert(1)">x</a>'],
  ['a href leading whitespace', '<a href="  \n javascript:alert(1)">x</a>'],
  ['a href &colon;', '<a href="javascript&colon;alert(1)">x</a>'],
  ['a href first letter encoded', '<a href="&#x6A;avascript:alert(1)">x</a>'],
  ['a href raw null byte', '<a href="java\u0000script:alert(1)">x</a>'],
  ['a href data:text/html', '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>'],
  ['a href vbscript', '<a href="vbscript:msgbox(1)">x</a>'],
  ['a href protocol-relative', '<a href="//evil.com/x">x</a>'],
  ['a href backslash-relative', '<a href="\\\\evil.com/x">x</a>'],
  ['a with onclick', '<a href="https://mp.weixin.qq.com/" onclick="alert(1)">x</a>'],
  ['svg onload', '<svg onload=alert(1)>'],
  ['svg script', '<svg><script>alert(1)</script></svg>'],
  ['svg xlink:href', '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">XSS</text></a></svg>'],
  ['iframe javascript src', '<iframe src="javascript:alert(1)"></iframe>'],
  ['iframe srcdoc', '<iframe srcdoc="<script>alert(1)</script>"></iframe>'],
  ['object data', '<object data="javascript:alert(1)"></object>'],
  ['embed data: svg', '<embed src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">'],
  ['style @import', "<style>@import 'https://xss.rocks/xss.css';</style>"],
  ['style element with markup', '<style><img src=x onerror=alert(1)></style>'],
  ['style url(javascript:)', '<p style="background:url(javascript:alert(1))">x</p>'],
  ['style expression()', '<p style="width: expression(alert(1))">x</p>'],
  ['style CSS-escaped expression', '<p style="color: e\\xpression(alert(1))">x</p>'],
  ['style comment-split expression', `<p style="xss:expr/*XSS*/ession(alert('XSS'))">x</p>`],
  ['style url() in allowed property', '<p style="background-color: url(https://evil.com/x.png)">x</p>'],
  [
    'style entity-hidden url',
    `<section style="background-image: url(&#1;javascript:alert('XSS'))">x</section>`,
  ],
  ['style behavior', '<section style="behavior: url(xss.htc)">x</section>'],
  ['style -moz-binding', `<span style="-moz-binding:url('https://evil.com/xss.xml#xss')">x</span>`],
  [
    'img style url',
    '<img src="https://a.com/b.png" style="width:100px;background-image:url(javascript:alert(1))">',
  ],
  ['base href', '<base href="javascript:alert(1)//">'],
  ['meta refresh', '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">'],
  ['form action', '<form action="javascript:alert(1)"><input type="submit"></form>'],
  ['input onfocus autofocus', '<input onfocus=alert(1) autofocus>'],
  ['details ontoggle', '<details open ontoggle=alert(1)>'],
  ['math/mglyph mutation XSS', '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>'],
  ['nested script', '<scr<script>ipt>alert(1)</scr</script>ipt>'],
  ['double open bracket', '<<script>alert("XSS");//<</script>'],
  ['script in comment', '<!--<script>alert(1)</script>-->'],
  ['conditional comment', '<!--[if gte IE 4]><script>alert(1)</script><![endif]-->'],
  ['CDATA', '<![CDATA[<script>alert(1)</script>]]>'],
  ['quote/backtick break-out', '<img src="x` `<script>alert(1)</script>"` `>'],
  ['null byte in tag name', '<img\u0000src=x onerror=alert(1)>'],
  ['null byte in script tag', '<scri\u0000pt>alert(1)</scri\u0000pt>'],
  ['body onload', '<body onload=alert(1)>'],
  ['video source onerror', '<video><source onerror="alert(1)"></video>'],
  ['link rel=import', '<link rel="import" href="https://evil.com/x.html">'],
  ['button formaction', '<button formaction="javascript:alert(1)">x</button>'],
  ['protocol-relative img', '<img src="//evil.com/x.png">'],
  ['backslash-relative img', '<img src="/\\evil.com/x.png">'],
  ['data: img', '<img src="data:image/svg+xml;base64,PHN2Zz4=">'],
  ['lazy data-src javascript', '<img data-src="javascript:alert(1)" src="https://a.com/b.png">'],
  ['lazy data-src data:', '<img data-src="data:text/html,<script>alert(1)</script>">'],
  ['p handlers', '<p onclick="alert(1)" onmouseover="alert(1)">x</p>'],
  ['slash-separated handler', '<p/onmouseover=alert(1)>x</p>'],
  ['unclosed img', '<img src=x onerror=alert(1)//'],
  ['xmp raw text (CVE-2026-44990)', '<xmp><img src=x onerror=alert(1)></xmp>'],
  ['noscript attribute break-out', '<noscript><p title="</noscript><img src=x onerror=alert(1)>">'],
  [
    'noscript break-out, valid src',
    '<noscript><p title="</noscript><img src=https://a.com/x.png onerror=alert(1)>">',
  ],
  ['textarea', '<textarea><img src=x onerror=alert(1)></textarea>'],
  ['title', '<title><img src=x onerror=alert(1)></title>'],
  [
    'table background',
    `<TABLE BACKGROUND="javascript:alert('XSS')"><TD BACKGROUND="javascript:alert('XSS')">`,
  ],
  ['bgsound', `<BGSOUND SRC="javascript:alert('XSS');">`],
  ['marquee onstart', '<marquee onstart=alert(1)>x</marquee>'],
  ['attribute break-out', '"><script>alert(1)</script>'],
  ['img src=x:alert(alt)', '<img src=x:alert(alt) onerror=eval(src) alt=0>'],
  ['template', '<template><img src=x onerror=alert(1)></template>'],
];

describe('sanitizeArticleHtml: XSS payloads', () => {
  it('has well over 50 distinct payloads', () => {
    expect(new Set(payloads.map(([, p]) => p)).size).toBe(payloads.length);
    expect(payloads.length).toBeGreaterThanOrEqual(50);
  });

  it.each(payloads)('neutralises %s', (_name, payload) => {
    const out = sanitizeArticleHtml(payload);
    expectSafe(out);
    // Sanitising is a fixed point: a second pass changes nothing (no markup "re-forms" from text).
    expect(sanitizeArticleHtml(out)).toBe(out);
  });

  it('drops the contents of script, style and raw-text elements rather than escaping them', () => {
    expect(sanitizeArticleHtml('<p>a</p><script>alert(1)</script><style>p{}</style><p>b</p>')).toBe(
      '<p>a</p><p>b</p>',
    );
    expect(sanitizeArticleHtml('<xmp><b>x</b></xmp><textarea>t</textarea><noscript>n</noscript>')).toBe('');
    expect(sanitizeArticleHtml('<iframe src="https://a.com">fallback</iframe><p>ok</p>')).toBe('<p>ok</p>');
  });

  it('keeps the text of other disallowed tags, escaped', () => {
    expect(sanitizeArticleHtml('<div onclick="x()">保留<font color="red">文字</font></div>')).toBe(
      '保留文字',
    );
    expect(sanitizeArticleHtml('<<script>alert(1)</script>')).toBe('&lt;');
  });
});

const ARTICLE = `
<section class="rich_media_content" id="js_content" style="color: #3f3f3f; font-size: 15px; line-height: 1.75; letter-spacing: 0.5px; padding: 0 8px; font-family: 'PingFang SC'; position: fixed">
  <h2 style="text-align: center; font-weight: bold; color: rgb(0, 122, 170); margin: 20px 0 10px; border-bottom: 2px solid #007aaa">年度报告</h2>
  <p style="text-indent: 2em; text-align: justify">今年我们发布了 <strong>128</strong> 篇文章，<em>阅读量</em>增长 <span style="color: #e64340; background-color: #fff5f5">35%</span>。</p>
  <figure style="margin: 0">
    <img class="rich_pages wxw-img" data-src="https://mmbiz.qpic.cn/mmbiz_png/abc/640?wx_fmt=png" src="https://mmbiz.qpic.cn/mmbiz_png/abc/640?wx_fmt=png&amp;from=appmsg" style="width: 100% !important; max-width: 100%; height: auto; visibility: visible" alt="封面" width="640" height="360" data-ratio="0.5625">
    <figcaption style="font-size: 12px; color: #999">图一：全年阅读趋势</figcaption>
  </figure>
  <blockquote style="border-left: 3px solid #dbdbdb; padding: 10px 15px; margin: 10px 0; font-style: italic">数据来源：公众号后台 &amp; 第三方统计</blockquote>
  <table style="border-collapse: collapse; width: 100%">
    <thead><tr><th style="border: 1px solid #ddd; padding: 6px">季度</th><th colspan="2" style="border: 1px solid #ddd">阅读</th></tr></thead>
    <tbody><tr><td rowspan="1" style="border: 1px solid #ddd">Q1</td><td>1,024</td><td>+12%</td></tr></tbody>
  </table>
  <p><a href="https://mp.weixin.qq.com/s/AbCdEf" title="往期回顾" target="_blank" class="weui-link">往期回顾</a></p>
</section>`;

describe('sanitizeArticleHtml: WeChat article markup', () => {
  const out = sanitizeArticleHtml(ARTICLE);

  it('passes its own safety checks', () => expectSafe(out));

  it('keeps the allowed markup, allowed styles and Chinese text of a realistic article', () => {
    expect(out).toContain(
      '<section style="color:#3f3f3f;font-size:15px;line-height:1.75;letter-spacing:0.5px;padding:0 8px">',
    );
    expect(out).toContain(
      '<h2 style="text-align:center;font-weight:bold;color:rgb(0, 122, 170);margin:20px 0 10px;border-bottom:2px solid #007aaa">年度报告</h2>',
    );
    expect(out).toContain(
      '<p style="text-indent:2em;text-align:justify">今年我们发布了 <strong>128</strong> 篇文章，<em>阅读量</em>增长 <span style="color:#e64340;background-color:#fff5f5">35%</span>。</p>',
    );
    expect(out).toContain(
      '<img data-src="https://mmbiz.qpic.cn/mmbiz_png/abc/640?wx_fmt=png" src="https://mmbiz.qpic.cn/mmbiz_png/abc/640?wx_fmt=png&amp;from=appmsg" style="width:100% !important;max-width:100%;height:auto" alt="封面" width="640" height="360" />',
    );
    expect(out).toContain('<figcaption style="font-size:12px;color:#999">图一：全年阅读趋势</figcaption>');
    expect(out).toContain(
      '<blockquote style="border-left:3px solid #dbdbdb;padding:10px 15px;margin:10px 0;font-style:italic">数据来源：公众号后台 &amp; 第三方统计</blockquote>',
    );
    expect(out).toContain('<table style="border-collapse:collapse">');
    expect(out).toContain('<th colspan="2" style="border:1px solid #ddd">阅读</th>');
    expect(out).toContain('<td rowspan="1" style="border:1px solid #ddd">Q1</td><td>1,024</td><td>+12%</td>');
    expect(out).toContain('<a href="https://mp.weixin.qq.com/s/AbCdEf" title="往期回顾">往期回顾</a>');
  });

  it('drops class, id, data-* other than data-src, target and unlisted style properties', () => {
    expect(out).not.toMatch(/\sclass=|\sid=|data-ratio|target=|font-family|position|visibility/);
    expect(sanitizeArticleHtml('<p class="a" id="b" style="color:red">x</p>')).toBe(
      '<p style="color:red">x</p>',
    );
  });

  it('keeps entities and Chinese punctuation as text', () => {
    expect(
      sanitizeArticleHtml('<p>“引号” &amp; &lt;标签&gt; &quot;q&quot; &#39;s&#39; &copy; 2026</p>'),
    ).toBe('<p>“引号” &amp; &lt;标签&gt; "q" \'s\' © 2026</p>');
    // &nbsp; comes back as the character U+00A0, not as the entity.
    expect(sanitizeArticleHtml('<p>a&nbsp;b</p>')).toBe('<p>a\u00a0b</p>');
  });

  it('allows only http(s) image URLs and http(s)/mailto links, absolute only', () => {
    expect(sanitizeArticleHtml('<img src="http://a.com/x.png">')).toBe('<img src="http://a.com/x.png" />');
    expect(sanitizeArticleHtml('<img src="/media/x.png" data-src="https://a.com/x.png">')).toBe(
      '<img data-src="https://a.com/x.png" />',
    );
    // An image left with no URL at all is dropped entirely.
    expect(sanitizeArticleHtml('<p><img src="/media/x.png" alt="x"></p>')).toBe('<p></p>');
    expect(sanitizeArticleHtml('<img src="mailto:a@b.com">')).toBe('');
    expect(sanitizeArticleHtml('<a href="mailto:editor@example.com">信</a>')).toBe(
      '<a href="mailto:editor@example.com">信</a>',
    );
    expect(sanitizeArticleHtml('<a href="#top">t</a><a href="/s/x">r</a><a href="ftp://a.com">f</a>')).toBe(
      '<a>t</a><a>r</a><a>f</a>',
    );
    expect(sanitizeArticleHtml('<a href=" https://a.com/x ">x</a>')).toBe('<a href="https://a.com/x">x</a>');
  });

  it("keeps Yunying's own media-library image paths, in exactly that shape, on images only", () => {
    const lib = '/api/media/0f8e2c1a-9b7d-4c3e-8a21-5d6f7e8a9b0c/file';
    expect(sanitizeArticleHtml(`<img src="${lib}" alt="图">`)).toBe(`<img src="${lib}" alt="图" />`);
    expect(sanitizeArticleHtml(`<img data-src="${lib}">`)).toBe(`<img data-src="${lib}" />`);
    for (const bad of [`${lib}/../../x`, `${lib}?x=1`, '/api/media/123/file', `//evil.com${lib}`, `/${lib}`])
      expect(sanitizeArticleHtml(`<img src="${bad}">`), bad).toBe('');
    expect(sanitizeArticleHtml(`<a href="${lib}">x</a>`)).toBe('<a>x</a>');
  });

  it('allows width/height styles on images only', () => {
    expect(sanitizeArticleHtml('<p style="width:100px;height:20px;max-width:50%;color:red">x</p>')).toBe(
      '<p style="color:red">x</p>',
    );
    expect(sanitizeArticleHtml('<img src="https://a.com/x.png" style="width:50%;height:auto">')).toBe(
      '<img src="https://a.com/x.png" style="width:50%;height:auto" />',
    );
  });

  it('drops a style attribute whose every declaration is refused', () => {
    expect(sanitizeArticleHtml('<p style="position:absolute;top:0">x</p>')).toBe('<p>x</p>');
    expect(sanitizeArticleHtml('<p style="color: red; color: expression(1)">x</p>')).toBe(
      '<p style="color:red">x</p>',
    );
  });
});

describe('articleTextStats', () => {
  it('counts a known string by hand', () => {
    // 你 好 ， w o r l d 2 0 2 6 ! → 13 non-space characters; words 你, 好, world, 2026.
    expect(articleTextStats('<p>你好，world 2026!</p><img src="https://a/b.png">')).toEqual({
      characters: 13,
      words: 4,
      images: 1,
    });
  });

  it('counts code points, so an emoji is one character and no word', () => {
    expect(articleTextStats('<p>😀 ok</p>')).toEqual({ characters: 3, words: 1, images: 0 });
  });

  it('decodes entities and separates words across block boundaries', () => {
    // "hello" / "world" in separate paragraphs are two words; &amp; &lt; &nbsp; are one char each or space.
    expect(articleTextStats('<p>hello</p><p>world</p><p>&amp;&lt;&nbsp;x</p>')).toEqual({
      characters: 13,
      words: 3,
      images: 0,
    });
    expect(articleTextStats('<p><strong>Yun</strong>ying</p>')).toMatchObject({ words: 1 });
  });

  it('counts only what survives sanitising', () => {
    expect(
      articleTextStats(
        '<script>alert(1)</script><style>p{}</style><p>文字</p><img src="javascript:x"><img data-src="https://a/b.png">',
      ),
    ).toEqual({ characters: 2, words: 2, images: 1 });
    expect(articleTextStats('')).toEqual({ characters: 0, words: 0, images: 0 });
  });

  it('counts each CJK character as a word, including kana, and runs of other letters once', () => {
    // 微 信 公 众 号 + ABC123 + で す + Привет: 5 + 1 + 2 + 1 words; 5 + 6 + 2 + 6 characters.
    expect(articleTextStats('<p>微信公众号ABC123です Привет</p>')).toEqual({
      characters: 19,
      words: 9,
      images: 0,
    });
  });
});

describe('articleText', () => {
  it('is the visible, decoded text with a line break between blocks', () => {
    expect(
      articleText(
        '<h2>标题</h2><p>第一段 <strong>加粗</strong> &amp; &lt;x&gt;</p><script>alert(1)</script><ul><li>a</li><li>b</li></ul>',
      ),
    ).toBe('标题\n\n第一段 加粗 & <x>\n\n\na\n\nb');
    expect(articleText('<p> </p><img src="https://a.com/x.png">')).toBe('');
  });

  it.each(payloads)('text of sanitised output needs no second parse (%s)', (_name, payload) => {
    // textOfSanitised strips tags with a regex: safe only because sanitised output escapes < and >.
    const clean = sanitizeArticleHtml(payload);
    const parsed = sanitizeHtml(clean, { allowedTags: [], allowedAttributes: {} })
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&amp;/g, '&');
    const squash = (t: string) => t.replace(/\s+/g, '');
    expect(squash(textOfSanitised(clean))).toBe(squash(parsed));
  });
});

describe('ARTICLE_LIMITS', () => {
  it('carries the documented draft/add limits', () => {
    expect(ARTICLE_LIMITS).toEqual({
      titleChars: 32,
      authorChars: 16,
      digestChars: 128,
      contentChars: 20_000,
      contentBytes: 1024 * 1024,
      sourceUrlBytes: 1024,
    });
    expect(Object.isFrozen(ARTICLE_LIMITS)).toBe(true);
  });
});

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A minimal page for a surface that is not built yet; Chinese first, no external assets. */
export function placeholderPage(page: { title: string; subtitle: string }): string {
  const title = escapeHtml(page.title);
  const subtitle = escapeHtml(page.subtitle);
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · 运营 Yunying</title>
<style>
  body { font-family: system-ui, "PingFang SC", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; margin: 0; color: #1f2937; background: #f5f6f8; }
  main { max-width: 40rem; margin: 15vh auto; padding: 2rem; background: #fff; border-radius: 8px; box-shadow: 0 1px 3px rgba(0,0,0,.08); }
  h1 { margin: 0 0 .25rem; font-size: 1.6rem; }
  p { margin: .5rem 0; color: #4b5563; }
  a { color: #b91c1c; }
</style>
</head>
<body>
<main>
  <h1>${title}</h1>
  <p>${subtitle}</p>
  <p>服务已启动，此页面正在建设中。接口文档见 <a href="/docs">/docs</a>，运行状态见 <a href="/readyz">/readyz</a>。</p>
  <p lang="en">The service is running; this page is under construction.</p>
</main>
</body>
</html>`;
}

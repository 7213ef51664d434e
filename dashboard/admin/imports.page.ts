import { adminShell, field } from './layout.js';
import { orgPicker } from './manage.page.js';

/** The columns a metrics import file may have: header (English or Chinese), meaning. */
const ACCOUNT_COLUMNS = [
  ['account / 账号', '账号名称、微信 AppID 或微博 UID（必填）'],
  ['date / 日期', '北京时间的日期，如 2021-11-01（必填）'],
  ['followers / 粉丝总数', '当日累计粉丝'],
  ['new_followers / 新增粉丝', ''],
  ['lost_followers / 取消关注', ''],
  ['reads / 阅读次数', '图文页阅读次数'],
  ['readers / 阅读人数', ''],
  ['shares / 分享次数', ''],
] as const;
const ARTICLE_COLUMNS = [
  ['article_id / 文章ID', '文章的平台编号（必填）'],
  ['title / 标题', ''],
  ['likes / 点赞', ''],
  ['comments / 评论', ''],
  ['favourites / 收藏', ''],
] as const;

const columns = (rows: ReadonlyArray<readonly [string, string]>) =>
  rows.map(([name, note]) => `<li><code>${name}</code>${note ? `：${note}` : ''}</li>`).join('');

/**
 * Manual metric figures (a baseline month from before the service, figures copied from a platform
 * console): upload a CSV or XLSX file, see what it would add or change — or every problem with its row
 * and column — then apply it. admin-imports.js drives it.
 */
export function adminImportsPage(): string {
  return adminShell({
    title: '数据导入',
    page: 'metrics',
    nav: 'metrics',
    modules: ['admin-imports.js'],
    body: `${orgPicker}
<form id="upload-form" class="card" data-perm="metrics.manage" hidden><h2>上传数据文件</h2>
${field('i-file', 'CSV 或 Excel（.xlsx）文件，最大 20 MB', '<input type="file" id="i-file" required accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" aria-describedby="i-file-hint">', '上传后先显示预览，点“确认导入”才写入。整份文件要么全部导入，要么都不导入；空单元格不改动已有数据。')}
<details id="template"><summary>文件格式：需要哪些列</summary>
<p>第一行为列名（英文或中文均可），每行一条数据。</p>
<h3>账号每日数据（每个账号每天一行）</h3><ul>${columns(ACCOUNT_COLUMNS)}</ul>
<h3>文章每日数据（每篇文章每天一行）</h3>
<p>含下列任一列即按文章数据导入；除粉丝三列外，账号数据的列同样可用。</p><ul>${columns(ARTICLE_COLUMNS)}</ul>
</details>
<button type="submit" class="btn">上传并预览</button></form>
<section id="problems" class="card" aria-labelledby="problems-h" hidden>
<h2 id="problems-h" tabindex="-1">文件未通过检查，未导入任何数据</h2><p id="problems-summary" class="error"></p>
<table id="problems-table" class="table"><caption>问题（按行、列）</caption>
<thead><tr><th scope="col">行</th><th scope="col">列</th><th scope="col">问题</th><th scope="col">代码</th></tr></thead><tbody></tbody></table>
</section>
<section id="preview" class="card" aria-labelledby="preview-h" hidden>
<h2 id="preview-h" tabindex="-1">导入预览</h2><p id="preview-summary"></p>
<table id="list" class="table"><caption>将新增或修改的数据（已有数据 → 导入后）</caption><thead></thead><tbody></tbody></table>
<div class="toolbar" data-perm="metrics.manage" hidden><button type="button" class="btn" id="apply">确认导入</button>
<button type="button" class="btn secondary" id="discard">放弃，不导入</button></div>
<p id="result" class="note" role="status"></p>
</section>`,
  });
}

// Manual metric figures: upload a CSV or XLSX file, see what it would add or change (or every problem
// with its row and column when the file is refused), then apply it — all rows in one transaction, or none.
import { ApiError, api, attempt, el, errorText, fmtTime, setStatus, startPage } from './admin-common.js';
import { $, orgPicker, table } from './admin-manage.js';

const FIGURES = {
  followers: '粉丝总数',
  newFollowers: '新增粉丝',
  lostFollowers: '取消关注',
  reads: '阅读次数',
  readers: '阅读人数',
  shares: '分享次数',
  likes: '点赞',
  comments: '评论',
  favourites: '收藏',
};
const KINDS = { account_daily: '账号每日数据', article_daily: '文章每日数据' };
const ACTIONS = { insert: '新增', update: '修改' };

const changeText = (changes) =>
  Object.entries(changes)
    .map(([f, [before, after]]) => `${FIGURES[f] ?? f}：${before ?? '无'} → ${after}`)
    .join('；');

startPage(async () => {
  const org = await orgPicker(() => clear());
  /** The import on show, until it is applied or put aside. */
  let current = null;

  function clear() {
    current = null;
    $('preview').hidden = true;
    $('problems').hidden = true;
  }

  $('upload-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const file = $('i-file').files[0];
    if (!file) return;
    clear();
    const body = new FormData();
    body.append('file', file, file.name);
    setStatus(`上传“${file.name}”…`);
    try {
      showPreview(await api('POST', `/api/orgs/${org()}/metrics/imports`, body));
      setStatus(`“${file.name}”已通过检查，请核对预览后确认导入。`);
    } catch (err) {
      showProblems(err);
      setStatus(`“${file.name}”未通过检查：${errorText(err)}`, true);
    }
  });

  function showPreview(view) {
    current = view;
    const s = view.summary;
    const listed = s.changes.length < s.inserted + s.updated ? `，下表列出前 ${s.changes.length} 条` : '';
    $('preview-summary').textContent =
      `${view.filename}（${KINDS[view.kind] ?? view.kind}）：共 ${s.rows} 行，${s.from} 至 ${s.to}，` +
      `${s.accounts.length} 个账号。将新增 ${s.inserted} 条、修改 ${s.updated} 条，${s.unchanged} 条与已有数据相同${listed}。` +
      `预览在 ${fmtTime(view.expiresAt)} 前有效。`;
    table(
      ['行', '账号', '日期', '文章', '操作', '数据'],
      s.changes.map((c) => [
        String(c.row),
        c.account,
        c.date,
        c.articleId ?? '—',
        ACTIONS[c.action] ?? c.action,
        changeText(c.changes),
      ]),
    );
    $('apply').disabled = false;
    $('discard').disabled = false;
    $('result').textContent = '';
    $('preview').hidden = false;
    $('preview-h').focus();
  }

  /** A refused file: each problem with its row and column, or the one reason (unreadable, empty). */
  function showProblems(err) {
    const problems = err instanceof ApiError ? (err.details?.problems ?? []) : [];
    const more = err instanceof ApiError ? (err.details?.more ?? 0) : 0;
    $('problems-summary').textContent = `${errorText(err)}${more ? `（另有 ${more} 处未列出）` : ''}`;
    $('problems-table').hidden = problems.length === 0;
    $('problems-table')
      .querySelector('tbody')
      .replaceChildren(
        ...problems.map((p) =>
          el(
            'tr',
            {},
            el('td', {}, p.row === null ? '—' : String(p.row)),
            el('td', {}, p.column ?? '整行'),
            el('td', {}, p.message),
            el('td', {}, el('code', {}, p.code)),
          ),
        ),
      );
    $('problems').hidden = false;
    $('problems-h').focus();
  }

  $('apply').addEventListener('click', async () => {
    if (!current) return;
    const view = current;
    const applied = await attempt(`导入“${view.filename}”`, () =>
      api('POST', `/api/orgs/${org()}/metrics/imports/${view.id}/apply`),
    );
    if (!applied) return;
    current = null;
    $('apply').disabled = true;
    $('discard').disabled = true;
    const s = applied.summary;
    $('result').textContent =
      `已导入“${applied.filename}”：新增 ${s.inserted} 条，修改 ${s.updated} 条（${fmtTime(applied.appliedAt)}）。`;
    $('upload-form').reset();
    $('i-file').focus();
  });

  $('discard').addEventListener('click', () => {
    clear();
    $('upload-form').reset();
    setStatus('已放弃，未导入任何数据。');
    $('i-file').focus();
  });
});

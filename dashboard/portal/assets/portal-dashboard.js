import { ApiError, api, dataTable, el, setStatus, showError, startSession } from './portal-common.js';
import {
  renderCampaigns,
  renderFollowers,
  renderKpi,
  renderQuotas,
  renderReads,
  renderSla,
  renderTopArticles,
} from './portal-sections.js';

const REPORT_STATUS = { queued: '排队中', generating: '生成中', done: '已生成', failed: '生成失败' };

const $ = (id) => document.getElementById(id);
const isoDay = (d) => d.toISOString().slice(0, 10);

/** The filters from the URL (shareable, survives reload), with defaults: the last 26 weeks, weekly. */
function readFilters() {
  const q = new URLSearchParams(location.search);
  const today = new Date();
  const day = /^\d{4}-\d{2}-\d{2}$/;
  const to = day.test(q.get('to') ?? '') ? q.get('to') : isoDay(today);
  const from = day.test(q.get('from') ?? '')
    ? q.get('from')
    : isoDay(new Date(Date.parse(to) - 181 * 86_400_000));
  const granularity = ['day', 'week', 'month'].includes(q.get('granularity')) ? q.get('granularity') : 'week';
  const account = /^[0-9a-f-]{36}$/i.test(q.get('account') ?? '') ? q.get('account') : '';
  return { from, to, granularity, account };
}

function metricsUrl(f, granularity) {
  const p = new URLSearchParams({ from: f.from, to: f.to, granularity });
  if (f.account) p.set('accounts', f.account);
  return `/portal/api/metrics?${p}`;
}

async function loadCampaigns(f) {
  const list = await api(`/portal/api/campaigns?${new URLSearchParams({ from: f.from, to: f.to })}`);
  const details = await Promise.all(list.items.slice(0, 20).map((c) => api(`/portal/api/campaigns/${c.id}`)));
  renderCampaigns(details, list.items.length);
}

async function loadTopArticles(f) {
  const q = new URLSearchParams({ from: f.from, to: f.to, limit: '10' });
  if (f.account) q.set('accounts', f.account);
  renderTopArticles((await api(`/portal/api/top-articles?${q}`)).items);
}

async function renderReports() {
  const box = $('reports');
  let items = [];
  try {
    items = (await api('/portal/api/reports')).items;
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 404) throw err;
  }
  if (items.length === 0) {
    box.replaceChildren(el('p', { class: 'empty' }, '暂无报告'));
    return;
  }
  box.replaceChildren(
    dataTable(
      '运营数据月报',
      [
        { label: '月份', value: (r) => r.month },
        { label: '版本', value: (r) => `第 ${r.version} 版`, numeric: true },
        { label: '状态', value: (r) => REPORT_STATUS[r.status] ?? r.status },
        {
          label: '生成时间',
          value: (r) => (r.generatedAt ? new Date(r.generatedAt).toLocaleString('zh-CN') : '—'),
        },
        {
          label: '下载',
          value: (r) =>
            r.pdfUrl
              ? el(
                  'span',
                  { class: 'links' },
                  el('a', { href: r.pdfUrl, download: true }, `PDF（${r.month} 第 ${r.version} 版）`),
                  r.xlsxUrl
                    ? el(
                        'a',
                        { href: r.xlsxUrl, download: true },
                        `Excel 报表（${r.month} 第 ${r.version} 版）`,
                      )
                    : null,
                )
              : '—',
        },
      ],
      items,
    ),
  );
}

async function loadAccounts(selected) {
  const select = $('account');
  const { items } = await api('/portal/api/accounts');
  select.replaceChildren(
    el('option', { value: '' }, '全部账号'),
    ...items.map((a) =>
      el(
        'option',
        { value: a.id, selected: a.id === selected },
        `${a.name}（${a.platform === 'wechat' ? '微信' : '微博'}）`,
      ),
    ),
  );
}

/** Runs one part; a failing part shows its own error and never blanks the rest of the page. */
async function part(name, work) {
  try {
    await work();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) throw err;
    console.error(name, err);
    showError(`${name}加载失败：${err.message}`);
  }
}

async function load() {
  const started = performance.now();
  const f = readFilters();
  $('from').value = f.from;
  $('to').value = f.to;
  $('granularity').value = f.granularity;
  setStatus('正在加载…');
  showError('');
  document.body.dataset.ready = 'false';
  const session = await startSession();
  // Every request starts at once; each part draws as soon as what it needs has arrived.
  const kpi = api('/portal/api/kpi');
  const kpiOrNull = kpi.catch(() => null);
  const series = api(metricsUrl(f, f.granularity));
  const weekly = f.granularity === 'week' ? series : api(metricsUrl(f, 'week'));
  await Promise.all([
    part('账号列表', () => loadAccounts(f.account)),
    part('合同目标', async () => {
      const k = await kpi;
      renderKpi(k);
      renderQuotas(k);
      renderSla(k);
    }),
    part('粉丝数据', async () => renderFollowers((await series).points, await kpiOrNull)),
    part('阅读数据', async () => renderReads((await weekly).points, await kpiOrNull)),
    part('营销活动', () => loadCampaigns(f)),
    part('热门文章', () => loadTopArticles(f)),
    part('月度报告', renderReports),
  ]);
  const range = `${f.from} 至 ${f.to}`;
  setStatus(`已加载 ${range} 的数据${f.account ? '（单个账号；合同目标按全部账号计算）' : ''}。`);
  document.body.dataset.ready = 'true';
  document.body.dataset.renderMs = String(Math.round(performance.now() - started));
  void session;
}

$('filters').addEventListener('submit', (event) => {
  event.preventDefault();
  const from = $('from').value;
  const to = $('to').value;
  if (!from || !to || from > to) {
    showError('请选择有效的日期范围：开始日期不能晚于结束日期。');
    return;
  }
  const q = new URLSearchParams({ from, to, granularity: $('granularity').value });
  if ($('account').value) q.set('account', $('account').value);
  history.pushState(null, '', `/portal?${q}`);
  load().catch(fail);
});
window.addEventListener('popstate', () => load().catch(fail));

function fail(err) {
  if (err instanceof ApiError && err.status === 401) return;
  console.error(err);
  showError(`加载失败：${err.message}`);
  setStatus('');
}

load().catch(fail);

import ExcelJS from 'exceljs';
import type { KpiSummary, ReportData } from './report.data.js';
import { CAMPAIGN_TYPES, INCIDENT_LABELS, monthLabel, STATUS_LABELS, shanghaiTime } from './report.labels.js';

/**
 * The month's data tables (报表) as an Excel workbook: one sheet per section of the PDF, a styled
 * frozen header row, numbers stored as numbers (sums and charts work in Excel), and an empty figure
 * left as an empty cell rather than 0.
 */

interface Column {
  header: string;
  width: number;
  /** Excel number format for numeric columns. */
  numFmt?: string;
}

const INT = '#,##0';
const DEC = '#,##0.00';

function sheet(
  wb: ExcelJS.Workbook,
  name: string,
  columns: Column[],
  rows: Array<Array<string | number | null>>,
  empty: string,
) {
  const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = columns.map((c) => ({
    header: c.header,
    width: c.width,
    ...(c.numFmt ? { style: { numFmt: c.numFmt } } : {}),
  }));
  const header = ws.getRow(1);
  header.font = { bold: true, color: { argb: 'FFFFFFFF' } };
  header.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFC0392B' } };
  header.alignment = { vertical: 'middle', horizontal: 'center' };
  header.height = 20;
  if (rows.length === 0) ws.addRow([empty]);
  for (const r of rows) ws.addRow(r.map((v) => (v === null ? null : v)));
  return ws;
}

type KpiItem = KpiSummary['items'][number];

/** A target as one row: quotas against what is required, growth against the next milestone ahead. */
function kpiRow({ target, growth, quota }: KpiItem): Array<string | number | null> {
  if (quota)
    return [
      target.name,
      '数量指标',
      quota.done,
      quota.required,
      quota.periodEnd,
      quota.required > 0 ? Math.round((quota.done / quota.required) * 1000) / 10 : null,
      STATUS_LABELS[quota.status],
      quota.statusReason,
    ];
  const g = growth as NonNullable<KpiItem['growth']>;
  const next = g.milestones.find((m) => m.state === 'upcoming') ?? g.milestones.at(-1) ?? null;
  return [
    target.name,
    '增长指标',
    g.current,
    next?.target ?? null,
    next?.date ?? null,
    next?.percentOfTarget ?? null,
    STATUS_LABELS[g.status],
    g.statusReason,
  ];
}

export async function buildWorkbook(data: ReportData, generatedAt: Date): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Yunying 运营';
  wb.created = generatedAt;
  wb.title = `${data.organisation.name} ${monthLabel(data.month)}运营数据月报`;

  sheet(
    wb,
    'KPI 指标',
    [
      { header: '指标', width: 28 },
      { header: '类型', width: 10 },
      { header: '当前值', width: 14, numFmt: DEC },
      { header: '目标值', width: 14, numFmt: DEC },
      { header: '目标日期', width: 12 },
      { header: '完成率(%)', width: 12, numFmt: DEC },
      { header: '状态', width: 10 },
      { header: '说明', width: 60 },
    ],
    data.kpi.items.filter((i) => i.quota || i.growth).map(kpiRow),
    '本单位尚未设置 KPI 目标',
  );
  sheet(
    wb,
    '粉丝与阅读',
    [
      { header: '日期', width: 12 },
      { header: '粉丝总数', width: 14, numFmt: INT },
      { header: '净增粉丝', width: 12, numFmt: INT },
      { header: '阅读量', width: 12, numFmt: INT },
      { header: '分享量', width: 12, numFmt: INT },
    ],
    data.daily.map((d) => [d.period, d.followers, d.netFollowers, d.reads, d.shares]),
    '本月暂无粉丝与阅读数据',
  );
  sheet(
    wb,
    '热门文章',
    [
      { header: '排名', width: 8, numFmt: INT },
      { header: '标题', width: 60 },
      { header: '账号', width: 20 },
      { header: '阅读量', width: 12, numFmt: INT },
      { header: '分享量', width: 12, numFmt: INT },
    ],
    data.topArticles.map((a, i) => [i + 1, a.title, a.account, a.reads, a.shares ?? 0]),
    '本月暂无文章数据',
  );
  sheet(
    wb,
    '活动',
    [
      { header: '活动', width: 30 },
      { header: '类型', width: 10 },
      { header: '开始日期', width: 12 },
      { header: '结束日期', width: 12 },
      { header: '阅读量', width: 12, numFmt: INT },
      { header: '分享量', width: 12, numFmt: INT },
      { header: '净增粉丝', width: 12, numFmt: INT },
      { header: '达成目标数', width: 12, numFmt: INT },
      { header: '可衡量目标数', width: 14, numFmt: INT },
    ],
    data.campaigns.map((c) => {
      const measured = c.results.goals.filter((g) => g.measured && g.met !== null);
      return [
        c.name,
        CAMPAIGN_TYPES[c.type] ?? c.type,
        c.startsOn,
        c.endsOn,
        c.results.reads.total,
        c.results.shares.total,
        c.results.netFollowers.total,
        measured.filter((g) => g.met).length,
        measured.length,
      ];
    }),
    '本月没有进行中的活动',
  );
  sheet(
    wb,
    '发布时效',
    [
      { header: '按时发布', width: 12, numFmt: INT },
      { header: '超时发布', width: 12, numFmt: INT },
      { header: '待定', width: 10, numFmt: INT },
      { header: '按时率(%)', width: 12, numFmt: DEC },
    ],
    [[data.sla.met, data.sla.missed, data.sla.pending, data.sla.rate]],
    '',
  );
  sheet(
    wb,
    '发布异常',
    [
      { header: '时间（北京时间）', width: 18 },
      { header: '标题', width: 50 },
      { header: '账号', width: 20 },
      { header: '情况', width: 12 },
      { header: '原因', width: 50 },
    ],
    data.incidents.map((i) => [
      shanghaiTime(i.at),
      i.title,
      i.account,
      INCIDENT_LABELS[i.outcome] ?? i.outcome,
      i.reason,
    ]),
    '本月没有发布异常',
  );
  return Buffer.from(await wb.xlsx.writeBuffer());
}

import type { KpiStatus } from '../kpi/kpi.compute.js';

/** Labels and number formats shared by the monthly report's page and its workbook. */

const integer = new Intl.NumberFormat('zh-CN', { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat('zh-CN', { maximumFractionDigits: 2 });
export const fmt = (v: number | null | undefined): string =>
  v === null || v === undefined ? '—' : Number.isInteger(v) ? integer.format(v) : decimal.format(v);
export const pct = (v: number | null | undefined) =>
  v === null || v === undefined ? '—' : `${decimal.format(v)}%`;

export const STATUS_LABELS: Record<KpiStatus, string> = {
  on_track: '正常',
  at_risk: '有风险',
  off_track: '落后',
};
export const CAMPAIGN_TYPES: Record<string, string> = {
  marketing: '营销活动',
  theme: '主题活动',
  topic: '专题',
};
export const INCIDENT_LABELS: Record<string, string> = {
  failed: '发布失败',
  unconfirmed: '结果待确认',
  abandoned: '已放弃',
};

export function monthLabel(month: string): string {
  return `${month.slice(0, 4)}年${Number(month.slice(5, 7))}月`;
}

/** Beijing time as `YYYY-MM-DD HH:mm` (UTC+8 all year). */
export const shanghaiTime = (iso: string) =>
  new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');

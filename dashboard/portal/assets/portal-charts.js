// Chart drawing for the portal, on the global Chart from chart.umd.js (served locally). Dates are
// plotted on a linear axis of day numbers, so milestone dates beyond the data need no date adapter.
import { fmt } from './portal-common.js';
import { t } from './portal-i18n.js';

const DAY_MS = 86_400_000;
export const dayNumber = (isoDay) => Date.parse(`${isoDay.slice(0, 10)}T00:00:00Z`) / DAY_MS;
const dayLabel = (n) => new Date(Math.round(n) * DAY_MS).toISOString().slice(0, 10);

const charts = new Map();

export const COLOURS = {
  primary: '#1d4ed8',
  target: '#b45309',
  forecast: '#6b7280',
  baseline: '#374151',
  plus10: '#047857',
  plus20: '#7c3aed',
};

/** Draws (or redraws) a line chart on a canvas; datasets hold {x: day number, y} points. */
export function drawLineChart(canvas, { datasets, yTitle }) {
  charts.get(canvas.id)?.destroy();
  const xs = datasets.flatMap((d) => d.data.map((p) => p.x));
  const min = Math.min(...xs);
  const max = Math.max(...xs);
  // One point (or one x) still gets a visible axis around it.
  const pad = max - min < 2 ? 3 : 0;
  const chart = new window.Chart(canvas, {
    type: 'line',
    data: { datasets },
    options: {
      animation: false,
      maintainAspectRatio: false,
      parsing: false,
      normalized: true,
      interaction: { mode: 'nearest', intersect: false },
      scales: {
        x: {
          type: 'linear',
          min: min - pad,
          max: max + pad,
          ticks: { callback: (v) => dayLabel(v), maxRotation: 0, autoSkip: true, maxTicksLimit: 8 },
        },
        y: {
          beginAtZero: false,
          title: { display: Boolean(yTitle), text: yTitle },
          ticks: { callback: (v) => fmt(v) },
        },
      },
      plugins: {
        legend: { position: 'bottom' },
        tooltip: {
          callbacks: {
            title: (items) => (items[0] ? dayLabel(items[0].parsed.x) : ''),
            label: (item) =>
              t('{series}：{value}', {
                series: item.dataset.label,
                value: fmt(item.parsed.y),
              }),
          },
        },
      },
    },
  });
  charts.set(canvas.id, chart);
  return chart;
}

export function clearChart(canvas) {
  charts.get(canvas.id)?.destroy();
  charts.delete(canvas.id);
}

/** A dataset with the usual look: points visible even when there is only one. */
export function series(label, colour, data, extra = {}) {
  return {
    label,
    data,
    borderColor: colour,
    backgroundColor: colour,
    pointRadius: data.length === 1 ? 5 : data.length > 120 ? 0 : 2,
    pointHitRadius: 6,
    borderWidth: 2,
    spanGaps: false,
    ...extra,
  };
}

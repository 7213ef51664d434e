// Content calendar: month and week views of items by planned publish time, in Beijing time.
import { api, badge, el, hhmm, KIND_LABELS, STATUS_LABELS, shanghaiDay, startPage } from './admin-common.js';

const DOW = ['周一', '周二', '周三', '周四', '周五', '周六', '周日'];

/** Day arithmetic on YYYY-MM-DD strings (UTC dates, so no time zone shifts a day). */
const toDate = (day) => new Date(`${day}T00:00:00Z`);
const toDay = (date) => date.toISOString().slice(0, 10);
const addDays = (day, n) => toDay(new Date(toDate(day).getTime() + n * 86_400_000));
const mondayOf = (day) => addDays(day, -((toDate(day).getUTCDay() + 6) % 7));

function range(view, anchor) {
  if (view === 'week') {
    const start = mondayOf(anchor);
    return { start, end: addDays(start, 6), label: `${start} 至 ${addDays(start, 6)}` };
  }
  const first = `${anchor.slice(0, 7)}-01`;
  const d = toDate(first);
  const last = toDay(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)));
  return {
    start: mondayOf(first),
    end: addDays(mondayOf(last), 6),
    month: anchor.slice(0, 7),
    label: `${d.getUTCFullYear()} 年 ${d.getUTCMonth() + 1} 月`,
  };
}

function shift(view, anchor, direction) {
  if (view === 'week') return addDays(anchor, 7 * direction);
  const d = toDate(`${anchor.slice(0, 7)}-01`);
  return toDay(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + direction, 1)));
}

startPage(async () => {
  const params = new URLSearchParams(location.search);
  const today = shanghaiDay(new Date().toISOString());
  const state = {
    view: params.get('view') === 'week' ? 'week' : 'month',
    anchor: /^\d{4}-\d{2}-\d{2}$/.test(params.get('date') ?? '') ? params.get('date') : today,
  };
  const grid = document.getElementById('calendar');

  async function render() {
    const r = range(state.view, state.anchor);
    history.replaceState(null, '', `/admin?view=${state.view}&date=${state.anchor}`);
    document.getElementById('period').textContent = r.label;
    document.getElementById('view-month').setAttribute('aria-pressed', String(state.view === 'month'));
    document.getElementById('view-week').setAttribute('aria-pressed', String(state.view === 'week'));
    const from = `${r.start}T00:00:00+08:00`;
    const to = `${addDays(r.end, 1)}T00:00:00+08:00`;
    const [contents, days] = await Promise.all([
      api('GET', `/api/contents?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&limit=1000`),
      api('GET', `/api/calendar/days?from=${r.start}&to=${r.end}`).catch(() => ({ days: [] })),
    ]);
    const byDay = new Map();
    for (const item of contents.items) {
      const at = item.scheduledAt ?? item.publishAt;
      const key = shanghaiDay(at);
      if (!byDay.has(key)) byDay.set(key, []);
      byDay.get(key).push({ ...item, at });
    }
    const working = new Map(days.days.map((d) => [d.day, d]));
    grid.className = `calendar ${state.view}`;
    grid.replaceChildren(...DOW.map((d) => el('div', { class: 'dow', 'aria-hidden': 'true' }, d)));
    for (let day = r.start; day <= r.end; day = addDays(day, 1)) {
      const info = working.get(day);
      const dow = DOW[(toDate(day).getUTCDay() + 6) % 7];
      const other = r.month && !day.startsWith(r.month);
      const items = byDay.get(day) ?? [];
      const cell = el(
        'section',
        {
          class: `day${other ? ' other' : ''}${day === today ? ' today' : ''}`,
          'aria-label': `${day} ${dow}${info && !info.working ? ' 非工作日' : ''}，${items.length} 条内容`,
          'data-day': day,
        },
        el(
          'div',
          { class: 'date' },
          `${Number(day.slice(8))}日`,
          day === today ? ' 今天' : '',
          info && !info.working ? el('span', { title: info.name || '非工作日' }, ' 休') : '',
        ),
      );
      if (items.length)
        cell.append(
          el(
            'ul',
            {},
            items.map((item) =>
              el(
                'li',
                {},
                el(
                  'a',
                  {
                    href: `/admin/contents/${item.id}`,
                    title: `${item.title}（${KIND_LABELS[item.kind]}，${STATUS_LABELS[item.status]}）`,
                  },
                  `${hhmm(item.at)} `,
                  badge(item.status),
                  ` ${item.title}`,
                ),
              ),
            ),
          ),
        );
      grid.append(cell);
    }
  }

  const go = (fn) => async () => {
    fn();
    await render();
  };
  document.getElementById('view-month').addEventListener(
    'click',
    go(() => (state.view = 'month')),
  );
  document.getElementById('view-week').addEventListener(
    'click',
    go(() => (state.view = 'week')),
  );
  document.getElementById('prev').addEventListener(
    'click',
    go(() => (state.anchor = shift(state.view, state.anchor, -1))),
  );
  document.getElementById('next').addEventListener(
    'click',
    go(() => (state.anchor = shift(state.view, state.anchor, 1))),
  );
  document.getElementById('today').addEventListener(
    'click',
    go(() => (state.anchor = today)),
  );
  await render();
});

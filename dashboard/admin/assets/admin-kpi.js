// KPI targets of an organisation: list, create, edit (the API replaces a target whole), delete.
import { accountLabel, api, el, loadAccounts, startPage } from './admin-common.js';
import { $, action, actions, clip, createOrEdit, deleteAction, orgPicker, table } from './admin-manage.js';

const METRICS = {
  followers_total: '粉丝总数',
  weekly_average_reads: '周均阅读量',
  monthly_original_articles: '每月原创文章',
  sla_compliance_rate: '发布时效达标率',
};
const DAY = '(\\d{4}-\\d{2}-\\d{2})';

/** "2026-12-31 150000 年底" or "2026-12-31 +10%" per line → milestones; a bad line is named. */
function parseMilestones(text) {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  if (!lines.length) throw new Error('请至少填写一个里程碑');
  return lines.map((line, i) => {
    const m = line.match(new RegExp(`^${DAY}\\s+(\\+?)(\\d+(?:\\.\\d+)?)(%?)\\s*(.*)$`));
    if (!m) throw new Error(`里程碑第 ${i + 1} 行格式不对：“${line}”（应为：日期 目标值 [说明]）`);
    const [, date, plus, value, percent, label] = m;
    return {
      date,
      kind: percent || plus ? 'percent' : 'absolute',
      value: Number(value),
      ...(label ? { label } : {}),
    };
  });
}

const milestoneText = (ms) =>
  ms.map(
    (m) => `${m.date} ${m.kind === 'percent' ? `+${m.value}%` : m.value}${m.label ? ` ${m.label}` : ''}`,
  );

/** "" → none; "30000" → a value; "2021-11-01~2021-11-28" → a period. */
function parseBaseline(text) {
  const t = text.trim();
  if (!t) return null;
  if (/^\d+(\.\d+)?$/.test(t)) return { kind: 'value', value: Number(t) };
  const m = t.match(new RegExp(`^${DAY}\\s*(?:~|～|至|到)\\s*${DAY}$`));
  if (m) return { kind: 'period', from: m[1], to: m[2] };
  throw new Error(`基线格式不对：“${t}”（应为数值，或 开始日期~结束日期）`);
}

const baselineText = (b) => (!b ? '' : b.kind === 'value' ? String(b.value) : `${b.from}~${b.to}`);

startPage(async () => {
  const org = await orgPicker(() => render());
  const form = createOrEdit({
    what: '考核目标',
    fill(t) {
      $('f-name').value = t.name;
      $('f-metric').value = t.metric;
      $('f-account').value = t.accountId ?? '';
      $('f-start').value = t.contractStart;
      $('f-end').value = t.contractEnd;
      $('f-baseline').value = baselineText(t.baseline);
      $('f-milestones').value = milestoneText(t.milestones).join('\n');
    },
    save(editing) {
      const body = {
        name: $('f-name').value.trim(),
        metric: $('f-metric').value,
        accountId: $('f-account').value || null,
        contractStart: $('f-start').value,
        contractEnd: $('f-end').value,
        baseline: parseBaseline($('f-baseline').value),
        milestones: parseMilestones($('f-milestones').value),
      };
      const base = `/api/orgs/${org()}/kpi/targets`;
      return editing ? api('PUT', `${base}/${editing.id}`, body) : api('POST', base, body);
    },
    done: () => render(),
  });

  async function render() {
    const orgId = org();
    const accounts = await loadAccounts(`?organisationId=${orgId}`);
    $('f-account').replaceChildren(
      el('option', { value: '' }, '本单位全部账号'),
      ...accounts.map((a) => el('option', { value: a.id }, accountLabel(a))),
    );
    const { items } = await api('GET', `/api/orgs/${orgId}/kpi/targets`);
    table(
      ['名称', '指标', '账号', '合同期', '基线', '里程碑', '操作'],
      items.map((t) => [
        clip(t.name),
        METRICS[t.metric] ?? t.metric,
        t.accountId ? accountLabel(accounts.find((a) => a.id === t.accountId)) : '全部账号',
        `${t.contractStart} 至 ${t.contractEnd}`,
        baselineText(t.baseline) || '—',
        milestoneText(t.milestones).join('；'),
        actions(
          action('编辑', t.name, () => form.edit(t), { perm: 'kpi.manage' }),
          deleteAction('考核目标', t.name, `/api/orgs/${orgId}/kpi/targets/${t.id}`, 'kpi.manage', render),
        ),
      ]),
    );
  }
  await render();
});

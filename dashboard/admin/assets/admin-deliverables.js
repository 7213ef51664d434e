// Deliverables of an organisation (定制栏目, 专题页, counted per contract year): list, record (optionally
// for a campaign), remove. Used by the campaigns page.
import { api, attempt, can, el, shanghaiDay } from './admin-common.js';
import { $, actions, clip, deleteAction, fillRows } from './admin-manage.js';

const KINDS = { feature: '定制栏目', topic_page: '专题页' };

/** Today in Beijing, YYYY-MM-DD. */
const today = () => shanghaiDay(Date.now());

/**
 * Wires the #deliverables section; `render(campaigns)` refreshes its table and the campaign choices,
 * `onChange` runs after a record or a removal (a campaign's panel lists its deliverables' effect).
 */
export function deliverables({ org, onChange }) {
  const form = $('deliverable-form');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const title = $('d-title').value.trim();
    const url = $('d-url').value.trim();
    const created = await attempt(`登记“${title}”`, () =>
      api('POST', `/api/orgs/${org()}/deliverables`, {
        kind: $('d-kind').value,
        title,
        deliveredOn: $('d-date').value,
        url: url || null,
        campaignId: $('d-campaign').value || null,
      }),
    );
    if (!created) return;
    form.reset();
    $('d-date').value = today();
    await onChange();
  });
  $('d-date').value = today();

  return {
    async render(campaigns) {
      if (!can('kpi.read')) return;
      const choice = $('d-campaign').value;
      $('d-campaign').replaceChildren(
        el('option', { value: '' }, '不关联活动'),
        ...campaigns.map((c) => el('option', { value: c.id }, c.name)),
      );
      $('d-campaign').value = campaigns.some((c) => c.id === choice) ? choice : '';
      const orgId = org();
      const { items } = await api('GET', `/api/orgs/${orgId}/deliverables`);
      const campaignName = (id) => campaigns.find((c) => c.id === id)?.name ?? '—';
      fillRows(
        $('deliverables-table').querySelector('tbody'),
        items.map((d) => [
          KINDS[d.kind] ?? d.kind,
          d.url
            ? el('a', { href: d.url, target: '_blank', rel: 'noopener noreferrer' }, d.title)
            : clip(d.title),
          d.deliveredOn,
          d.campaignId ? clip(campaignName(d.campaignId)) : '—',
          actions(
            deleteAction(
              KINDS[d.kind] ?? '交付物',
              d.title,
              `/api/orgs/${orgId}/deliverables/${d.id}`,
              'kpi.manage',
              onChange,
            ),
          ),
        ]),
        5,
      );
    },
  };
}

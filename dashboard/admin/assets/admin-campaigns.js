// Campaigns of an organisation: list, create, edit, delete (its contents stay).
import { api, startPage } from './admin-common.js';
import { $, action, actions, clip, confirmDelete, createOrEdit, orgPicker, table } from './admin-manage.js';

const TYPES = { marketing: '营销活动', theme: '主题活动', topic: '专题' };

startPage(async () => {
  const org = await orgPicker(() => render());
  const form = createOrEdit({
    what: '活动',
    fill(c) {
      $('f-name').value = c.name;
      $('f-type').value = c.type;
      $('f-start').value = c.startsOn;
      $('f-end').value = c.endsOn;
      $('f-short').checked = c.shortEvent;
      $('f-description').value = c.description ?? '';
    },
    save(editing) {
      const body = {
        name: $('f-name').value.trim(),
        type: $('f-type').value,
        startsOn: $('f-start').value,
        endsOn: $('f-end').value,
        shortEvent: $('f-short').checked,
        description: $('f-description').value.trim(),
      };
      const base = `/api/orgs/${org()}/campaigns`;
      return editing ? api('PATCH', `${base}/${editing.id}`, body) : api('POST', base, body);
    },
    done: () => render(),
  });

  async function render() {
    const orgId = org();
    const { items } = await api('GET', `/api/orgs/${orgId}/campaigns`);
    table(
      ['名称', '类型', '起止', '内容数', '操作'],
      items.map((c) => [
        clip(c.name),
        `${TYPES[c.type] ?? c.type}${c.shortEvent ? '（短期）' : ''}`,
        `${c.startsOn} 至 ${c.endsOn}`,
        String(c.contentCount),
        actions(
          action('编辑', c.name, () => form.edit(c), { perm: 'campaigns.manage' }),
          action(
            '删除',
            c.name,
            async () => {
              const url = `/api/orgs/${orgId}/campaigns/${c.id}`;
              if (await confirmDelete('活动', c.name, () => api('DELETE', url))) await render();
            },
            { perm: 'campaigns.manage', danger: true },
          ),
        ),
      ]),
    );
  }
  await render();
});

// Client organisations: list and add; 管理 shows the review settings (三审三校: steps, self-approval, the
// named backend reviewers), which the superadmin may change.
import { api, attempt, can, el, startPage } from './admin-common.js';
import { $, action, actions, openDetail, ROLES, table, wireDetailClose } from './admin-manage.js';

const KINDS = { client: '客户单位', operator: '运营方' };

startPage(async () => {
  const manage = can('organisations.manage');
  // Reviewer candidates: backend users who may review (listing users needs users.read).
  const candidates = can('users.read')
    ? (await api('GET', '/api/users?status=active')).items.filter(
        (u) => u.role === 'editor' || u.role === 'planner',
      )
    : [];
  let current = null;

  $('create-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const created = await attempt('新增单位', () =>
      api('POST', '/api/organisations', { name: $('f-name').value.trim(), slug: $('f-slug').value.trim() }),
    );
    if (!created) return;
    $('create-form').reset();
    await render();
  });

  async function show(o) {
    current = o;
    const s = await api('GET', `/api/organisations/${o.id}/review-settings`);
    openDetail(`审核设置：${o.name}`, `${s.reviewSteps} 级审核 · ${s.reviewers.length} 名后台审核人`);
    $('r-steps').value = String(s.reviewSteps);
    $('r-self').checked = s.allowSelfApproval;
    $('r-steps').disabled = !manage;
    $('r-self').disabled = !manage;
    const named = new Set(s.reviewers.map((r) => r.id));
    // Reviewers not among the candidates (no users.read, or since disabled) still show, as they are set.
    const people = [...candidates, ...s.reviewers.filter((r) => !candidates.some((c) => c.id === r.id))];
    $('r-reviewers').replaceChildren(
      ...(people.length
        ? people.map((u) => {
            const id = `r-user-${u.id}`;
            return el(
              'div',
              { class: 'field check' },
              el('input', { type: 'checkbox', id, value: u.id, checked: named.has(u.id), disabled: !manage }),
              el(
                'label',
                { for: id },
                `${u.displayName}（${u.username}${u.role ? ` · ${ROLES[u.role]}` : ''}）`,
              ),
            );
          })
        : [el('p', {}, '尚无可选的审核人（内容编辑或活动策划）')]),
    );
  }

  $('review-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const reviewerUserIds = [...$('r-reviewers').querySelectorAll('input:checked')].map((i) => i.value);
    const saved = await attempt(`保存“${current.name}”的审核设置`, () =>
      api('PUT', `/api/organisations/${current.id}/review-settings`, {
        reviewSteps: Number($('r-steps').value),
        allowSelfApproval: $('r-self').checked,
        reviewerUserIds,
      }),
    );
    if (saved) await show(current);
  });
  wireDetailClose();

  async function render() {
    const { items } = await api('GET', '/api/organisations');
    table(
      ['名称', '代码', '类型', '状态', '操作'],
      items.map((o) => [
        o.name,
        o.slug,
        KINDS[o.kind] ?? o.kind,
        o.disabledAt ? '已停用' : '正常',
        actions(action('管理', o.name, () => attempt('读取审核设置', () => show(o)))),
      ]),
    );
  }
  await render();
});

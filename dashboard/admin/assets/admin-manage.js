// Shared by the management pages (admin-accounts.js, admin-users.js, …): the table, the organisation
// picker, row action buttons, the create-or-edit form and the detail panel.
import { api, ask, attempt, can, el } from './admin-common.js';

export const $ = (id) => document.getElementById(id);

export const ROLES = {
  superadmin: '超级管理员',
  security_admin: '安全管理员',
  auditor: '审计管理员',
  editor: '内容编辑',
  planner: '活动策划',
  client_approver: '客户审定人',
  client_viewer: '客户',
};
export const isClientRole = (role) => role === 'client_approver' || role === 'client_viewer';

/** Fills #list: headers, then one row per entry of cells (strings or nodes). */
export function table(headers, rows) {
  $('list')
    .querySelector('thead')
    .replaceChildren(
      el(
        'tr',
        {},
        headers.map((h) => el('th', { scope: 'col' }, h)),
      ),
    );
  fillRows($('list').querySelector('tbody'), rows, headers.length);
}

/** Fills a table body with one row per entry of cells, or a 暂无记录 row spanning `columns`. */
export function fillRows(body, rows, columns) {
  body.replaceChildren(
    ...rows.map((cells) =>
      el(
        'tr',
        {},
        cells.map((c) => el('td', {}, c)),
      ),
    ),
  );
  if (!rows.length) body.append(el('tr', {}, el('td', { colspan: String(columns) }, '暂无记录')));
}

/** Text that may be long: cut with an ellipsis, kept whole in the title. */
export const clip = (text) => el('span', { class: 'clip', title: text }, text);

/** The organisations a select offers; the page's #org picker calls onChange when it changes. */
export async function fillOrganisations(select, { onChange } = {}) {
  const { items } = await api('GET', '/api/organisations');
  select.replaceChildren(...items.map((o) => el('option', { value: o.id }, o.name)));
  if (onChange) select.addEventListener('change', onChange);
  return items;
}

/** The #org picker; returns a function giving the chosen organisation's id. */
export async function orgPicker(onChange) {
  await fillOrganisations($('org'), { onChange });
  return () => $('org').value;
}

/**
 * A button in a row's 操作 cell, only for roles holding `perm`. Its accessible name says which row, so a
 * screen reader's list of buttons is not ten times "编辑".
 */
export function action(label, rowName, onclick, { perm, danger = false } = {}) {
  if (perm && !can(perm)) return null;
  return el(
    'button',
    {
      type: 'button',
      class: danger ? 'btn danger small' : 'btn secondary small',
      'aria-label': `${label}：${rowName}`,
      onclick,
    },
    label,
  );
}

export function actions(...buttons) {
  const shown = buttons.filter(Boolean);
  return shown.length ? el('span', { class: 'actions' }, shown) : '—';
}

/** A row's 删除 button (danger, for roles holding `perm`): asks, deletes `url`, then runs `done`. */
export function deleteAction(what, name, url, perm, done) {
  return action(
    '删除',
    name,
    async () => {
      const yes = await ask({
        title: `删除${what}`,
        message: `确定删除${what}“${name}”吗？此操作不能撤销。`,
        confirmLabel: '删除',
        danger: true,
      });
      if (yes && (await attempt(`删除${what}“${name}”`, () => api('DELETE', url))) !== undefined)
        await done();
    },
    { perm, danger: true },
  );
}

/**
 * The page's #create-form creates a row, or edits the one chosen with 编辑: its heading and button say
 * which, and 取消编辑 goes back to creating. `save(editing)` makes the API call (editing is null when
 * creating); `fill(item)` puts a row into the fields; `done(result)` runs after a save.
 */
export function createOrEdit({ what, fill, save, done, reset = () => undefined }) {
  const form = $('create-form');
  const heading = form.querySelector('h2');
  const submit = form.querySelector('button[type="submit"]');
  const titles = { heading: heading.textContent, submit: submit.textContent };
  const cancel = el('button', { type: 'button', class: 'btn secondary', hidden: true }, '取消编辑');
  submit.after(' ', cancel);
  let editing = null;
  const mode = (item) => {
    editing = item;
    heading.textContent = item ? `修改${what}：${item.name}` : titles.heading;
    submit.textContent = item ? '保存修改' : titles.submit;
    cancel.hidden = !item;
    form.reset();
    reset();
    if (item) fill(item);
  };
  cancel.addEventListener('click', () => {
    mode(null);
    submit.focus();
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const label = editing ? `修改${what}“${editing.name}”` : submit.textContent;
    const result = await attempt(label, () => save(editing));
    if (result === undefined) return;
    mode(null);
    await done(result);
  });
  return {
    edit(item) {
      mode(item);
      form.querySelector('input, select, textarea').focus();
    },
  };
}

/**
 * Shows the #detail panel with a heading; 关闭 hides it and returns focus to the table. Focus moves to
 * the heading when the panel opens or shows another record, not when the open record is redrawn after a
 * change (the person stays on the control they used, and the page does not jump).
 */
export function openDetail(title, state = '') {
  const moved = $('detail').hidden || $('detail-h').textContent !== title;
  $('detail').hidden = false;
  $('detail-h').textContent = title;
  $('detail-state').textContent = state;
  if (moved) $('detail-h').focus();
}

export function wireDetailClose() {
  $('detail-close').addEventListener('click', () => {
    $('detail').hidden = true;
    $('list').querySelector('button')?.focus();
  });
}

// Auditor view: who saw what (audit log queries) and whether the
// hash-chained log verifies.
import {api, q} from '../api.js';
import {h, clear, errorBox, fmtTime} from '../dom.js';

const FIELDS = [['subject', 'Subject (listing id, traveller ref…)'], ['agency', 'Agency'], ['user', 'User'], ['action', 'Action (e.g. listing.read)']];

/** render draws the verification status and the query form with its results. */
export async function render(root, ctx) {
  const params = Object.fromEntries(FIELDS.map(([f]) => [f, ctx.params.get(f) || '']));
  const after = ctx.params.get('after') || '';
  const verify = h('div', {id: 'audit-verify', role: 'status', 'aria-live': 'polite'}, 'Verifying the audit chain…');
  const form = h('form', {class: 'card', id: 'audit-form'},
    h('div', {class: 'grid2'}, FIELDS.map(([f, label]) => h('div', {}, h('label', {for: 'audit-' + f}, label),
      h('input', {id: 'audit-' + f, name: f, value: params[f], autocomplete: 'off'})))),
    h('button', {type: 'submit'}, 'Search'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const p = {};
    for (const [f] of FIELDS) if (form.elements[f].value.trim()) p[f] = form.elements[f].value.trim();
    ctx.go('audit', '', p);
  });
  const out = h('div', {class: 'table-wrap', id: 'audit-results'});
  clear(root, h('h1', {}, 'Audit'), verify, h('h2', {}, 'Who saw what'), form, out);

  api('GET', '/v1/audit/verify').then((v) => {
    clear(verify, h('p', {class: 'verify ' + (v.ok ? 'ok' : 'bad'), dataset: {ok: String(v.ok)}},
      v.ok ? `✓ Audit chain verified: ${v.entries} entries, unbroken.` : `✗ Audit chain BROKEN at entry ${v.broken && v.broken.Seq}: ${v.broken && v.broken.Reason}`));
  }, (e) => clear(verify, errorBox(e)));

  try {
    const page = await api('GET', '/v1/audit' + q({...params, after, limit: 200}));
    clear(out,
      h('table', {class: 'grid', id: 'audit-table'},
        h('caption', {}, `${page.entries.length} entries${after ? ' after #' + after : ''}, oldest first`),
        h('thead', {}, h('tr', {}, ['#', 'When', 'User', 'Role', 'Agency', 'Action', 'Subject', 'Detail'].map((c) => h('th', {scope: 'col'}, c)))),
        h('tbody', {}, page.entries.map((e) => h('tr', {},
          h('td', {class: 'num'}, e.seq), h('td', {}, fmtTime(e.at)), h('td', {}, e.user), h('td', {}, e.role), h('td', {}, e.agency),
          h('td', {}, e.action), h('td', {class: 'mono'}, e.subject), h('td', {}, e.detail || ''))))),
      page.next ? h('p', {}, h('a', {href: '#/audit?' + new URLSearchParams({...Object.fromEntries(Object.entries(params).filter(([, v]) => v)), after: page.next})}, 'Next entries →')) : null);
  } catch (e) {
    clear(out, errorBox(e));
  }
}

// Tips (issue 19): take a tip (hotline, family, partner, public) — its
// subject becomes a provisional listing that screens with a secondary
// check — and the supervisor queue, where a supervisor confirms a tip
// into a full listing or rejects it. The reporter is shown to analysts
// and supervisors of the receiving agency only (the API withholds it
// from everyone else).
import {api, q} from '../api.js';
import {h, clear, errorBox, fmtDate, fmtTime, toast, actionLabel} from '../dom.js';

const CHANNELS = ['hotline', 'family', 'partner', 'public'];
const STATUSES = [['provisional', 'Waiting for a decision'], ['confirmed', 'Confirmed'], ['rejected', 'Rejected'], ['expired', 'Expired'], ['', 'All']];

function field(id, label, input) {
  return h('div', {}, h('label', {for: id}, label), input);
}

function intakeForm(onDone) {
  const form = h('form', {id: 'tip-form', class: 'card'},
    h('h2', {}, 'Take a tip'),
    h('div', {class: 'grid3'},
      field('tip-channel', 'Channel', h('select', {id: 'tip-channel', name: 'channel'}, CHANNELS.map((c) => h('option', {value: c}, c)))),
      field('tip-reporter', 'Reporter (protected)', h('input', {id: 'tip-reporter', name: 'reporter', autocomplete: 'off'})),
      field('tip-relation', 'Relation to the person', h('input', {id: 'tip-relation', name: 'relation', autocomplete: 'off'})),
      field('tip-contact', 'Reporter contact', h('input', {id: 'tip-contact', name: 'contact', autocomplete: 'off'})),
      field('tip-name', 'Subject name', h('input', {id: 'tip-name', name: 'name', required: true, autocomplete: 'off'})),
      field('tip-dob', 'Birth date (YYYY, YYYY-MM or YYYY-MM-DD)', h('input', {id: 'tip-dob', name: 'dob', autocomplete: 'off'})),
      field('tip-nat', 'Nationality', h('input', {id: 'tip-nat', name: 'nationality', autocomplete: 'off'}))),
    field('tip-text', 'What was reported', h('textarea', {id: 'tip-text', name: 'text', rows: 3, required: true})),
    h('p', {class: 'muted'}, 'The person is screened with a secondary check for 30 days unless a supervisor confirms the tip.'),
    h('button', {type: 'submit'}, 'Take tip'),
    h('p', {class: 'error', role: 'alert', id: 'tip-error'}));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const f = form.elements;
    const subject = {name: f.name.value.trim()};
    if (f.dob.value.trim()) subject.dob = f.dob.value.trim();
    if (f.nationality.value.trim()) subject.nationalities = [f.nationality.value.trim()];
    try {
      const t = await api('POST', '/v1/tips', {channel: f.channel.value, text: f.text.value,
        reporter: {name: f.reporter.value.trim(), relation: f.relation.value.trim(), contact: f.contact.value.trim()}, subject});
      form.reset();
      document.getElementById('tip-error').textContent = '';
      toast(`Tip taken: ${t.subject.name} screens with a secondary check until ${fmtDate(t.expires)}`);
      onDone();
    } catch (e) {
      document.getElementById('tip-error').textContent = e.message;
    }
  });
  return form;
}

function decide(t, ctx, onDone) {
  if (ctx.me.role !== 'supervisor' || t.status !== 'provisional') return '';
  const action = h('select', {id: `act-${t.id}`, 'aria-label': `Action for ${t.subject.name}`},
    ['secondary_check', 'report', 'refuse_entry', 'detain', 'info'].map((a) => h('option', {value: a}, actionLabel(a))));
  const exitBan = h('input', {type: 'checkbox', id: `exit-${t.id}`});
  const share = h('input', {type: 'checkbox', id: `share-${t.id}`});
  const send = async (path, body, done) => {
    try {
      await api('POST', `/v1/tips/${encodeURIComponent(t.id)}/${path}`, body);
      toast(done);
      onDone();
    } catch (e) {
      toast(e.message);
    }
  };
  return h('div', {class: 'decide'},
    action,
    h('label', {for: `exit-${t.id}`}, exitBan, ' exit ban'),
    h('label', {for: `share-${t.id}`}, share, ' share with partners'),
    h('button', {type: 'button', onclick: () => send('confirm', {action: action.value,
      directions: exitBan.checked ? {out: {action: 'prevent_departure'}} : undefined,
      handling: share.checked ? {screen: ['*'], action: ['*'], reshare: 'never'} : {}}, 'Tip confirmed: a full listing now')}, 'Confirm'),
    h('button', {type: 'button', class: 'secondary', onclick: () => send('reject', {note: 'rejected in the console'}, 'Tip rejected: its listing is withdrawn')}, 'Reject'));
}

function tipRow(t, ctx, onDone) {
  const r = t.reporter || {};
  const who = [r.name, r.relation && `(${r.relation})`, r.contact].filter(Boolean).join(' ');
  return h('tr', {dataset: {tip: t.id, status: t.status}},
    h('td', {}, fmtTime(t.received)),
    h('th', {scope: 'row'}, h('a', {href: '#/listing/' + encodeURIComponent(t.listing)},
      t.erased ? `Erased ${fmtDate(t.erased)} (retention)` : t.subject.name),
      t.minor ? [' ', h('span', {class: 'badge b-warn'}, 'minor')] : ''),
    h('td', {}, t.channel),
    h('td', {}, who || h('span', {class: 'muted'}, 'withheld')),
    h('td', {}, t.text.length > 140 ? t.text.slice(0, 140) + '…' : t.text),
    h('td', {}, t.status === 'provisional' ? fmtDate(t.expires) : ''),
    h('td', {}, h('span', {class: 'badge'}, t.status)),
    h('td', {}, decide(t, ctx, onDone)));
}

/** render draws the intake form and the queue. */
export async function render(root, ctx) {
  const status = ctx.params.has('status') ? ctx.params.get('status') : 'provisional';
  const pick = h('select', {id: 'tips-status', name: 'status'}, STATUSES.map(([v, t]) => h('option', {value: v, selected: v === status}, t)));
  pick.addEventListener('change', () => ctx.go('tips', '', {status: pick.value}));
  const out = h('div', {class: 'table-wrap', id: 'tips'}, h('p', {role: 'status'}, 'Loading tips…'));
  const refresh = () => render(root, ctx);
  clear(root, h('h1', {}, 'Tips'), intakeForm(refresh),
    h('form', {class: 'toolbar'}, h('div', {}, h('label', {for: 'tips-status'}, 'Show'), pick)), out);
  let page;
  try {
    page = await api('GET', '/v1/tips' + q({status}));
  } catch (e) {
    clear(out, errorBox(e));
    return;
  }
  clear(out, page.tips.length === 0 ? h('p', {class: 'muted', id: 'no-tips'}, 'No tips here.') :
    h('table', {class: 'grid', id: 'tips-table'},
      h('caption', {}, `${page.tips.length} tips`),
      h('thead', {}, h('tr', {}, ['Received', 'Person', 'Channel', 'Reporter', 'What was reported', 'Expires', 'Status', ''].map((c) => h('th', {scope: 'col'}, c)))),
      h('tbody', {}, page.tips.map((t) => tipRow(t, ctx, refresh)))));
}

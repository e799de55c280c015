// Diffusions (issue 19): instructions about a person sent to partner
// agencies over federation. Sent ones show each recipient's
// acknowledgement (or that it is overdue) and can be cancelled; received
// ones are acknowledged here.
import {api} from '../api.js';
import {h, clear, errorBox, fmtDate, fmtTime, toast} from '../dom.js';

const KINDS = [['prevent_departure', 'Prevent departure'], ['locate_and_report', 'Locate and report'], ['detain', 'Detain'],
  ['do_not_alert_subject', 'Do not alert the subject']];
const kindLabel = (k) => (KINDS.find(([v]) => v === k) || [k, k])[1];

function field(id, label, input) {
  return h('div', {}, h('label', {for: id}, label), input);
}

function sendForm(partners, onDone) {
  const boxes = partners.map((p) => h('label', {for: `dif-to-${p.agency}`, class: 'check'},
    h('input', {type: 'checkbox', id: `dif-to-${p.agency}`, value: p.agency}), ' ' + p.agency));
  const form = h('form', {id: 'diffusion-form', class: 'card'},
    h('h2', {}, 'Send a diffusion'),
    h('div', {class: 'grid3'},
      field('dif-kind', 'Instruction', h('select', {id: 'dif-kind', name: 'kind'}, KINDS.map(([v, t]) => h('option', {value: v}, t)))),
      field('dif-name', 'Person', h('input', {id: 'dif-name', name: 'name', required: true, autocomplete: 'off'})),
      field('dif-dob', 'Birth date', h('input', {id: 'dif-dob', name: 'dob', autocomplete: 'off'})),
      field('dif-contact', 'Contact', h('input', {id: 'dif-contact', name: 'contact', autocomplete: 'off'})),
      field('dif-ack', 'Acknowledge within', h('select', {id: 'dif-ack', name: 'ack'},
        [['15m', '15 minutes'], ['1h', '1 hour'], ['4h', '4 hours'], ['24h', '24 hours']].map(([v, t]) => h('option', {value: v, selected: v === '1h'}, t))))),
    field('dif-text', 'Details', h('textarea', {id: 'dif-text', name: 'text', rows: 2})),
    h('fieldset', {class: 'recipients'}, h('legend', {}, 'To'),
      boxes.length ? boxes : h('p', {class: 'muted'}, 'No partner agencies: add partner nodes first.')),
    h('button', {type: 'submit'}, 'Send'),
    h('p', {class: 'error', role: 'alert', id: 'dif-error'}));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const f = form.elements;
    const subject = {name: f.name.value.trim()};
    if (f.dob.value.trim()) subject.dob = f.dob.value.trim();
    const recipients = boxes.map((b) => b.querySelector('input')).filter((i) => i.checked).map((i) => i.value);
    try {
      await api('POST', '/v1/diffusions', {kind: f.kind.value, subject, text: f.text.value, contact: f.contact.value.trim(),
        recipients, ack_within: f.ack.value});
      toast(`Diffusion sent to ${recipients.join(', ')}`);
      onDone();
    } catch (e) {
      document.getElementById('dif-error').textContent = e.message;
    }
  });
  return form;
}

function recipientState(r) {
  if (r.acked_at) return h('span', {class: 'badge b-ok'}, `${r.agency}: acknowledged ${fmtTime(r.acked_at)}${r.acked_by ? ' by ' + r.acked_by : ''}`);
  if (r.overdue) return h('span', {class: 'badge b-warn'}, `${r.agency}: overdue`);
  return h('span', {class: 'badge'}, `${r.agency}: waiting`);
}

function row(d, ctx, onDone) {
  const mine = d.sender === ctx.me.agency;
  const act = async (path, done) => {
    try {
      await api('POST', `/v1/diffusions/${encodeURIComponent(d.id)}/${path}`);
      toast(done);
      onDone();
    } catch (e) {
      toast(e.message);
    }
  };
  const own = (d.recipients || []).find((r) => r.agency === ctx.me.agency);
  let button = '';
  if (d.status === 'active' && mine) button = h('button', {type: 'button', class: 'secondary', onclick: () => act('cancel', 'Diffusion cancelled')}, 'Cancel');
  if (d.status === 'active' && !mine && own && !own.acked_at) button = h('button', {type: 'button', onclick: () => act('ack', 'Acknowledged')}, 'Acknowledge');
  return h('tr', {dataset: {diffusion: d.id, status: d.status}},
    h('td', {}, fmtTime(d.sent)),
    h('td', {}, mine ? 'sent' : `from ${d.sender}`),
    h('th', {scope: 'row'}, kindLabel(d.kind)),
    h('td', {}, d.erased ? `Erased ${fmtDate(d.erased)} (retention)` : [d.subject.name, d.subject.dob ? ` (${d.subject.dob})` : '']),
    h('td', {}, d.text || ''),
    h('td', {}, h('ul', {class: 'plain'}, (d.recipients || []).map((r) => h('li', {}, recipientState(r))))),
    h('td', {}, h('span', {class: d.status === 'cancelled' ? 'badge b-warn' : 'badge'}, d.status)),
    h('td', {}, button));
}

/** render draws the form and the diffusions sent and received. */
export async function render(root, ctx) {
  const out = h('div', {class: 'table-wrap', id: 'diffusions'}, h('p', {role: 'status'}, 'Loading diffusions…'));
  const refresh = () => render(root, ctx);
  let partners = [];
  try {
    partners = (await api('GET', '/v1/partners')).partners.filter((p) => p.status !== 'suspended');
  } catch (e) {
    partners = [];
  }
  clear(root, h('h1', {}, 'Diffusions'), sendForm(partners, refresh), out);
  let ds;
  try {
    ds = (await api('GET', '/v1/diffusions')).diffusions;
  } catch (e) {
    clear(out, errorBox(e));
    return;
  }
  clear(out, ds.length === 0 ? h('p', {class: 'muted', id: 'no-diffusions'}, 'No diffusions sent or received.') :
    h('table', {class: 'grid', id: 'diffusions-table'},
      h('thead', {}, h('tr', {}, ['Sent', 'Direction', 'Instruction', 'Person', 'Details', 'Recipients', 'Status', ''].map((c) => h('th', {scope: 'col'}, c)))),
      h('tbody', {}, ds.map((d) => row(d, ctx, refresh)))));
}

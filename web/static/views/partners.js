// Federation view: each partner node with its health (last pull, lag,
// errors, bytes, how far this node witnesses its audit log), and the
// consent requests between this node's agency and its partners, answered
// here by the originator (issue 15).
import {api} from '../api.js';
import {h, clear, errorBox, fmtTime, toast} from '../dom.js';

function lag(p) {
  const os = (p.health && p.health.origins) || [];
  if (os.length === 0) return '—';
  return os.map((o) => `${o.origin}: ${o.lag_events} event${o.lag_events === 1 ? '' : 's'}` +
    (o.lag_seconds > 0 ? `, ${Math.round(o.lag_seconds)} s` : '')).join('; ');
}

// witness says how far this node holds the partner's signed audit head, and
// whether the partner ever signed one that contradicts it (its audit log
// rewritten or cut back: docs/security.md).
function witness(hl) {
  const n = hl.witness_conflicts || 0;
  return [hl.witnessed ? `entry ${hl.witnessed}` : '—',
    n ? [' ', h('span', {class: 'badge b-warn', title: 'its audit log was rewritten or cut back: see the audit log (audit.witness.conflict)'},
      `contradicted ${n}×`)] : ''];
}

function partnerRow(p) {
  const hl = p.health || {};
  const state = p.status === 'suspended' ? h('span', {class: 'badge b-warn'}, 'suspended') :
    hl.last_error && (!hl.last_pull || hl.last_error_at > hl.last_pull) ? h('span', {class: 'badge b-warn'}, 'failing') : h('span', {class: 'badge'}, 'active');
  return h('tr', {dataset: {partner: p.id}},
    h('th', {scope: 'row'}, p.id), h('td', {}, p.agency), h('td', {}, state),
    h('td', {class: 'mono'}, p.url || 'by key, through a relay'),
    h('td', {}, hl.last_pull ? fmtTime(hl.last_pull) : 'never'),
    h('td', {}, lag(p)),
    h('td', {class: 'num'}, hl.errors || 0),
    h('td', {class: 'num'}, hl.bytes || 0),
    h('td', {}, witness(hl)),
    h('td', {}, hl.last_error ? h('span', {title: hl.last_error}, hl.last_error.slice(0, 60)) : ''));
}

/** render draws the partners and the consent requests. */
export async function render(root, ctx) {
  const parts = h('div', {class: 'table-wrap', id: 'partners'}, h('p', {role: 'status'}, 'Loading partners…'));
  const cons = h('div', {class: 'table-wrap', id: 'consents'}, h('p', {role: 'status'}, 'Loading consent requests…'));
  clear(root, h('h1', {}, 'Partners'), parts, h('h2', {}, 'Consent requests'), cons);
  try {
    const page = await api('GET', '/v1/partners');
    clear(parts, page.partners.length === 0 ? h('p', {class: 'muted', id: 'no-partners'}, 'No partner nodes yet.') :
      h('table', {class: 'grid', id: 'partners-table'},
        h('caption', {}, `${page.partners.length} partner nodes`),
        h('thead', {}, h('tr', {}, ['Node', 'Agency', 'State', 'Address', 'Last pull', 'Lag', 'Errors', 'Bytes', 'Audit witnessed', 'Last error']
          .map((c) => h('th', {scope: 'col'}, c)))),
        h('tbody', {}, page.partners.map(partnerRow))));
  } catch (e) {
    clear(parts, errorBox(e));
  }
  let cs;
  try {
    // The list pages (500 a page); an agency's requests run to a few pages.
    cs = [];
    for (let next = '', pages = 0; pages < 20; pages++) {
      const page = await api('GET', '/v1/consents' + (next ? '?after=' + encodeURIComponent(next) : ''));
      cs.push(...page.consents);
      if (!(next = page.next)) break;
    }
  } catch (e) {
    clear(cons, errorBox(e));
    return;
  }
  const act = async (c, path, body, done) => {
    try {
      await api('POST', `/v1/consents/${encodeURIComponent(c.id)}/${path}`, body);
      toast(done);
      render(root, ctx);
    } catch (e) {
      toast(e.message);
    }
  };
  clear(cons, cs.length === 0 ? h('p', {class: 'muted', id: 'no-consents'}, 'No consent requests.') :
    h('table', {class: 'grid', id: 'consents-table'},
      h('thead', {}, h('tr', {}, ['Listing', 'Originator', 'Asked by', 'For', 'Reason', 'Status', ''].map((c) => h('th', {scope: 'col'}, c)))),
      h('tbody', {}, cs.map((c) => {
        const mine = c.originator === ctx.me.agency;
        const buttons = [];
        if (mine && c.status === 'pending') {
          buttons.push(h('button', {type: 'button', onclick: () => act(c, 'decide', {grant: true}, 'Consent granted')}, 'Grant'),
            h('button', {type: 'button', class: 'secondary', onclick: () => act(c, 'decide', {grant: false}, 'Consent refused')}, 'Refuse'));
        }
        if (mine && c.status === 'granted') {
          buttons.push(h('button', {type: 'button', class: 'secondary', onclick: () => act(c, 'withdraw', undefined, 'Consent withdrawn')}, 'Withdraw'));
        }
        return h('tr', {dataset: {consent: c.id, status: c.status}},
          h('td', {}, h('a', {href: '#/listing/' + encodeURIComponent(c.listing)}, c.listing)), h('td', {}, c.originator),
          h('td', {}, c.requester), h('td', {}, c.recipient), h('td', {}, c.reason || ''), h('td', {}, c.status), h('td', {}, buttons));
      }))));
}

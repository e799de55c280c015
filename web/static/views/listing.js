// Analyst view: one listing as the policy layer lets the caller see it —
// identity, action, details, provenance chain, handling rules, and how
// fresh it is (age, last confirmed, expiry).
import {api, q} from '../api.js';
import {h, clear, errorBox, dl, fmtDate, fmtTime, daysAgo, humanDays, actionLabel, encounterName, isMinor} from '../dom.js';

const RESHARE = {never: 'never passed on', with_consent: 'passed on only with the originator\'s consent', allowed: 'may be passed on'};

function who(list) {
  if (!list || list.length === 0) return 'the originator only';
  return list.map((x) => (x === '*' ? 'every partner' : x)).join(', ');
}

/** render draws the listing named by ctx.arg. */
export async function render(root, ctx) {
  const id = ctx.arg;
  if (!id) {
    ctx.go('listings');
    return;
  }
  clear(root, h('h1', {}, id), h('p', {role: 'status'}, 'Loading…'));
  let l;
  try {
    l = await api('GET', '/v1/listings/' + encodeURIComponent(id));
  } catch (e) {
    clear(root, h('h1', {}, id), errorBox(e));
    return;
  }
  const primary = (l.names || []).find((n) => n.kind === 'primary') || (l.names || [])[0] || {full: l.id};
  const p = l.provenance || {};
  const hd = l.handling || {};
  const listedAge = daysAgo(p.listed_on);
  const fresh = p.last_confirmed || p.received;
  const freshAge = daysAgo(fresh);
  const left = l.valid_until ? -daysAgo(l.valid_until) : null;

  const chain = [p.originator, ...(p.chain || [])].filter(Boolean);
  const details = [['Reason', l.reason, 'reason'], ['Narrative', l.narrative, 'narrative'], ['Addresses', l.addresses, 'addresses'],
    ['Phones', l.phones, 'phones'], ['E-mails', l.emails, 'emails']].filter(([, v]) => v && v.length);

  clear(root,
    h('h1', {}, primary.full),
    h('p', {}, h('span', {class: `badge ${l.status === 'active' ? 'b-ok' : 'b-bad'}`}, (l.status || '').toUpperCase()), ' ',
      (l.birth_dates || []).length && (l.birth_dates || []).every((d) => isMinor(d)) ? [h('span', {class: 'badge minor'}, 'MINOR'), ' '] : null,
      h('span', {class: 'mono'}, l.id), ` · version ${l.version} · updated ${fmtTime(l.updated_at)}`),
    h('div', {class: 'split'},
      h('section', {class: 'card', 'aria-labelledby': 'l-id'}, h('h2', {id: 'l-id'}, 'Identity'),
        h('table', {}, h('caption', {class: 'sr-only'}, 'Names'),
          h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, 'Name'), h('th', {scope: 'col'}, 'Kind'), h('th', {scope: 'col'}, 'Script'))),
          h('tbody', {}, (l.names || []).map((n) => h('tr', {}, h('td', {lang: n.script === 'Arab' ? 'ar' : null, dir: 'auto'}, n.full),
            h('td', {}, (n.kind || '').replace('_', ' ') + (n.quality ? ` (${n.quality})` : '')), h('td', {}, n.script || ''))))),
        dl([['Born', l.birth_dates], ['Birthplace', l.birth_places], ['Sex', l.sex], ['Nationality', l.nationalities],
          ['Documents', (l.documents || []).map((d) => [d.type, d.number, d.country && `(${d.country})`, d.expiry && `exp. ${d.expiry}`, d.note && `— ${d.note}`].filter(Boolean).join(' '))]])),
      h('section', {class: 'card', 'aria-labelledby': 'l-act'}, h('h2', {id: 'l-act'}, 'On a hit'),
        dl([['Action', actionLabel(l.action)], ['Instruction', l.instruction], ['Contact point', l.contact]]),
        details.length ? [h('h2', {}, 'Details'), dl(details)] :
          h('p', {class: 'muted'}, 'No details are disclosed to you for this listing.'))),
    h('div', {class: 'split'},
      h('section', {class: 'card', 'aria-labelledby': 'l-prov', id: 'provenance'}, h('h2', {id: 'l-prov'}, 'Provenance'),
        h('p', {}, 'Travelled: '), h('ol', {class: 'chain', 'aria-label': 'Provenance chain'}, chain.map((c) => h('li', {}, c)), h('li', {}, 'this node')),
        dl([['Legal basis', p.legal_basis, 'legal_basis'], ['Source reference', p.source_ref, 'source_ref'],
          ['Listed on', p.listed_on ? `${p.listed_on} (${humanDays(listedAge)} ago)` : ''],
          ['Received', p.received ? `${fmtTime(p.received)}` : ''],
          ['Last confirmed', p.last_confirmed ? `${fmtDate(p.last_confirmed)} (${humanDays(daysAgo(p.last_confirmed))} ago)` : 'never re-confirmed by the originator'],
          ['Freshness', fresh ? `${humanDays(freshAge)} since last confirmed or received` : ''],
          ['Valid until', l.valid_until ? `${fmtDate(l.valid_until)} (${left >= 0 ? 'expires in ' + humanDays(left) : 'expired ' + humanDays(left) + ' ago'})` : 'no expiry set'],
          ['Review by', l.review_by ? fmtDate(l.review_by) : '']], {id: 'freshness'})),
      h('section', {class: 'card', 'aria-labelledby': 'l-hand', id: 'handling'}, h('h2', {id: 'l-hand'}, 'Handling rules'),
        dl([['Screen against it', who(hd.screen)], ['See the action', who(hd.action)], ['See the details', who(hd.details)],
          ['Use restriction', hd.use], ['Re-sharing', RESHARE[hd.reshare] || hd.reshare || 'not set']]))),
    h('p', {}, h('a', {href: '#/network?' + new URLSearchParams({entity: 'listing:' + l.id}), id: 'to-network'}, 'Network around this person →')),
    h('section', {class: 'card', id: 'listing-encounters', 'aria-labelledby': 'l-enc'}, h('h2', {id: 'l-enc'}, 'Encounters'), h('p', {class: 'muted'}, 'Loading…')));

  const encBox = root.querySelector('#listing-encounters');
  if (!['analyst', 'supervisor'].includes(ctx.me.role)) {
    encBox.remove(); // encounters are for the roles that screen
    return;
  }
  try {
    const page = await api('GET', '/v1/encounters' + q({listing: l.id, limit: 20}));
    clear(encBox, h('h2', {id: 'l-enc'}, 'Encounters'), page.encounters.length === 0 ? h('p', {class: 'muted'}, 'None seen by your agency.') :
      h('table', {}, h('thead', {}, h('tr', {}, ['When', 'Traveller', 'Decision', 'Outcome'].map((c) => h('th', {scope: 'col'}, c)))),
        h('tbody', {}, page.encounters.map((e) => h('tr', {}, h('td', {}, fmtTime(e.at)), h('td', {}, encounterName(e)),
          h('td', {}, h('span', {class: `badge b-${e.decision}`}, e.decision.toUpperCase())), h('td', {}, e.outcome.replace('_', ' ')))))));
  } catch (e) {
    clear(encBox, h('h2', {id: 'l-enc'}, 'Encounters'), errorBox(e));
  }
}

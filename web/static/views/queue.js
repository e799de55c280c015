// Analyst view: the hit and review queue, why each matched, and the
// finding — a confirmed match, or a false positive that creates the
// clearance so the same innocent traveller is not stopped again.
import {api, q} from '../api.js';
import {h, clear, errorBox, dl, fmtTime, actionLabel, encounterName, toast, isMinor} from '../dom.js';
import {explainTable} from './explain.js';
import {lifecycle} from './lifecycle.js';

const OUTCOMES = ['pending', 'confirmed', 'false_positive', 'refused', 'deported', 'admitted', 'detained', 'secondary'];

/** render draws the queue into root. */
export async function render(root, ctx) {
  const outcome = ctx.params.get('outcome') ?? 'pending';
  const list = h('div', {id: 'queue-list', 'aria-live': 'polite'});
  const more = h('div', {});
  const filter = h('form', {class: 'toolbar', id: 'queue-filter'},
    h('div', {}, h('label', {for: 'queue-outcome'}, 'Show'),
      h('select', {id: 'queue-outcome', name: 'outcome'},
        h('option', {value: ''}, 'all encounters'),
        OUTCOMES.map((o) => h('option', {value: o, selected: o === outcome}, o === 'pending' ? 'open (pending)' : o.replace('_', ' '))))),
    h('button', {type: 'submit', class: 'secondary'}, 'Refresh'));
  filter.addEventListener('submit', (ev) => {
    ev.preventDefault();
    ctx.go('queue', '', {outcome: filter.elements.outcome.value});
  });
  filter.elements.outcome.addEventListener('change', () => filter.requestSubmit());
  clear(root, h('h1', {}, 'Hit and review queue'), filter, list, more);

  async function load(before) {
    let page;
    try {
      page = await api('GET', '/v1/encounters' + q({outcome, before, limit: 50}));
    } catch (e) {
      list.append(errorBox(e));
      return;
    }
    if (!before && page.encounters.length === 0) {
      list.append(h('p', {class: 'card'}, outcome === 'pending' ? 'The queue is empty: no open hits or reviews.' : 'No encounters.'));
    }
    for (const e of page.encounters) list.append(encounterCard(e, ctx.me));
    clear(more, page.next ? h('button', {type: 'button', class: 'secondary', onclick: () => load(page.next)}, 'Older encounters') : null);
  }
  await load();
}

/** encounterCard renders one encounter with its explanation, its lifecycle between the two agencies (as me sees it) and, when open, the finding buttons. */
export function encounterCard(e, me) {
  const t = e.traveller || {};
  const doc = t.document;
  const canClear = !!(doc && doc.number && t.dob && /^\d{4}-\d{2}-\d{2}$/.test(t.dob));
  const resolveArea = h('div', {class: 'resolve'});
  const card = h('article', {class: `card encounter d-${e.decision}`, id: 'enc-' + e.id, dataset: {encounter: e.id, outcome: e.outcome},
    'aria-labelledby': 'enc-h-' + e.id},
  h('header', {},
    h('span', {class: `badge b-${e.decision}`}, (e.decision || '').toUpperCase()),
    h('h2', {id: 'enc-h-' + e.id}, encounterName(e)),
    h('span', {class: 'score'}, `score ${Number(e.score).toFixed(2)}`),
    e.retro ? h('span', {class: 'badge b-warn'}, 'RETRO: already crossed') : null,
    e.diffusion ? h('span', {class: 'badge b-warn'}, `Your diffusion ${e.diffusion}: found by ${e.agency || e.originator}`) : null,
    e.minor_listing || isMinor(t.dob, e.at) ? h('span', {class: 'badge minor'}, 'MINOR') : null,
    h('span', {class: 'muted'}, fmtTime(e.at))),
  h('div', {class: 'split'},
    h('div', {}, h('h3', {}, 'Traveller'),
      dl([['Born', t.dob], ['Sex', t.sex], ['Nationality', t.nationality],
        ['Document', doc ? `${doc.type || ''} ${doc.number || ''} ${doc.country ? '(' + doc.country + ')' : ''}`.trim() : ''],
        ['Travel', t.travel ? [t.travel.direction, t.travel.flight, t.travel.port, t.travel.date].filter(Boolean).join(' · ') : ''],
        ['Reported by', [e.officer, e.agency].filter(Boolean).join(' of ')]])),
    h('div', {}, h('h3', {}, 'Listing'),
      dl([['Listing', h('a', {href: '#/listing/' + encodeURIComponent(e.listing)}, e.listing)], ['Originator', e.originator],
        ['Action', actionLabel(e.action)], ['Outcome', e.outcome.replace('_', ' ')], ['Note', e.note]]))),
  e.explain && e.explain.length ? h('div', {}, h('h3', {}, 'Why it matched'), explainTable(e.explain)) : null,
  resolveArea);
  let life = lifecycle(e, me);
  card.append(life);

  if (e.outcome === 'pending') {
    const noteId = 'note-' + e.id;
    const note = h('textarea', {id: noteId, rows: 1, placeholder: 'What you checked, e.g. "different father\'s name on the ID"'});
    const buttons = [
      h('button', {type: 'button', class: 'danger', dataset: {outcome: 'confirmed'}}, 'Confirm match'),
      h('button', {type: 'button', class: 'ok', dataset: {outcome: 'false_positive'}}, 'False positive'),
    ];
    clear(resolveArea,
      h('h3', {}, 'Finding'),
      canClear ? null : h('p', {class: 'hint'}, 'The traveller gave no document number or no full date of birth: a false positive is recorded, but no clearance can be made.'),
      h('div', {class: 'actions'}, h('div', {style: 'flex:1;min-width:14rem'}, h('label', {for: noteId}, 'Note (kept with the finding)'), note), buttons));
    for (const b of buttons) {
      b.addEventListener('click', async () => {
        for (const x of buttons) x.disabled = true;
        try {
          const res = await api('POST', `/v1/encounters/${encodeURIComponent(e.id)}/resolve`, {outcome: b.dataset.outcome, note: note.value.trim() || undefined});
          card.dataset.outcome = res.encounter.outcome;
          const msg = res.clearance
            ? `False positive recorded. Clearance ${res.clearance.id} made: ${res.clearance.name || 'this traveller'} (document ${res.clearance.doc_number}, born ${res.clearance.dob}) will not be stopped again for ${res.clearance.listing} while the listing is unchanged.`
            : res.encounter.outcome === 'false_positive'
              ? 'False positive recorded; no clearance (no document number or full date of birth).'
              : `Recorded as ${res.encounter.outcome.replace('_', ' ')}.`;
          clear(resolveArea, h('p', {class: 'resolved', role: 'status', id: 'resolved-' + e.id}, msg));
          const next = lifecycle(res.encounter, me); // e.g. a false positive may now be shared
          life.replaceWith(next);
          life = next;
          toast(msg);
        } catch (err) {
          for (const x of buttons) x.disabled = false;
          resolveArea.append(errorBox(err));
        }
      });
    }
  }
  return card;
}

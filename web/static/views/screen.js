// Officer view: one traveller, from a pasted or scanned MRZ or typed in,
// and the decision in large, unmistakable form.
import {api} from '../api.js';
import {h, clear, errorBox, actionLabel, dl} from '../dom.js';
import {explainTable} from './explain.js';
import {isBlind, blindMatch} from './blind.js';

const DECISION_TEXT = {hit: 'HIT', review: 'REVIEW', clear: 'CLEAR'};
const DECISION_HELP = {
  hit: 'The traveller matches a listing. Follow the action below.',
  review: 'A possible match. Check the identity fields below against the document before deciding.',
  clear: 'No listing matches this traveller. Proceed normally.',
};

let seq = 0;
function ref() {
  return `console-${Date.now().toString(36)}-${++seq}`;
}

/** mrzComplete reports whether text holds a whole MRZ (TD1, TD2 or TD3). */
export function mrzComplete(text) {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  const width = {2: [44, 36], 3: [30]}[lines.length] || [];
  // Every line as long as the format's: a TD3 being typed passes 36
  // characters on its way to 44 and must not be sent as a TD2.
  return width.some((w) => lines.every((l) => l.length === w));
}

function travelContext(form) {
  const t = {};
  for (const k of ['direction', 'port', 'flight']) {
    const v = form.elements[k] && form.elements[k].value.trim();
    if (v) t[k] = v;
  }
  return Object.keys(t).length ? t : undefined;
}

function travelFields(prefix) {
  return h('details', {class: 'travel'},
    h('summary', {}, 'Travel context (optional)'),
    h('div', {class: 'grid3'},
      h('div', {}, h('label', {for: prefix + '-direction'}, 'Direction'),
        h('select', {id: prefix + '-direction', name: 'direction'},
          h('option', {value: ''}, '—'), h('option', {value: 'in'}, 'Arriving'),
          h('option', {value: 'out'}, 'Departing'), h('option', {value: 'transit'}, 'Transit'))),
      h('div', {}, h('label', {for: prefix + '-port'}, 'Port'), h('input', {id: prefix + '-port', name: 'port', autocomplete: 'off'})),
      h('div', {}, h('label', {for: prefix + '-flight'}, 'Flight'), h('input', {id: prefix + '-flight', name: 'flight', autocomplete: 'off'}))));
}

/** render draws the screening view into root. */
export async function render(root, ctx) {
  const out = h('div', {id: 'result', class: 'result', 'aria-live': 'assertive', 'aria-atomic': 'true'});
  const mrzForm = h('form', {id: 'mrz-form', class: 'card', 'aria-labelledby': 'mrz-h'},
    h('h2', {id: 'mrz-h'}, 'Machine-readable zone'),
    h('label', {for: 'mrz'}, 'MRZ — paste, or scan with the document reader'),
    h('textarea', {id: 'mrz', name: 'mrz', rows: 3, spellcheck: 'false', autocomplete: 'off', autocapitalize: 'characters',
      class: 'mono', 'aria-describedby': 'mrz-hint', placeholder: 'P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10'}),
    h('p', {id: 'mrz-hint', class: 'hint'}, 'A complete zone (2 lines of 44 or 36 characters, or 3 of 30) is screened as soon as the scanner finishes.'),
    travelFields('mrz'),
    h('button', {type: 'submit'}, 'Screen MRZ'));
  const typedForm = h('form', {id: 'typed-form', class: 'card', 'aria-labelledby': 'typed-h'},
    h('h2', {id: 'typed-h'}, 'Typed in'),
    h('div', {class: 'grid2'},
      h('div', {class: 'span2'}, h('label', {for: 't-name'}, 'Full name'), h('input', {id: 't-name', name: 'name', required: true, autocomplete: 'off'})),
      h('div', {}, h('label', {for: 't-dob'}, 'Date of birth'), h('input', {id: 't-dob', name: 'dob', placeholder: 'YYYY-MM-DD, YYYY-MM or YYYY',
        pattern: '\\d{4}(-\\d{2}(-\\d{2})?)?', autocomplete: 'off', 'aria-describedby': 't-dob-hint'}),
      h('span', {id: 't-dob-hint', class: 'hint'}, 'Full date, year-month or year')),
      h('div', {}, h('label', {for: 't-sex'}, 'Sex'), h('select', {id: 't-sex', name: 'sex'},
        h('option', {value: ''}, '—'), h('option', {value: 'F'}, 'F'), h('option', {value: 'M'}, 'M'), h('option', {value: 'X'}, 'X'))),
      h('div', {}, h('label', {for: 't-nat'}, 'Nationality'), h('input', {id: 't-nat', name: 'nationality', placeholder: 'AFG or AF', maxlength: 3, autocomplete: 'off'})),
      h('div', {}, h('label', {for: 't-doctype'}, 'Document type'), h('select', {id: 't-doctype', name: 'doctype'},
        h('option', {value: 'P'}, 'Passport'), h('option', {value: 'I'}, 'Identity card'), h('option', {value: 'V'}, 'Visa'))),
      h('div', {}, h('label', {for: 't-docnum'}, 'Document number'), h('input', {id: 't-docnum', name: 'docnum', autocomplete: 'off'})),
      h('div', {}, h('label', {for: 't-doccountry'}, 'Issuing country'), h('input', {id: 't-doccountry', name: 'doccountry', maxlength: 3, autocomplete: 'off'}))),
    travelFields('t'),
    h('button', {type: 'submit'}, 'Screen traveller'));

  clear(root,
    h('h1', {}, 'Screen a traveller'),
    // Wide screens: the two forms side by side, the decision below both.
    // A tablet: the MRZ form, then the decision, then the typed form.
    h('div', {class: 'screen-layout'}, mrzForm, out, typedForm));

  let busy = false;
  async function screen(body) {
    if (busy) return;
    busy = true;
    clear(out, h('p', {class: 'pending', role: 'status'}, 'Screening…'));
    out.setAttribute('aria-busy', 'true');
    try {
      const res = await api('POST', '/v1/screen', body);
      clear(out, renderResult(res, ctx));
      // On a tablet the forms fill the screen: bring the decision into view.
      out.scrollIntoView({block: 'start', behavior: matchMedia('(prefers-reduced-motion: reduce)').matches ? 'auto' : 'smooth'});
    } catch (e) {
      clear(out, errorBox(e));
    } finally {
      busy = false;
      out.removeAttribute('aria-busy');
    }
  }
  mrzForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const text = mrzForm.elements.mrz.value.trim().toUpperCase();
    if (!text) return;
    screen({ref: ref(), mrz: text, travel: travelContext(mrzForm)});
  });
  mrzForm.elements.mrz.addEventListener('input', () => {
    if (mrzComplete(mrzForm.elements.mrz.value)) mrzForm.requestSubmit();
  });
  typedForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const f = typedForm.elements;
    const body = {ref: ref(), name: f.name.value.trim()};
    if (f.dob.value.trim()) body.dob = f.dob.value.trim();
    if (f.sex.value) body.sex = f.sex.value;
    if (f.nationality.value.trim()) body.nationality = f.nationality.value.trim().toUpperCase();
    if (f.docnum.value.trim()) body.document = {type: f.doctype.value, number: f.docnum.value.trim().toUpperCase(), country: f.doccountry.value.trim().toUpperCase() || undefined};
    body.travel = travelContext(typedForm);
    screen(body);
  });
}

/** OUTCOMES an officer records at the booth, once the person is dealt with. */
const OUTCOMES = [['refused', 'Refused entry'], ['detained', 'Detained'], ['secondary', 'Sent to secondary'], ['admitted', 'Admitted']];

// outcomeBox lets the officer record what happened; an analyst decides
// confirmed or false positive from the queue.
function outcomeBox(ids) {
  const status = h('p', {role: 'status', class: 'muted', id: 'outcome-status'}, `Encounter recorded: ${ids.join(', ')}. Record what happened once done:`);
  const buttons = OUTCOMES.map(([o, label]) => h('button', {type: 'button', class: 'secondary', dataset: {outcome: o}}, label));
  for (const b of buttons) {
    b.addEventListener('click', async () => {
      for (const x of buttons) x.disabled = true;
      try {
        for (const id of ids) await api('POST', `/v1/encounters/${encodeURIComponent(id)}/resolve`, {outcome: b.dataset.outcome});
        status.textContent = `Recorded: ${b.textContent.toLowerCase()}.`;
        for (const x of buttons) x.hidden = true;
      } catch (e) {
        for (const x of buttons) x.disabled = false;
        status.textContent = 'Not recorded: ' + e.message;
      }
    });
  }
  return h('div', {class: 'card', id: 'outcome'}, h('h2', {}, 'Outcome'), status, h('div', {class: 'actions'}, buttons));
}

/**
 * renderResult draws one screening result: the decision and action as a
 * banner, then the instruction, contact point and the matches. Analysts
 * get links to the listings; officers get none (their views never load
 * listing details).
 */
export function renderResult(res, ctx) {
  const d = res.decision || 'clear';
  const top = (res.matches || []).find((m) => !m.suppressed && m.decision === d) || (res.matches || []).find((m) => !m.suppressed);
  const action = res.action || (top && top.action);
  const contact = top && top.contact;
  const banner = h('div', {class: `decision decision-${d}`, id: 'decision', dataset: {decision: d}},
    h('div', {class: 'decision-word'}, DECISION_TEXT[d] || d.toUpperCase()),
    d !== 'clear' && action ? h('div', {class: 'decision-action', id: 'decision-action', dataset: {action}}, actionLabel(action).toUpperCase()) : null,
    res.minor ? h('div', {class: 'badge minor'}, 'MINOR — under 18') : null);
  const cleared = d === 'clear' && (res.matches || []).some((m) => m.suppressed);
  const help = cleared ? 'An analyst found before that this traveller is not the listed person (a clearance). Proceed normally.' : DECISION_HELP[d];
  const parts = [banner, h('p', {class: 'decision-help'}, help || '')];
  if (d !== 'clear') {
    parts.push(h('div', {class: 'instruction card'},
      h('h2', {}, 'Instruction'),
      h('p', {id: 'instruction', class: 'big'}, res.instruction || (top && top.instruction) || 'Hold the traveller and call your duty supervisor.'),
      h('h2', {}, 'Contact point'),
      h('p', {id: 'contact'}, contact || 'The originator gave no contact point: call your duty supervisor.')));
  }
  if (res.notes && res.notes.length) {
    parts.push(h('div', {class: 'card notes'}, h('h2', {}, 'Notes'), h('ul', {}, res.notes.map((n) => h('li', {}, n)))));
  }
  if (res.mrz) {
    const m = res.mrz;
    parts.push(h('div', {class: 'card'}, h('h2', {}, 'Document as read'),
      dl([['Name', `${m.surname || ''}, ${m.given_names || ''}`], ['Born', m.dob], ['Sex', m.sex], ['Nationality', m.nationality],
        ['Document', `${m.document_code || ''} ${m.document_number || ''} (${m.issuer || ''})`], ['Expires', m.expiry],
        ['Check digits', m.valid ? 'all valid' : 'FAILED: ' + (m.errors || []).join('; ')]])));
  }
  const matches = res.matches || [];
  if (matches.length) {
    const analyst = ctx && ctx.me && (ctx.me.role === 'analyst' || ctx.me.role === 'supervisor');
    parts.push(h('div', {class: 'card'}, h('h2', {}, `Matches (${matches.length})`),
      matches.map((m) => isBlind(m) ? blindMatch(m) : h('article', {class: 'match'},
        h('h3', {}, m.name || m.listing, ' ',
          h('span', {class: `badge b-${m.suppressed ? 'cleared' : m.decision || d}`}, m.suppressed ? 'cleared (false positive before)' : (m.decision || '').toUpperCase()),
          ' ', h('span', {class: 'score'}, `score ${Number(m.score).toFixed(2)}`)),
        h('p', {class: 'muted'}, analyst ? h('a', {href: '#/listing/' + encodeURIComponent(m.listing)}, m.listing) : m.listing,
          m.action ? ` · ${actionLabel(m.action)}` : ''),
        m.explain && m.explain.length ? explainTable(m.explain) : null))));
  }
  if (res.encounters && res.encounters.length) {
    parts.push(outcomeBox(res.encounters));
  }
  return h('div', {}, parts);
}

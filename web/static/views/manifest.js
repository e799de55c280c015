// Officer view: a whole manifest (UN/EDIFACT PAXLST or JSON) screened,
// with a per-passenger result and a progress indicator.
import {api} from '../api.js';
import {h, clear, errorBox, actionLabel, travellerName} from '../dom.js';
import {isBlind, blindLabel} from './blind.js';

/** CHUNK is how many travellers of a JSON manifest go in one request, so progress is real. */
const CHUNK = 25;

/** isPAXLST reports whether text starts like a UN/EDIFACT interchange. */
export function isPAXLST(text) {
  return /^[\s\ufeff]*(UNA|UNB|UNH)/.test(text);
}

/**
 * paxlstNames reads the travellers' names from a PAXLST message, in
 * message order (the order of the server's results), so the officer sees
 * who each row is. It honours the UNA service string and the release
 * character. The server remains the judge of the message: a name list
 * that does not line up with the results is not shown.
 */
export function paxlstNames(text) {
  let t = text.replace(/^[\s\ufeff]+/, '');
  let [comp, elem, rel, term] = [':', '+', '?', "'"];
  if (t.startsWith('UNA')) {
    [comp, elem, rel, term] = [t[3], t[4], t[6], t[8]];
    t = t.slice(9);
  }
  const segments = [];
  let seg = [[['']]];
  for (let i = 0; i < t.length; i++) {
    const c = t[i];
    const el = seg[seg.length - 1];
    if (c === rel && i + 1 < t.length) el[el.length - 1] += t[++i];
    else if (c === comp) el.push('');
    else if (c === elem) seg.push(['']);
    else if (c === term) {
      segments.push(seg.map((e) => e.map((x) => x.trim())));
      seg = [['']];
    } else if (c !== '\n' && c !== '\r') el[el.length - 1] += c;
  }
  return segments
    .filter((s) => s[0][0].replace(/^[^A-Z]+/, '') === 'NAD' && ['FL', 'FM', 'DDT', 'DDU'].includes((s[1] || [''])[0]))
    .map((s) => {
      const [surname = '', ...given] = s[4] || [];
      return [given.filter(Boolean).join(' '), surname].filter(Boolean).join(' ');
    });
}

/** render draws the manifest view into root. */
export async function render(root, ctx) {
  const progress = h('progress', {id: 'manifest-progress', max: 100, 'aria-label': 'Screening progress', hidden: true});
  const status = h('p', {id: 'manifest-status', role: 'status', 'aria-live': 'polite'});
  const out = h('div', {id: 'manifest-result'});
  const form = h('form', {id: 'manifest-form', class: 'card'},
    h('label', {for: 'manifest-file'}, 'Manifest file (PAXLST, PNRGOV or JSON)'),
    h('input', {id: 'manifest-file', name: 'file', type: 'file', accept: '.edi,.txt,.paxlst,.json,application/json,text/plain'}),
    h('label', {for: 'manifest-text'}, 'or paste it here'),
    h('textarea', {id: 'manifest-text', name: 'text', rows: 8, class: 'mono', spellcheck: 'false',
      placeholder: 'UNA:+.? \'UNB+UNOA:4+…   or   {"flight": "TK1980", "travellers": [{"ref": "1", "name": "…"}]}'}),
    h('div', {class: 'grid3'},
      h('div', {}, h('label', {for: 'manifest-direction'}, 'Direction'),
        h('select', {id: 'manifest-direction', name: 'direction'}, h('option', {value: ''}, 'as in the manifest'),
          h('option', {value: 'in'}, 'Arriving'), h('option', {value: 'out'}, 'Departing'), h('option', {value: 'transit'}, 'Transit')))),
    h('button', {type: 'submit'}, 'Screen manifest'));
  clear(root, h('h1', {}, 'Screen a manifest'), form, h('div', {class: 'progress-row'}, progress, status), out);

  form.elements.file.addEventListener('change', async () => {
    const f = form.elements.file.files[0];
    if (f) form.elements.text.value = await f.text();
  });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const text = form.elements.text.value;
    if (!text.trim()) {
      clear(out, errorBox('Choose a file or paste a manifest first.'));
      return;
    }
    const direction = form.elements.direction.value;
    const path = '/v1/manifests' + (direction ? '?direction=' + encodeURIComponent(direction) : '');
    clear(out);
    progress.hidden = false;
    form.querySelector('button').disabled = true;
    try {
      let res;
      if (isPAXLST(text)) {
        progress.removeAttribute('value'); // indeterminate: one message, one request
        status.textContent = /UNH\+[^']*PNRGOV/.test(text) ? 'Screening every passenger of the PNRGOV push…' : 'Screening the PAXLST message…';
        res = await api('POST', path, text);
        const names = paxlstNames(text);
        if (names.length === res.results.length) res.names = names;
      } else {
        let m;
        try {
          m = JSON.parse(text);
        } catch (e) {
          throw new Error('Not a PAXLST message, and not JSON: ' + e.message);
        }
        if (Array.isArray(m)) m = {travellers: m};
        res = await screenJSON(path, m, (done, total) => {
          progress.max = total;
          progress.value = done;
          status.textContent = `Screened ${done} of ${total} travellers…`;
        });
        res.names = (m.travellers || []).map((t) => travellerName(t));
      }
      progress.max = 1;
      progress.value = 1;
      const s = res.summary || {};
      status.textContent = `Done: ${res.results.length} travellers — ${s.hit || 0} hit, ${s.review || 0} review, ${s.clear || 0} clear.`;
      clear(out, renderManifest(res));
    } catch (e) {
      progress.hidden = true;
      status.textContent = '';
      clear(out, errorBox(e));
    } finally {
      form.querySelector('button').disabled = false;
    }
  });
}

// screenJSON sends a JSON manifest in chunks, keeping the manifest's
// flight, port and date on each, and merges the answers in order.
async function screenJSON(path, m, onProgress) {
  const ts = m.travellers || [];
  const all = {summary: {}, results: [], warnings: []};
  onProgress(0, ts.length);
  let i = 0;
  do {
    const part = Object.assign({}, m, {travellers: ts.slice(i, i + CHUNK)});
    const res = await api('POST', path, part);
    all.results.push(...res.results);
    for (const [k, v] of Object.entries(res.summary || {})) all.summary[k] = (all.summary[k] || 0) + v;
    all.warnings.push(...(res.warnings || []));
    i += CHUNK;
    onProgress(Math.min(i, ts.length), ts.length);
  } while (i < ts.length);
  return all;
}

/** renderManifest draws a table with one row per traveller, hits first. */
export function renderManifest(res) {
  const order = {hit: 0, review: 1, clear: 2};
  const rows = res.results.map((r, i) => ({r, i})).sort((a, b) => (order[a.r.decision] - order[b.r.decision]) || a.i - b.i);
  return h('div', {},
    res.legs && res.legs.length ? h('p', {class: 'muted'}, 'Legs: ' + res.legs.map((l) => `${l.Flight || ''} ${l.DepartPort || '?'} → ${l.ArrivePort || '?'} ${(l.DepartTime || '').slice(0, 16).replace('T', ' ')}`.trim()).join('; ')) : null,
    res.pnr ? h('p', {id: 'pnr-summary'}, `PNR push: flight ${res.pnr.flight || '?'} from ${res.pnr.depart_port || '?'}` +
      (res.pnr.departure_country ? ` (${res.pnr.departure_country})` : '') + (res.pnr.departs ? `, departs ${res.pnr.departs.replace('T', ' ')}` : '') +
      `, ${res.pnr.bookings} bookings`, res.pnr.pre_departure ? [' ', h('span', {class: 'badge b-warn'}, 'before departure')] : '') : null,
        res.warnings && res.warnings.length ? h('details', {class: 'card'}, h('summary', {}, `${res.warnings.length} parser warnings`),
      h('ul', {}, res.warnings.map((w) => h('li', {}, w)))) : null,
    h('table', {class: 'grid', id: 'manifest-table'},
      h('caption', {}, 'Per-passenger results, hits first'),
      h('thead', {}, h('tr', {}, ['#', 'Ref', 'Traveller', 'Decision', 'Action', 'Matched listing', 'Score', 'Booking'].map((c) => h('th', {scope: 'col'}, c)))),
      h('tbody', {}, rows.map(({r, i}) => {
        const top = (r.matches || []).find((m) => !m.suppressed);
        return h('tr', {class: `row-${r.decision}`, dataset: {decision: r.decision}},
          h('td', {class: 'num'}, i + 1),
          h('td', {}, r.ref),
          h('td', {}, (res.names && res.names[i]) || ''),
          h('td', {}, h('span', {class: `badge b-${r.decision}`}, (r.decision || '').toUpperCase()), r.minor ? h('span', {class: 'badge minor'}, 'MINOR') : null,
            r.error ? h('span', {class: 'error'}, ' ' + r.error.message) : null),
          h('td', {}, r.decision !== 'clear' ? actionLabel(r.action || (top && top.action)) : ''),
          h('td', {}, top ? (isBlind(top) ? blindLabel(top) : `${top.name || top.listing}`) : ''),
          h('td', {class: 'num'}, top && !isBlind(top) ? Number(top.score).toFixed(2) : ''),
          h('td', {}, r.booking || '', r.co_travellers && r.co_travellers.length ? h('span', {class: 'muted'}, ' with ' + r.co_travellers.map((c) => c.name).join(', ')) : ''));
      }))));
}

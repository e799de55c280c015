// Listings browser: pages of listings in id order, a filter by source and
// status, a jump to a listing by id, and the upload of the agency's own
// list (POST /v1/imports).
import {api, q} from '../api.js';
import {h, clear, errorBox, fmtDate, actionLabel} from '../dom.js';

/** render draws one page of listings. */
export async function render(root, ctx) {
  const source = ctx.params.get('source') || '';
  const status = ctx.params.get('status') || '';
  const after = ctx.params.get('after') || '';
  const form = h('form', {class: 'toolbar', id: 'listings-filter'},
    h('div', {}, h('label', {for: 'ls-source'}, 'Source'), h('input', {id: 'ls-source', name: 'source', value: source, placeholder: 'e.g. un-sc'})),
    h('div', {}, h('label', {for: 'ls-status'}, 'Status'), h('select', {id: 'ls-status', name: 'status'},
      ['', 'active', 'withdrawn', 'expired'].map((s) => h('option', {value: s, selected: s === status}, s || 'any')))),
    h('button', {type: 'submit', class: 'secondary'}, 'Filter'));
  const jump = h('form', {class: 'toolbar', id: 'listing-jump'},
    h('div', {}, h('label', {for: 'ls-id'}, 'Open listing by id'), h('input', {id: 'ls-id', name: 'id', placeholder: 'un-sc:QDi.123', required: true})),
    h('button', {type: 'submit'}, 'Open'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    ctx.go('listings', '', {source: form.elements.source.value.trim(), status: form.elements.status.value});
  });
  jump.addEventListener('submit', (ev) => {
    ev.preventDefault();
    ctx.go('listing', jump.elements.id.value.trim());
  });
  const out = h('div', {class: 'table-wrap'}, h('p', {role: 'status'}, 'Loading…'));
  clear(root, h('h1', {}, 'Listings'), h('div', {class: 'split'}, form, jump), uploadForm(), out);
  try {
    const page = await api('GET', '/v1/listings' + q({source, status, after, limit: 100}));
    clear(out,
      h('table', {class: 'grid', id: 'listings-table'},
        h('caption', {}, after ? `Listings after ${after}` : 'Listings'),
        h('thead', {}, h('tr', {}, ['Id', 'Name', 'Born', 'Originator', 'Action', 'Status', 'Valid until'].map((c) => h('th', {scope: 'col'}, c)))),
        h('tbody', {}, page.listings.map((l) => h('tr', {},
          h('td', {}, h('a', {href: '#/listing/' + encodeURIComponent(l.id)}, l.id)),
          h('td', {}, ((l.names || []).find((n) => n.kind === 'primary') || (l.names || [])[0] || {}).full || ''),
          h('td', {}, (l.birth_dates || []).join(', ')),
          h('td', {}, (l.provenance || {}).originator || ''),
          h('td', {}, actionLabel(l.action)),
          h('td', {}, l.status),
          h('td', {}, fmtDate(l.valid_until)))))),
      page.next ? h('p', {}, h('a', {href: '#/listings?' + new URLSearchParams({source, status, after: page.next}), class: 'button'}, 'Next page →')) : null);
  } catch (e) {
    clear(out, errorBox(e));
  }
}

/**
 * uploadForm lets a writer replace the agency's whole list with a file in
 * the CSV template. Listings the file leaves out are withdrawn, so the
 * form asks for that to be confirmed; the server refuses all of a file
 * with one bad row, naming the line.
 */
function uploadForm() {
  const result = h('div', {id: 'upload-result', role: 'status'});
  const form = h('form', {class: 'toolbar', id: 'list-upload'},
    h('div', {}, h('label', {for: 'up-file'}, "Your agency's whole list (CSV template)"),
      h('input', {id: 'up-file', name: 'file', type: 'file', accept: '.csv,text/csv', required: true})),
    h('label', {class: 'check'}, h('input', {id: 'up-whole', name: 'whole', type: 'checkbox', required: true}),
      'It is the whole list: listings missing from it are withdrawn'),
    h('button', {type: 'submit'}, 'Upload list'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const file = form.elements.file.files[0];
    if (!file) return;
    clear(result, h('p', {}, 'Uploading…'));
    try {
      const s = await api('POST', '/v1/imports', file);
      clear(result, h('p', {class: 'ok'},
        `${s.source}: ${s.listings} listings: ${s.added} added, ${s.updated} updated, ${s.withdrawn} withdrawn, ${s.unchanged} unchanged.`));
    } catch (e) {
      clear(result, errorBox(e));
    }
  });
  return h('section', {'aria-labelledby': 'upload-title'}, h('h2', {id: 'upload-title'}, 'Upload a list'), form, result);
}

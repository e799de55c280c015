// Coverage dashboard: listings per contributing originator and source,
// their age and staleness, and what expires soon — gaps made visible.
import {api, q} from '../api.js';
import {h, clear, errorBox, fmtDate, humanDays, daysAgo} from '../dom.js';

function stat(n, label, id) {
  return h('div', {class: 'stat', id}, h('span', {class: 'n'}, n), label);
}

// staleDays renders a Go duration of whole hours ("8760h0m0s") as days.
function staleDays(d) {
  const m = /^(\d+)h/.exec(d || '');
  return m ? humanDays(Math.round(Number(m[1]) / 24)) : d;
}

/** render draws the dashboard. */
export async function render(root, ctx) {
  const within = ctx.params.get('within') || '720h';
  const form = h('form', {class: 'toolbar'},
    h('div', {}, h('label', {for: 'cov-within'}, 'Expiring within'), h('select', {id: 'cov-within', name: 'within'},
      [['168h', '7 days'], ['720h', '30 days'], ['2160h', '90 days'], ['8760h', '1 year']].map(([v, t]) => h('option', {value: v, selected: v === within}, t)))));
  form.elements.within.addEventListener('change', () => ctx.go('coverage', '', {within: form.elements.within.value}));
  const out = h('div', {}, h('p', {role: 'status'}, 'Counting…'));
  clear(root, h('h1', {}, 'Coverage'), form, out);
  let cov;
  try {
    cov = await api('GET', '/v1/coverage' + q({within}));
  } catch (e) {
    clear(out, errorBox(e));
    return;
  }
  const sum = (f) => cov.groups.reduce((s, g) => s + g[f], 0);
  const active = sum('active');
  const maxActive = Math.max(1, ...cov.groups.map((g) => g.active));
  clear(out,
    h('div', {class: 'stats'},
      stat(cov.total, 'listings you screen against', 'cov-total'),
      stat(cov.groups.length, 'originator/source pairs'),
      stat(sum('stale'), `stale (not confirmed for ${staleDays(cov.stale_after)})`, 'cov-stale'),
      stat(sum('expiring_soon'), 'expire soon', 'cov-expiring'),
      stat(sum('review_overdue'), 'overdue for review'),
      stat(sum('no_expiry'), 'with no expiry date')),
    h('div', {class: 'table-wrap'}, h('table', {class: 'grid', id: 'coverage-table'},
      h('caption', {}, `Per originator and source (${active} active)`),
      h('thead', {}, h('tr', {}, ['Originator', 'Country', 'Source', 'Active', 'Withdrawn / expired', 'Listed', 'Median age',
        'Last received', 'Last confirmed', 'Stale', 'Expiring', 'No expiry'].map((c) => h('th', {scope: 'col'}, c)))),
      h('tbody', {}, cov.groups.map((g) => h('tr', {dataset: {originator: g.originator, source: g.source}},
        h('th', {scope: 'row'}, g.originator), h('td', {}, g.country || '—'),
        h('td', {}, h('a', {href: '#/listings?' + new URLSearchParams({source: g.source})}, g.source)),
        h('td', {class: 'num'}, h('span', {class: 'bar', style: `width:${((g.active / maxActive) * 4).toFixed(2)}rem`, 'aria-hidden': 'true'}), ` ${g.active}`),
        h('td', {class: 'num'}, `${g.withdrawn} / ${g.expired}`),
        h('td', {}, g.listed_first ? [h('span', {class: 'nowrap'}, g.listed_first + ' –'), h('br'), h('span', {class: 'nowrap'}, g.listed_last)] : ''),
        h('td', {}, humanDays(g.median_age_days)),
        h('td', {}, g.last_received ? [h('span', {class: 'nowrap'}, fmtDate(g.last_received)), h('br'), `${humanDays(daysAgo(g.last_received))} ago`] : ''),
        h('td', {}, g.last_confirmed ? fmtDate(g.last_confirmed) : 'never'),
        h('td', {class: 'num'}, g.stale ? h('span', {class: 'badge b-warn'}, `${g.stale} (${Math.round((100 * g.stale) / Math.max(1, g.active))}%)`) : '0'),
        h('td', {class: 'num'}, g.expiring_soon), h('td', {class: 'num'}, g.no_expiry)))))),
    h('section', {class: 'card', 'aria-labelledby': 'cov-exp-h'}, h('h2', {id: 'cov-exp-h'}, `Expiring before ${fmtDate(cov.expiry_limit)}`),
      cov.expiring.length === 0 ? h('p', {class: 'muted'}, 'Nothing expires in this period.') :
        h('table', {class: 'grid', id: 'expiring-table'},
          h('thead', {}, h('tr', {}, ['Listing', 'Name', 'Originator', 'Valid until', 'Left'].map((c) => h('th', {scope: 'col'}, c)))),
          h('tbody', {}, cov.expiring.map((x) => h('tr', {},
            h('td', {}, h('a', {href: '#/listing/' + encodeURIComponent(x.id)}, x.id)), h('td', {}, x.name), h('td', {}, x.originator),
            h('td', {}, fmtDate(x.valid_until)), h('td', {}, humanDays(-daysAgo(x.valid_until)))))))));
}

// The report outbox: encounter reports and notices this node owes other
// nodes (a hit on a partner's listing to its originator, a pre-departure
// notice to the departure country's partner, a diffusion, its
// acknowledgement, a hit on a received diffusion to its sender), with
// their delivery state:
// pending, sent, acknowledged, overdue (past the acknowledgement deadline),
// expired (undelivered when what it carried reached its retention).
import {api, q} from '../api.js';
import {h, clear, errorBox, fmtTime} from '../dom.js';

const STATUSES = [['', 'All'], ['pending', 'Pending'], ['sent', 'Sent'], ['overdue', 'Overdue'], ['acknowledged', 'Acknowledged'], ['expired', 'Expired']];

function kindOf(r) {
  // What a bundle carries back (docs/federation.md): receipts, outcomes, shared clearances.
  if (r.id.startsWith('receipt:')) return 'receipt';
  if (/#outcome:/.test(r.id)) return 'outcome';
  if (/#clearance:/.test(r.id)) return 'shared clearance';
  if (/@[^#]*#ack$/.test(r.id)) return 'diffusion acknowledgement';
  if (/#ack$/.test(r.id)) return 'acknowledgement';
  if (/@.*#\d+$/.test(r.id)) return 'diffusion';
  if (/-dif-/.test(r.id)) return 'diffusion hit notice';
  return /-dep-/.test(r.id) ? 'departure notice' : 'encounter report';
}

function row(r) {
  return h('tr', {dataset: {report: r.id, status: r.status}},
    h('th', {scope: 'row', class: 'mono'}, r.id), h('td', {}, kindOf(r)), h('td', {}, r.to_origin), h('td', {}, r.next_hop),
    h('td', {}, h('span', {class: r.status === 'overdue' ? 'badge b-warn' : 'badge'}, r.status)),
    h('td', {class: 'num'}, r.attempts), h('td', {}, fmtTime(r.next_attempt)), h('td', {}, fmtTime(r.deadline)),
    h('td', {}, r.acked_at ? fmtTime(r.acked_at) : ''));
}

/** render draws the outbox, a page at a time (oldest deadline first). */
export async function render(root, ctx) {
  const status = ctx.params.get('status') || '';
  const pick = h('select', {id: 'outbox-status', name: 'status'}, STATUSES.map(([v, t]) => h('option', {value: v, selected: v === status}, t)));
  pick.addEventListener('change', () => ctx.go('outbox', '', {status: pick.value}));
  const out = h('div', {class: 'table-wrap', id: 'outbox'}, h('p', {role: 'status'}, 'Loading the outbox…'));
  clear(root, h('h1', {}, 'Report outbox'), h('form', {class: 'toolbar'}, h('div', {}, h('label', {for: 'outbox-status'}, 'Status'), pick)), out);
  let page;
  try {
    page = await api('GET', '/v1/reports' + q({status}));
  } catch (e) {
    clear(out, errorBox(e));
    return;
  }
  const rs = page.reports;
  let shown = rs.length;
  let overdue = rs.filter((r) => r.status === 'overdue').length;
  const summary = h('p', {id: 'outbox-summary'});
  const body = h('tbody', {}, rs.map(row));
  const more = h('button', {type: 'button', id: 'outbox-more'}, 'Show more');
  const sum = () => clear(summary, `${shown} reports${page.next ? ' shown' : ''}`,
    overdue ? [', ', h('span', {class: 'badge b-warn'}, `${overdue} overdue`)] : '');
  more.addEventListener('click', async () => {
    more.disabled = true;
    try {
      page = await api('GET', '/v1/reports' + q({status, after: page.next}));
    } catch (e) {
      more.replaceWith(errorBox(e));
      return;
    }
    body.append(...page.reports.map(row));
    shown += page.reports.length;
    overdue += page.reports.filter((r) => r.status === 'overdue').length;
    sum();
    more.disabled = false;
    if (!page.next) more.remove();
  });
  sum();
  if (rs.length === 0 && !page.next) {
    clear(out, summary, h('p', {class: 'muted', id: 'no-reports'}, 'Nothing waits to be delivered.'));
    return;
  }
  clear(out, summary,
    h('table', {class: 'grid', id: 'outbox-table'},
      h('thead', {}, h('tr', {}, ['Encounter', 'Kind', 'To', 'Next hop', 'Status', 'Attempts', 'Next attempt', 'Deadline', 'Acknowledged']
        .map((c) => h('th', {scope: 'col'}, c)))),
      body),
    page.next ? more : '');
}

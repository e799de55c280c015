// Analyst view: the k-hop network around a person, drawn with Cytoscape.js
// (vendored, MIT) and listed as a table for keyboard and screen-reader use.
// When this node has no network analysis (the endpoint answers 404), the
// view falls back to the identifiers of the listing itself, and says so.
import cytoscape from '../vendor/cytoscape.esm.min.js';
import {api, q} from '../api.js';
import {h, clear, errorBox, fmtDate} from '../dom.js';

/** KINDS gives each entity kind a colour and a shape: never colour alone. */
const KINDS = {
  listing: ['#a4000f', 'diamond'], person: ['#0b4f9c', 'round-rectangle'], traveller: ['#1f6f8b', 'ellipse'],
  phone: ['#6b21a8', 'triangle'], email: ['#8a4b00', 'vee'], address: ['#0b6b2e', 'hexagon'],
  document: ['#374151', 'rectangle'], booking: ['#9d174d', 'star'], flight: ['#1e3a8a', 'tag'],
};

/** fallbackGraph builds a subgraph from a listing's own identifiers. */
export function fallbackGraph(l) {
  const centre = 'listing:' + l.id;
  const primary = ((l.names || []).find((n) => n.kind === 'primary') || (l.names || [])[0] || {}).full || l.id;
  const nodes = [{id: centre, kind: 'listing', label: primary}];
  const edges = [];
  const add = (kind, key, type) => {
    if (!key) return;
    const id = `${kind}:${key}`;
    if (!nodes.some((n) => n.id === id)) nodes.push({id, kind, label: key, hops: 1});
    edges.push({from: centre, to: id, type, source: 'listing', listing: l.id});
  };
  for (const d of l.documents || []) add('document', [d.country, d.number].filter(Boolean).join(':'), 'has_document');
  for (const a of l.addresses || []) add('address', a, 'has_address');
  for (const p of l.phones || []) add('phone', p, 'has_phone');
  for (const e of l.emails || []) add('email', e, 'has_email');
  return {nodes, edges};
}

/** render draws the network form and, given ?entity=, its graph. */
export async function render(root, ctx) {
  const entity = ctx.params.get('entity') || '';
  const k = ctx.params.get('k') || '2';
  const form = h('form', {class: 'toolbar', id: 'network-form'},
    h('div', {style: 'flex:1'}, h('label', {for: 'net-entity'}, 'Entity (kind:key)'),
      h('input', {id: 'net-entity', name: 'entity', value: entity, required: true, placeholder: 'listing:un-sc:TAi.139, phone:+93700000000, booking:ABC123'})),
    h('div', {}, h('label', {for: 'net-k'}, 'Hops'), h('select', {id: 'net-k', name: 'k'}, ['1', '2', '3', '4'].map((x) => h('option', {value: x, selected: x === k}, x)))),
    h('button', {type: 'submit'}, 'Draw'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    ctx.go('network', '', {entity: form.elements.entity.value.trim(), k: form.elements.k.value});
  });
  const status = h('p', {id: 'network-status', role: 'status'});
  const graph = h('div', {id: 'graph', role: 'img', 'aria-label': 'Network graph; the same links are listed in the table below'});
  const side = h('div', {id: 'network-side'});
  const table = h('div', {class: 'table-wrap', id: 'network-links'});
  clear(root, h('h1', {}, 'Network'), form, status,
    h('ul', {class: 'legend', 'aria-label': 'Legend'}, Object.entries(KINDS).map(([kind, [colour, shape]]) =>
      h('li', {}, h('span', {class: 'dot', style: `background:${colour}`, 'aria-hidden': 'true'}), `${kind} (${shape})`))),
    graph, side, table);
  if (!entity) {
    status.textContent = 'Name an entity to draw its network, or open one from a listing page.';
    graph.hidden = true;
    return;
  }

  let sg;
  let partial = '';
  try {
    sg = await api('GET', '/v1/network/neighbourhood' + q({entity, k}));
  } catch (e) {
    if (e.status !== 404) {
      clear(status, errorBox(e));
      graph.hidden = true;
      return;
    }
    const noRoute = /no route|not enabled/i.test(e.message);
    if (entity.startsWith('listing:')) {
      try {
        sg = fallbackGraph(await api('GET', '/v1/listings/' + encodeURIComponent(entity.slice('listing:'.length))));
        partial = noRoute
          ? 'This node has no network analysis yet: showing only the identifiers the listing itself holds.'
          : 'Not in the link graph: showing only the identifiers the listing itself holds.';
      } catch (e2) {
        clear(status, errorBox(e2));
        graph.hidden = true;
        return;
      }
    } else {
      status.textContent = noRoute ? 'This node has no network analysis.' : `${entity} is not in the link graph.`;
      graph.hidden = true;
      return;
    }
  }
  sg.nodes = sg.nodes || [];
  sg.edges = sg.edges || [];
  graph.dataset.nodes = String(sg.nodes.length);
  graph.dataset.edges = String(sg.edges.length);
  graph.dataset.mode = partial ? 'fallback' : 'network';
  status.textContent = (partial ? partial + ' ' : '') + `${sg.nodes.length} entities, ${sg.edges.length} links` +
    (sg.truncated ? ' (cut short by the visit limit)' : '') + '.';
  if (!partial) {
    status.append(' ', h('a', {href: '/v1/network/export' + q({entity, k, format: 'json'}), download: 'network.json'}, 'Download as JSON'));
  }

  // Label a listing at the centre with the person's name, not only its id.
  const centre = sg.nodes.find((n) => n.id === entity && n.kind === 'listing' && n.label === entity.slice('listing:'.length));
  if (centre && !partial) {
    try {
      const l = await api('GET', '/v1/listings/' + encodeURIComponent(centre.label));
      const primary = (l.names || []).find((n) => n.kind === 'primary') || (l.names || [])[0];
      if (primary) centre.label = primary.full;
    } catch {
      // the id is label enough
    }
  }
  const ringIndex = {};
  const cy = cytoscape({
    container: graph,
    elements: [
      ...sg.nodes.map((n) => {
        const hops = n.hops || 0;
        const i = (ringIndex[hops] = (ringIndex[hops] || 0) + 1);
        const angle = (i * 2.4) + hops; // golden-angle spread within a ring
        return {data: {id: n.id, label: n.label || n.id, kind: n.kind, hops}, position: {x: 120 * hops * Math.cos(angle), y: 120 * hops * Math.sin(angle)}};
      }),
      ...sg.edges.map((e, i) => ({data: {id: 'e' + i, source: e.from, target: e.to, type: e.type}})),
    ],
    style: [
      {selector: 'node', style: {'label': 'data(label)', 'font-size': 11, 'text-valign': 'bottom', 'text-margin-y': 4, 'color': '#111418',
        'text-wrap': 'ellipsis', 'text-max-width': 140, 'width': 26, 'height': 26, 'border-width': 2, 'border-color': '#fff'}},
      ...Object.entries(KINDS).map(([kind, [colour, shape]]) => ({selector: `node[kind = "${kind}"]`, style: {'background-color': colour, 'shape': shape}})),
      {selector: 'node[hops = 0]', style: {'width': 40, 'height': 40, 'border-color': '#ffbf00', 'border-width': 4, 'font-weight': 'bold'}},
      {selector: 'edge', style: {'width': 2, 'line-color': '#8a93a0', 'curve-style': 'bezier', 'label': 'data(type)', 'font-size': 9,
        'color': '#4a5360', 'text-rotation': 'autorotate', 'text-background-color': '#fff', 'text-background-opacity': 0.8}},
      {selector: ':selected', style: {'border-color': '#ffbf00', 'border-width': 5, 'line-color': '#ffbf00'}},
    ],
    // Force-directed (cose, built in), seeded by hops so that the centre
    // starts in the middle and each ring further out; randomize: false
    // keeps the picture the same for the same graph.
    layout: {name: 'cose', animate: false, randomize: false, padding: 40, nodeRepulsion: () => 40000, idealEdgeLength: () => 120, nodeOverlap: 20, numIter: 2000},
    minZoom: 0.2,
    maxZoom: 1.6, // a small graph is not blown up to giant labels
    wheelSensitivity: 0.3,
  });
  cy.on('tap', 'node', (ev) => showNode(side, sg, ev.target.id(), ctx));
  cy.on('dbltap', 'node[kind = "listing"]', (ev) => ctx.go('listing', ev.target.id().slice('listing:'.length)));

  clear(table, h('table', {class: 'grid'},
    h('caption', {}, 'Links'),
    h('thead', {}, h('tr', {}, ['From', 'Link', 'To', 'Source', 'Listing', 'Seen'].map((c) => h('th', {scope: 'col'}, c)))),
    h('tbody', {}, sg.edges.map((e) => h('tr', {},
      h('td', {}, entityLink(e.from, ctx)), h('td', {}, e.type), h('td', {}, entityLink(e.to, ctx)),
      h('td', {}, e.source || ''), h('td', {}, e.listing ? h('a', {href: '#/listing/' + encodeURIComponent(e.listing)}, e.listing) : ''),
      h('td', {}, fmtDate(e.at)))))));
}

function entityLink(id, ctx) {
  return h('a', {href: '#/network?' + new URLSearchParams({entity: id, k: ctx.params.get('k') || '2'})}, id);
}

function showNode(side, sg, id, ctx) {
  const n = sg.nodes.find((x) => x.id === id) || {id};
  const links = sg.edges.filter((e) => e.from === id || e.to === id);
  clear(side, h('section', {class: 'card', 'aria-live': 'polite'},
    h('h2', {}, n.label || n.id),
    h('p', {class: 'muted'}, `${n.kind || ''} · ${n.hops || 0} hop${n.hops === 1 ? '' : 's'} from the centre · ${links.length} links`),
    n.kind === 'listing' ? h('p', {}, h('a', {href: '#/listing/' + encodeURIComponent(id.slice('listing:'.length))}, 'Open the listing')) : null,
    h('p', {}, entityLink(id, ctx), ' — centre the network here')));
}

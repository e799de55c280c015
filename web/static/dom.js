// Small DOM helpers. Text always goes in as text nodes, never as HTML, so
// nothing a listing or a traveller carries can become markup.

/**
 * h builds an element: h('p', {class: 'x', onclick: fn}, 'text', child).
 * Attributes starting with "on" become listeners; null/false are skipped.
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    // Through the CSSOM: the CSP allows no inline style attributes.
    else if (k === 'style') el.style.cssText = v;
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

/** clear empties an element and appends the given children. */
export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** toast announces a short message politely (screen readers read it). */
export function toast(msg) {
  const t = document.getElementById('toast');
  t.textContent = msg;
  t.classList.add('show');
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => t.classList.remove('show'), 4000);
}

/** errorBox renders an API error for the user. */
export function errorBox(err) {
  return h('p', {class: 'error', role: 'alert'}, err && err.message ? err.message : String(err));
}

/** dl renders label/value pairs as a description list, skipping empty values. */
export function dl(pairs, attrs) {
  const out = h('dl', Object.assign({class: 'facts'}, attrs || {}));
  for (const [k, v, field] of pairs) {
    if (v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0)) continue;
    out.append(h('dt', {}, k), h('dd', field ? {dataset: {field}} : {}, Array.isArray(v) ? v.join(', ') : v));
  }
  return out;
}

/** fmtDate shows an ISO time as YYYY-MM-DD (UTC). */
export function fmtDate(s) {
  return s ? String(s).slice(0, 10) : '';
}

/** fmtTime shows an ISO time as YYYY-MM-DD HH:MM UTC. */
export function fmtTime(s) {
  return s ? String(s).slice(0, 16).replace('T', ' ') + ' UTC' : '';
}

/** days between an ISO date and now (positive: in the past). */
export function daysAgo(s, now = Date.now()) {
  if (!s) return null;
  const t = Date.parse(s.length === 10 ? s + 'T00:00:00Z' : s);
  return Number.isNaN(t) ? null : Math.floor((now - t) / 86400000);
}

/** humanDays renders a day count as "3 days", "2 years". */
export function humanDays(d) {
  if (d === null || d === undefined) return '';
  const a = Math.abs(d);
  if (a < 60) return `${a} day${a === 1 ? '' : 's'}`;
  if (a < 730) return `${Math.round(a / 30.4)} months`;
  return `${(a / 365.25).toFixed(1)} years`;
}

/**
 * isMinor reports whether someone born on dob (YYYY-MM-DD, YYYY-MM or
 * YYYY) was under 18 at the time at (ISO; default now). A partial date
 * counts as a minor if any date it could be is under 18.
 */
export function isMinor(dob, at) {
  const m = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$/.exec(dob || '');
  if (!m) return false;
  // The latest date the partial date could be: the youngest the person
  // could be, so that a partial date never hides a minor (the server's rule).
  const born = m[3] ? Date.UTC(+m[1], +m[2] - 1, +m[3])
    : m[2] ? Date.UTC(+m[1], +m[2], 0)
    : Date.UTC(+m[1], 11, 31);
  const when = at ? Date.parse(at) : Date.now();
  const d = new Date(when);
  const eighteenth = Date.UTC(new Date(born).getUTCFullYear() + 18, new Date(born).getUTCMonth(), new Date(born).getUTCDate());
  return !Number.isNaN(when) && when < eighteenth && d.getTime() >= born;
}

/** ACTIONS are the officer-facing labels of listing actions. */
export const ACTIONS = {
  refuse_entry: 'Refuse entry',
  prevent_departure: 'Prevent departure',
  detain: 'Detain',
  secondary_check: 'Secondary check',
  report: 'Let pass — report discreetly',
  info: 'Information only',
};

/** actionLabel returns the label of an action code. */
export function actionLabel(a) {
  return ACTIONS[a] || a || '';
}

/** encounterName names an encounter's traveller, or says the identity was
 * erased past the encounter's retention. */
export function encounterName(e) {
  if (e.erased) return `Identity erased ${fmtDate(e.erased)} (retention)`;
  return travellerName(e.traveller) || (e.traveller && e.traveller.ref) || '';
}

/** travellerName returns a traveller's name however it was given. */
export function travellerName(t) {
  return (t && (t.name || [t.given_names, t.surname].filter(Boolean).join(' '))) || '';
}

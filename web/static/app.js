// The console shell: sign-in, the views a role may use, and hash routing
// (#/screen, #/queue, #/listing/<id>, #/network?entity=…).
import {api} from './api.js';
import {h, clear, toast} from './dom.js';
import {parseHash} from './route.js';

const screeners = ['officer', 'analyst', 'supervisor'];
const analysts = ['analyst', 'supervisor'];

/**
 * VIEWS are every view with the roles that may use it. A role only ever
 * sees links to its own views, and a view it may not use is never loaded,
 * so an officer's browser asks for nothing beyond screening results.
 */
export const VIEWS = [
  {id: 'screen', title: 'Screen', roles: screeners, module: './views/screen.js'},
  {id: 'manifest', title: 'Manifest', roles: screeners, module: './views/manifest.js'},
  {id: 'queue', title: 'Queue', roles: analysts, module: './views/queue.js'},
  {id: 'tips', title: 'Tips', roles: analysts, module: './views/tips.js'},
  {id: 'diffusions', title: 'Diffusions', roles: analysts, module: './views/diffusions.js'},
  {id: 'listings', title: 'Listings', roles: [...analysts, 'admin'], module: './views/listings.js'},
  {id: 'listing', title: 'Listing', roles: [...analysts, 'admin'], module: './views/listing.js', hidden: true},
  {id: 'network', title: 'Network', roles: analysts, module: './views/network.js'},
  {id: 'coverage', title: 'Coverage', roles: [...analysts, 'admin'], module: './views/coverage.js'},
  {id: 'partners', title: 'Partners', roles: [...analysts, 'admin'], module: './views/partners.js'},
  {id: 'outbox', title: 'Outbox', roles: analysts, module: './views/outbox.js'},
  {id: 'audit', title: 'Audit', roles: ['auditor'], module: './views/audit.js'},
];

let me = null;

function allowed(role) {
  return VIEWS.filter((v) => v.roles.includes(role));
}

/** go navigates to a view. */
export function go(view, arg, params) {
  let s = '#/' + view + (arg ? '/' + encodeURIComponent(arg) : '');
  if (params) {
    const p = new URLSearchParams(params).toString();
    if (p) s += '?' + p;
  }
  if (location.hash === s) route();
  else location.hash = s;
}

function showLogin(message) {
  me = null;
  document.body.dataset.role = '';
  document.getElementById('nav').hidden = true;
  document.getElementById('who').hidden = true;
  clear(document.getElementById('view'));
  document.getElementById('login').hidden = false;
  document.getElementById('login-error').textContent = message || '';
  document.getElementById('token').focus();
}

function showShell() {
  document.getElementById('login').hidden = true;
  document.body.dataset.role = me.role;
  const nav = document.getElementById('nav');
  clear(nav, h('ul', {}, allowed(me.role).filter((v) => !v.hidden).map((v) =>
    h('li', {}, h('a', {href: '#/' + v.id, id: 'nav-' + v.id, dataset: {view: v.id}}, v.title)))));
  nav.hidden = false;
  document.getElementById('who-text').textContent = `${me.user} · ${me.role} · ${me.agency}`;
  document.getElementById('who').hidden = false;
}

let routeSeq = 0;

async function route() {
  if (!me) return;
  const {view, arg, params} = parseHash(location.hash);
  const views = allowed(me.role);
  const v = views.find((x) => x.id === view);
  if (!v) {
    // Not a view of this role (or none named): its first view instead.
    // The hashchange this causes renders it.
    location.replace('#/' + views[0].id);
    return;
  }
  for (const a of document.querySelectorAll('#nav a')) {
    if (a.dataset.view === v.id) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  const seq = ++routeSeq;
  const root = clear(document.getElementById('view'));
  root.dataset.view = v.id;
  document.title = `${v.title} · Tripline console`;
  const mod = await import(v.module);
  if (seq !== routeSeq) return; // a later navigation won
  await mod.render(root, {me, arg, params, go});
  const heading = root.querySelector('h1');
  if (heading && document.activeElement === document.body) {
    heading.tabIndex = -1;
    heading.focus();
  }
}

async function boot() {
  document.getElementById('login-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const input = document.getElementById('token');
    try {
      me = await api('POST', '/v1/session', {token: input.value.trim()});
      input.value = '';
      showShell();
      if (!location.hash || location.hash === '#/') location.hash = '#/' + allowed(me.role)[0].id;
      else route();
    } catch (e) {
      showLogin(e.status === 401 ? 'That token is not valid, or it has been disabled.' : e.message);
    }
  });
  document.getElementById('logout').addEventListener('click', async () => {
    try {
      await api('DELETE', '/v1/session');
    } catch {
      // the session is gone either way
    }
    location.hash = '';
    showLogin();
    toast('Signed out.');
  });
  window.addEventListener('tripline:unauthorized', () => {
    if (me) showLogin('Your session has ended. Sign in again.');
  });
  window.addEventListener('hashchange', route);
  try {
    me = await api('GET', '/v1/me');
  } catch {
    showLogin();
    return;
  }
  showShell();
  route();
}

boot();

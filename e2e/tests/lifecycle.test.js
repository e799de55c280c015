// The encounter lifecycle at both ends (issue 15), in real headless
// Chromium against two demo nodes that federate: B's officer hits A's
// listing; A's analyst sees the report overdue and acknowledges it; B
// resolves it a false positive and B's analyst proposes sharing the
// clearance; A's analyst grants it and revokes it, and B sees each step.
import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {startDemo} from '../lib/server.js';
import {launch, signIn, a11y} from '../lib/browser.js';

let a;
let b;
let browser;

before(async () => {
  [a, b] = await Promise.all([
    // Reports are due within a second at both ends: the report shows
    // overdue at once. Each end keeps its own deadline (a reporter does
    // not set the originator's).
    startDemo({env: {TRIPLINE_NODE: 'A', TRIPLINE_AGENCY: 'agency-a', TRIPLINE_ESCALATE: 'refuse_entry=1s'}}),
    startDemo({env: {TRIPLINE_NODE: 'B', TRIPLINE_AGENCY: 'agency-b', TRIPLINE_ESCALATE: 'refuse_entry=1s'}}),
  ]);
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  for (const n of [a, b]) if (n) await n.stop();
});

async function call(node, token, method, path, body) {
  const res = await fetch(node.url + path, {method, headers: {Authorization: 'Bearer ' + token, 'Content-Type': 'application/json'},
    body: body === undefined ? undefined : JSON.stringify(body)});
  return {status: res.status, data: await res.json()};
}

async function must(node, token, method, path, body) {
  const {status, data} = await call(node, token, method, path, body);
  assert.equal(status, 200, `${method} ${path}: ${JSON.stringify(data)}`);
  return data;
}

async function until(what, fn, ms = 30000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const traveller = {ref: 'life-1', name: 'Wenceslas Abernethy-Quist', dob: '1972-08-09', document: {number: 'QX1234567', country: 'GBR'}};

test('lifecycle: acknowledgement, overdue and a shared clearance, at both ends', async () => {
  const infoA = await (await fetch(a.url + '/v1/node')).json();
  const infoB = await (await fetch(b.url + '/v1/node')).json();
  await must(a, a.tokens.admin, 'POST', '/v1/partners', {id: 'B', agency: 'agency-b', public_key: infoB.public_key, url: b.url});
  await must(b, b.tokens.admin, 'POST', '/v1/partners', {id: 'A', agency: 'agency-a', public_key: infoA.public_key, url: a.url});
  await must(a, a.tokens.analyst, 'POST', '/v1/listings', {id: 'agency-a:77', source: 'agency-a', names: [{full: traveller.name, kind: 'primary'}],
    birth_dates: [traveller.dob], action: 'refuse_entry', contact: 'agency-a duty desk',
    handling: {screen: ['agency-b'], action: ['agency-b'], reshare: 'never'}, provenance: {originator: 'agency-a'}});
  const hit = await until('A\'s listing screenable at B', async () => {
    const {data} = await call(b, b.tokens.officer, 'POST', '/v1/screen', traveller);
    return data.decision === 'hit' ? data : null;
  });
  const enc = hit.encounters[0];
  await until('B\'s report in A\'s queue', async () => (await call(a, a.tokens.analyst, 'GET', '/v1/encounters/' + enc)).status === 200);

  // A: the report is overdue; the analyst acknowledges it.
  const pa = await signIn(browser, a.url, a.tokens.analyst);
  await pa.locator('#nav-queue').click();
  const lifeA = pa.locator(`#life-${enc}`);
  await lifeA.waitFor();
  assert.match(await lifeA.innerText(), /not yet acknowledged/);
  // Overdue a second after B's hit: a page drawn before that shows it on reload.
  await until('the report overdue at A', async () => {
    if (await pa.locator(`#overdue-${enc}`).count()) return true;
    await pa.reload();
    await pa.locator(`#life-${enc}`).waitFor();
    return false;
  });
  await lifeA.getByRole('button', {name: 'Acknowledge'}).click();
  await pa.locator(`#life-${enc}[data-acknowledged="yes"]`).waitFor();
  await until('A\'s acknowledgement at B', async () => (await call(b, b.tokens.analyst, 'GET', '/v1/encounters/' + enc)).data.acknowledged);

  // B: a namesake after all; B's analyst proposes sharing the clearance.
  await must(b, b.tokens.officer, 'POST', `/v1/encounters/${enc}/resolve`, {outcome: 'false_positive', note: 'other person: checked at secondary'});
  const pb = await signIn(browser, b.url, b.tokens.analyst);
  await pb.locator('#nav-queue').click();
  await pb.getByLabel('Show').selectOption('');
  const lifeB = pb.locator(`#life-${enc}`);
  await lifeB.waitFor();
  assert.match(await lifeB.innerText(), /acknowledged/);
  await lifeB.getByRole('button', {name: 'Share clearance with partners'}).click();
  await pb.locator(`#life-${enc}[data-clearance="proposed"]`).waitFor();
  await until('B\'s proposal at A', async () => {
    const e = (await call(a, a.tokens.analyst, 'GET', '/v1/encounters/' + enc)).data;
    return e.clearance && e.clearance.status === 'proposed';
  });

  // A grants it: B screens the traveller clear; then A revokes it.
  await pa.reload();
  await pa.getByLabel('Show').selectOption('');
  await pa.locator(`#life-${enc}`).getByRole('button', {name: 'Grant clearance'}).click();
  await pa.locator(`#life-${enc}[data-clearance="granted"]`).waitFor();
  // (B clears the traveller already, by its own false positive; another
  // partner's screening of the shared clearance: TestFederationSharedClearance.)
  await until('the grant at B', async () => {
    const e = (await call(b, b.tokens.analyst, 'GET', '/v1/encounters/' + enc)).data;
    return e.clearance && e.clearance.status === 'granted';
  });
  assert.deepEqual(await a11y(pa), [], 'accessibility (axe, WCAG 2.1 AA)');
  await pa.locator(`#life-${enc}`).getByRole('button', {name: 'Revoke clearance'}).click();
  await pa.locator(`#life-${enc}[data-clearance="revoked"]`).waitFor();
  await until('the revocation at B', async () => {
    const e = (await call(b, b.tokens.analyst, 'GET', '/v1/encounters/' + enc)).data;
    return e.clearance && e.clearance.status === 'revoked';
  });
  await pb.reload();
  await pb.getByLabel('Show').selectOption('');
  await until('B sees the revocation', async () => (await pb.locator(`#life-${enc}`).innerText()).includes('revoked'), 20000);
  assert.deepEqual(pa.problems, []);
  assert.deepEqual(pb.problems, []);
  await pa.context().close();
  await pb.context().close();
});

// The federation console view (issue 15): partner nodes with their health,
// and consent requests, in real headless Chromium against a demo node.
import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {generateKeyPairSync} from 'node:crypto';
import {startDemo} from '../lib/server.js';
import {launch, signIn, a11y} from '../lib/browser.js';

let node;
let browser;

before(async () => {
  node = await startDemo();
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  if (node) await node.stop();
});

async function call(token, method, path, body) {
  const res = await fetch(node.url + path, {method, headers: {Authorization: 'Bearer ' + token, 'Content-Type': 'application/json'},
    body: body === undefined ? undefined : JSON.stringify(body)});
  const data = await res.json();
  assert.equal(res.status, 200, `${method} ${path}: ${JSON.stringify(data)}`);
  return data;
}

// An Ed25519 public key as partners are configured: base64 of its 32 bytes.
function partnerKey() {
  const der = generateKeyPairSync('ed25519').publicKey.export({format: 'der', type: 'spki'});
  return der.subarray(der.length - 32).toString('base64');
}

test('partners: each partner with its state and health; consent requests with their status', async () => {
  await call(node.tokens.admin, 'POST', '/v1/partners', {id: 'B', agency: 'de-bka', public_key: partnerKey(), url: 'http://127.0.0.1:9'});
  await call(node.tokens.admin, 'POST', '/v1/partners', {id: 'C', agency: 'fr-dgsi', public_key: partnerKey()});
  await call(node.tokens.admin, 'POST', '/v1/partners/C/suspend');
  await call(node.tokens.analyst, 'POST', '/v1/consents', {listing: 'un-sc:TAi.139', recipient: 'fr-dgsi', reason: 'joint operation'});

  const page = await signIn(browser, node.url, node.tokens.analyst);
  await page.locator('#nav-partners').click();
  const b = page.locator('#partners-table tr[data-partner="B"]');
  await b.waitFor();
  assert.match(await b.innerText(), /de-bka/);
  assert.match(await page.locator('#partners-table thead').innerText(), /Audit witnessed/i);
  const c = page.locator('#partners-table tr[data-partner="C"]');
  assert.match(await c.innerText(), /suspended/);
  assert.match(await c.innerText(), /by key, through a relay/);
  // B's address answers nothing: its pulls fail, and the view says so.
  await page.waitForFunction(async () => {
    const res = await fetch('/v1/partners', {credentials: 'same-origin'});
    const b = (await res.json()).partners.find((p) => p.id === 'B');
    return b.health && b.health.errors > 0;
  }, null, {timeout: 30000});
  await page.reload();
  await page.locator('#partners-table tr[data-partner="B"]').waitFor();
  assert.match(await page.locator('#partners-table tr[data-partner="B"]').innerText(), /failing/);
  const req = page.locator('#consents-table tr[data-status="pending"]');
  await req.waitFor();
  assert.match(await req.innerText(), /un-sc:TAi\.139/);
  assert.equal(await req.getByRole('button').count(), 0, 'the requester does not decide: the originator does, at its node');
  assert.deepEqual(await a11y(page), [], 'accessibility (axe, WCAG 2.1 AA)');
  await page.context().close();
});

// The console end to end, in real headless Chromium against a demo node
// holding the UN Security Council list.
import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {mkdirSync} from 'node:fs';
import {join} from 'node:path';
import {startDemo, repoRoot} from '../lib/server.js';
import {launch, signIn} from '../lib/browser.js';
import {td3} from '../lib/mrz.js';

const shots = join(repoRoot, 'docs', 'screenshots');

// A traveller presenting as UN-listed TAi.139 (ABDUL GHAFAR SHINWARI, born
// 1965-03-29), on a passport the listing does not name: a hit on name and
// date of birth. The document number and full date make a false-positive
// finding possible (clearances are keyed on both).
const shinwari = td3({issuer: 'AFG', surname: 'SHINWARI', given: 'ABDUL GHAFAR', number: 'P12345678',
  nationality: 'AFG', dob: '650329', sex: 'M', expiry: '301231'});

// Text only the details level of TAi.139 carries (narrative, reason, legal
// basis): an officer's page must never hold any of it.
const DETAIL_SENTINELS = ['Safi tribe', 'Third Secretary', 'Taliban', 'UN Security Council sanctions', 'legal_basis', 'narrative', 'source_ref'];
const DETAIL_FIELDS = ['reason', 'narrative', 'source_ref', 'legal_basis', 'addresses', 'phones', 'emails'];

let node;
let browser;

before(async () => {
  mkdirSync(shots, {recursive: true});
  node = await startDemo();
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  if (node) await node.stop();
});

async function screenMRZ(page, mrz) {
  await page.locator('#nav-screen').click();
  await page.getByLabel(/MRZ/).fill(mrz); // a complete zone is screened at once, as from a scanner
  await page.locator('#decision').waitFor();
  return page.locator('#decision').getAttribute('data-decision');
}

test('officer: screening a listed person by MRZ shows HIT and the action', async () => {
  const page = await signIn(browser, node.url, node.tokens.officer);
  const nav = await page.locator('#nav a').allTextContents();
  assert.deepEqual(nav, ['Screen', 'Manifest'], 'an officer sees only the screening views');
  assert.equal(await screenMRZ(page, shinwari), 'hit');
  assert.match(await page.locator('#decision').innerText(), /HIT/);
  assert.equal(await page.locator('#decision-action').innerText(), 'REFUSE ENTRY');
  assert.match(await page.locator('#instruction').innerText(), /Refuse entry/);
  assert.equal(await page.locator('#result').getAttribute('aria-live'), 'assertive');
  await page.screenshot({path: join(shots, 'officer-screen.png'), fullPage: true});

  // No detail of the listing anywhere in the DOM, not even hidden.
  const html = await page.content();
  for (const s of DETAIL_SENTINELS) assert.ok(!html.includes(s), `officer's page holds detail text ${JSON.stringify(s)}`);
  for (const f of DETAIL_FIELDS) assert.equal(await page.locator(`[data-field="${f}"]`).count(), 0, `officer's page has a ${f} field`);
  // A listing page is not an officer's view: asking for it lands on screening, and no listing is fetched.
  await page.goto(node.url + '/#/listing/' + encodeURIComponent('un-sc:TAi.139'));
  await page.locator('#mrz').waitFor();
  const after = await page.content();
  for (const s of DETAIL_SENTINELS) assert.ok(!after.includes(s), `officer's page holds detail text ${JSON.stringify(s)}`);
  assert.deepEqual(page.requests.filter((r) => r.includes('/v1/listings')), [], 'the officer view requested listing details');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

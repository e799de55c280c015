// The console end to end, in real headless Chromium against a demo node
// holding the UN Security Council list.
import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {startDemo, repoRoot} from '../lib/server.js';
import {launch, signIn, a11y} from '../lib/browser.js';
import {td3} from '../lib/mrz.js';

// Screenshots go to docs/screenshots (referenced from the README) unless
// SCREENSHOT_DIR says otherwise: CI writes them aside, so that a test run
// leaves the checkout as it was.
const shots = process.env.SCREENSHOT_DIR || join(repoRoot, 'docs', 'screenshots');

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
  assert.deepEqual(await a11y(page), [], 'accessibility (axe, WCAG 2.1 AA)');

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

test('officer: a JSON manifest is screened passenger by passenger with progress', async () => {
  const page = await signIn(browser, node.url, node.tokens.officer);
  await page.locator('#nav-manifest').click();
  const manifest = {flight: 'TK1980', port: 'IST', direction: 'in', travellers: [
    {ref: 'p1', name: 'Mohammed Taher Anwari', dob: '1961'},
    {ref: 'p2', name: 'Anna Maria Eriksson', dob: '1974-08-12', nationality: 'SE'},
    {ref: 'p3', name: 'Abdul Baqi Basir Awal Shah', dob: '1960'},
  ]};
  await page.getByLabel('or paste it here').fill(JSON.stringify(manifest, null, 1));
  await page.getByRole('button', {name: 'Screen manifest'}).click();
  await page.locator('#manifest-table').waitFor();
  assert.match(await page.locator('#manifest-status').innerText(), /Done: 3 travellers — 2 hit, 0 review, 1 clear/);
  const progress = page.locator('#manifest-progress');
  assert.equal(await progress.evaluate((p) => p.value === p.max && p.max > 0), true, 'progress ends full');
  assert.equal(await page.locator('#manifest-table tbody tr').count(), 3);
  assert.deepEqual(await page.locator('#manifest-table tbody tr').evaluateAll((rs) => rs.map((r) => r.dataset.decision)), ['hit', 'hit', 'clear'], 'hits first');
  await page.screenshot({path: join(shots, 'officer-manifest.png'), fullPage: true});
  assert.deepEqual(await a11y(page), [], 'accessibility (axe, WCAG 2.1 AA)');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('analyst: open the hit, mark it a false positive, and the next screening is clear', async () => {
  const page = await signIn(browser, node.url, node.tokens.analyst);
  const nav = await page.locator('#nav a').allTextContents();
  assert.deepEqual(nav, ['Screen', 'Manifest', 'Queue', 'Tips', 'Diffusions', 'Listings', 'Network', 'Coverage', 'Partners', 'Outbox']);
  await page.locator('#nav-queue').click();
  const card = page.locator('article.encounter', {hasText: 'P12345678'});
  await card.waitFor();
  assert.equal(await card.getAttribute('data-outcome'), 'pending');
  // The explanation: which name, which date, which document, and how much each counted.
  const rows = await card.locator('table.explain tbody tr').evaluateAll((rs) => rs.map((r) => r.dataset.feature));
  assert.ok(rows.includes('name') && rows.includes('dob') && rows.includes('document'), `explanation rows ${rows}`);
  assert.match(await card.locator('tr[data-feature="dob"]').innerText(), /1965-03-29/);
  assert.match(await card.locator('tr[data-feature="document"]').innerText(), /D000763/);
  await page.screenshot({path: join(shots, 'analyst-queue.png'), fullPage: true});
  assert.deepEqual(await a11y(page), [], 'accessibility (axe, WCAG 2.1 AA)');

  await card.getByLabel('Note (kept with the finding)').fill('Different person: father\'s name and birthplace differ.');
  await card.getByRole('button', {name: 'False positive'}).click();
  const done = card.locator('.resolved');
  await done.waitFor();
  assert.match(await done.innerText(), /Clearance clr-\S+ made/);
  assert.equal(await card.getAttribute('data-outcome'), 'false_positive');
  assert.deepEqual(page.problems, []);
  await page.context().close();

  // The officer screens the same traveller (same passport, same birth date) again.
  const officer = await signIn(browser, node.url, node.tokens.officer);
  assert.equal(await screenMRZ(officer, shinwari), 'clear');
  assert.match(await officer.locator('#decision').innerText(), /CLEAR/);
  assert.equal(await officer.locator('#decision-action').count(), 0, 'no action on a clear');
  assert.match(await officer.locator('#result').innerText(), /cleared \(false positive before\)/);
  await officer.screenshot({path: join(shots, 'officer-cleared.png'), fullPage: true});
  assert.deepEqual(await a11y(officer), [], 'accessibility (axe, WCAG 2.1 AA)');
  assert.deepEqual(officer.problems, []);
  await officer.context().close();
});

test('analyst: listing page shows provenance, handling rules, age and expiry', async () => {
  const page = await signIn(browser, node.url, node.tokens.analyst);
  await page.goto(node.url + '/#/listing/' + encodeURIComponent('un-sc:TAi.139'));
  await page.locator('#provenance').waitFor();
  assert.equal(await page.locator('#view h1').innerText(), 'ABDUL GHAFAR SHINWARI');
  const prov = await page.locator('#provenance').innerText();
  assert.match(prov, /un-sc/);
  assert.match(prov, /UN Security Council sanctions/);
  assert.match(prov, /Listed on\s+2001-01-25 \(\d+\.\d years ago\)/);
  assert.match(prov, /never re-confirmed/);
  assert.match(prov, /Valid until\s+no expiry set/);
  assert.match(await page.locator('#handling').innerText(), /See the details\s+every partner/);
  // The analyst is granted the details the officer must never see.
  assert.match(await page.locator('[data-field="narrative"]').innerText(), /Safi tribe/);
  assert.equal(await page.locator('[data-field="reason"]').innerText(), 'Taliban');
  await page.locator('#listing-encounters table').waitFor();
  await page.screenshot({path: join(shots, 'analyst-listing.png'), fullPage: true});
  assert.deepEqual(await a11y(page), [], 'accessibility (axe, WCAG 2.1 AA)');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('analyst: the network view draws the graph around a person', async () => {
  const page = await signIn(browser, node.url, node.tokens.analyst);
  // An analyst's links around the listed person: a phone he shares with a
  // traveller, that traveller's booking, and a second traveller on it. A
  // node without network analysis refuses them; the view then falls back.
  const e = (kind, key) => ({kind, key});
  const added = await page.request.post(node.url + '/v1/network/links', {data: {links: [
    {from: e('listing', 'un-sc:TAi.139'), to: e('phone', '+93700111222'), type: 'has_phone', listing: 'un-sc:TAi.139'},
    {from: e('traveller', 'MP501-7'), to: e('phone', '+93700111222'), type: 'has_phone'},
    {from: e('traveller', 'MP501-7'), to: e('booking', 'QX7P2L'), type: 'booked'},
    {from: e('traveller', 'MP501-9'), to: e('booking', 'QX7P2L'), type: 'booked'},
  ]}});
  await page.goto(node.url + '/#/listing/' + encodeURIComponent('un-sc:TAi.139'));
  await page.locator('#to-network').click();
  await page.locator('#graph[data-nodes]').waitFor();
  await page.getByLabel('Hops').selectOption('4');
  await page.getByRole('button', {name: 'Draw'}).click();
  await page.waitForFunction(() => new URLSearchParams(location.hash.split('?')[1]).get('k') === '4');
  const graph = page.locator('#graph[data-nodes]');
  await graph.waitFor();
  const nodes = Number(await graph.getAttribute('data-nodes'));
  const mode = await graph.getAttribute('data-mode');
  assert.ok(nodes >= 2, `graph has ${nodes} nodes (mode ${mode})`);
  if (added.ok()) {
    assert.equal(mode, 'network');
    assert.ok(nodes >= 6, `4 hops reach the second traveller: ${nodes} nodes`);
    assert.match(await page.locator('#network-links').innerText(), /traveller:MP501-9/);
  }
  assert.ok(await page.locator('#graph canvas').count() > 0, 'cytoscape drew on a canvas');
  assert.ok(await page.locator('#network-links tbody tr').count() >= 1, 'links listed as a table too');
  assert.match(await page.locator('#network-links').innerText(), /listing:un-sc:TAi\.139/);
  await page.waitForTimeout(300); // let the canvas paint before the picture
  await page.screenshot({path: join(shots, 'analyst-network.png'), fullPage: true});
  assert.deepEqual(await a11y(page), [], 'accessibility (axe, WCAG 2.1 AA)');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('analyst: coverage dashboard counts listings per originator and source', async () => {
  const page = await signIn(browser, node.url, node.tokens.analyst);
  await page.locator('#nav-coverage').click();
  await page.locator('#coverage-table').waitFor();
  const total = Number((await page.locator('#cov-total .n').innerText()).trim());
  assert.ok(total > 600, `total ${total}`);
  const row = page.locator('#coverage-table tr[data-originator="un-sc"]');
  assert.equal(await row.count(), 1);
  assert.match(await row.innerText(), /un-sc/);
  await page.screenshot({path: join(shots, 'analyst-coverage.png'), fullPage: true});
  assert.deepEqual(await a11y(page), [], 'accessibility (axe, WCAG 2.1 AA)');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('auditor: who saw what, and the audit chain verifies', async () => {
  const page = await signIn(browser, node.url, node.tokens.auditor);
  assert.deepEqual(await page.locator('#nav a').allTextContents(), ['Audit']);
  await page.locator('#audit-verify .verify[data-ok="true"]').waitFor();
  assert.match(await page.locator('#audit-verify').innerText(), /verified: \d+ entries/);
  await page.getByLabel(/^Subject/).fill('un-sc:TAi.139');
  await page.getByRole('button', {name: 'Search'}).click();
  await page.locator('#audit-table tbody tr').first().waitFor();
  const text = await page.locator('#audit-table').innerText();
  assert.match(text, /demo-analyst\s+analyst\s+local\s+listing\.read\s+un-sc:TAi\.139/);
  await page.locator('#audit-verify .verify[data-ok="true"]').waitFor();
  await page.screenshot({path: join(shots, 'auditor-audit.png'), fullPage: true});
  assert.deepEqual(await a11y(page), [], 'accessibility (axe, WCAG 2.1 AA)');
  assert.deepEqual(page.problems, []);
  // Signing out ends the session on the server too: a reload asks for a token.
  await page.getByRole('button', {name: 'Log out'}).click();
  await page.locator('#login').waitFor();
  await page.reload();
  await page.locator('#login').waitFor();
  assert.equal(await page.locator('#nav').isHidden(), true);
  await page.context().close();
});

test('officer on a tablet: one column, nothing wider than the screen, keyboard reaches the MRZ', async () => {
  const page = await signIn(browser, node.url, node.tokens.officer, {width: 820, height: 1180});
  await page.locator('#mrz').waitFor();
  await page.keyboard.press('Tab'); // from the focused heading into the form
  let focused = '';
  for (let i = 0; i < 10 && focused !== 'mrz'; i++) {
    focused = await page.evaluate(() => document.activeElement && document.activeElement.id);
    if (focused !== 'mrz') await page.keyboard.press('Tab');
  }
  assert.equal(focused, 'mrz', 'Tab reaches the MRZ field');
  await page.keyboard.type(shinwari);
  const typed = await page.locator('#mrz').inputValue();
  assert.equal(typed, shinwari, 'typed MRZ');
  await page.locator('#decision').waitFor({timeout: 10000});
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), true, 'no horizontal scrolling');
  // The decision is brought into view on a tablet, not left below the forms.
  await page.waitForFunction(() => {
    const r = document.getElementById('decision').getBoundingClientRect();
    return r.top >= 0 && r.bottom <= window.innerHeight;
  });
  await page.screenshot({path: join(shots, 'officer-tablet.png'), fullPage: false});
  assert.deepEqual(await a11y(page), [], 'accessibility (axe, WCAG 2.1 AA)');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('sign-in page: labelled, accessible, and a wrong token is refused with a message', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(node.url + '/');
  await page.getByLabel('User token').fill('tl_not-a-token');
  await page.keyboard.press('Enter');
  await page.locator('#login-error:has-text("not valid")').waitFor();
  assert.deepEqual(await a11y(page), [], 'accessibility (axe, WCAG 2.1 AA)');
  assert.equal(await page.locator('#nav').isHidden(), true);
  await context.close();
});

test('officer: a PAXLST file is uploaded and screened; the outcome is recorded at the booth', async () => {
  const page = await signIn(browser, node.url, node.tokens.officer);
  await page.locator('#nav-manifest').click();
  const pax = ["UNA:+.? '", "UNB+UNOA:4+MPAIR+TRIPLINE+260401:0700+MP0002'", "UNH+MP2+PAXLST:D:05B:UN:IATA+MP501AMS0104+01:F'",
    "BGM+745'", "NAD+MS+++OPS DESK'", "TDT+20+MP501+++MP'", "LOC+125+KBL'", "DTM+189:2604010900:201'", "LOC+87+IST'", "DTM+232:2604011130:201'",
    "NAD+FL+++SHINWARI:ABDUL GHAFAR'", "ATT+2++M'", "DTM+329:650329'", "NAT+2+AFG'", "DOC+P:110:111+P77777777'", "DTM+36:310101'", "LOC+91+AFG'",
    "NAD+FL+++JANSEN:LOTTE:MARIA'", "ATT+2++F'", "DTM+329:010203'", "NAT+2+NLD'", "DOC+P:110:111+NY7654321'", "DTM+36:300505'", "LOC+91+NLD'",
    "CNT+42:2'", "UNT+24+MP2'", "UNZ+1+MP0002'"].join('\n');
  const file = join(mkdtempSync(join(tmpdir(), 'tripline-e2e-pax-')), 'MP501.edi');
  writeFileSync(file, pax);
  await page.getByLabel('Manifest file (PAXLST, PNRGOV or JSON)').setInputFiles(file);
  await page.waitForFunction(() => document.getElementById('manifest-text').value.startsWith('UNA'));
  await page.getByRole('button', {name: 'Screen manifest'}).click();
  await page.locator('#manifest-table').waitFor();
  assert.match(await page.locator('#manifest-status').innerText(), /Done: 2 travellers — 1 hit, 0 review, 1 clear/);
  assert.match(await page.locator('#manifest-result').innerText(), /MP501 KBL → IST/);
  assert.equal(await page.locator('#manifest-table tbody tr').first().getAttribute('data-decision'), 'hit');
  assert.match(await page.locator('#manifest-table tbody tr').first().innerText(), /ABDUL GHAFAR SHINWARI/);

  // At the booth: screen the same passenger by hand and record the refusal.
  await page.locator('#nav-screen').click();
  await page.getByLabel('Full name').fill('Abdul Ghafar Shinwari');
  await page.getByLabel('Date of birth').fill('1965-03-29');
  await page.getByLabel('Nationality').fill('AFG');
  await page.getByLabel('Document number').fill('P77777777');
  await page.getByLabel('Issuing country').fill('AFG');
  await page.getByRole('button', {name: 'Screen traveller'}).click();
  await page.locator('#decision[data-decision="hit"]').waitFor();
  await page.getByRole('button', {name: 'Refused entry'}).click();
  await page.locator('#outcome-status:has-text("Recorded: refused entry")').waitFor();
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('analyst: the network view falls back to the listing when the node has no network analysis', async () => {
  const page = await signIn(browser, node.url, node.tokens.analyst);
  await page.route('**/v1/network/neighbourhood**', (route) => route.fulfill({status: 404, contentType: 'application/json',
    body: JSON.stringify({error: {code: 'not_found', message: 'network analysis is not enabled on this node'}})}));
  await page.goto(node.url + '/#/network?entity=' + encodeURIComponent('listing:un-sc:TAi.139'));
  const graph = page.locator('#graph[data-nodes]');
  await graph.waitFor();
  assert.equal(await graph.getAttribute('data-mode'), 'fallback');
  assert.ok(Number(await graph.getAttribute('data-nodes')) >= 2);
  assert.match(await page.locator('#network-status').innerText(), /no network analysis yet/);
  assert.ok(await page.locator('#graph canvas').count() > 0);
  await page.context().close();
});

test('admin: listings, coverage and partners only; a listing without details, as the policy layer trims it', async () => {
  const page = await signIn(browser, node.url, node.tokens.admin);
  assert.deepEqual(await page.locator('#nav a').allTextContents(), ['Listings', 'Coverage', 'Partners']);
  await page.locator('#listings-table').waitFor();
  assert.equal(await page.locator('#listings-table tbody tr').count(), 100, 'one page of 100');
  await page.getByLabel('Open listing by id').fill('un-sc:TAi.139');
  await page.getByRole('button', {name: 'Open'}).click();
  await page.locator('#provenance').waitFor();
  assert.match(await page.locator('#view').innerText(), /No details are disclosed to you/);
  const html = await page.content();
  for (const s of ['Safi tribe', 'Third Secretary']) assert.ok(!html.includes(s), `admin's page holds detail text ${JSON.stringify(s)}`);
  await page.waitForFunction(() => !document.getElementById('listing-encounters'));
  assert.deepEqual(await a11y(page), [], 'accessibility (axe, WCAG 2.1 AA)');
  assert.deepEqual(page.problems, []);
  assert.deepEqual(page.requests.filter((r) => r.includes('/v1/encounters')), [], 'an admin asks for no encounters');
  await page.context().close();
});

test('analyst: uploads the agency list as a CSV file; a bad row refuses the whole file', async () => {
  const page = await signIn(browser, node.url, node.tokens.analyst);
  await page.locator('#nav-listings').click();
  await page.locator('#list-upload').waitFor();
  const list = 'id,primary_name,birth_dates,nationalities,action,screen_agencies\n' +
    '2026-0001,Khalid Ahmed Al-Masri,1979-04-02,SYR,refuse_entry,*\n' +
    '2026-0002,Omar Farouk Haddad,1985,IRQ,report,*\n';
  const upload = async (csv) => {
    await page.setInputFiles('#up-file', {name: 'list.csv', mimeType: 'text/csv', buffer: Buffer.from(csv)});
    await page.getByLabel(/It is the whole list/).check();
    await page.getByRole('button', {name: 'Upload list'}).click(); // shows "Uploading…" at once
    await page.waitForFunction(() => {
      const t = document.getElementById('upload-result').innerText.trim();
      return t !== '' && t !== 'Uploading…';
    });
    return page.locator('#upload-result').innerText();
  };
  assert.match(await upload(list), /2 listings: 2 added, 0 updated, 0 withdrawn/);
  await page.screenshot({path: join(shots, 'analyst-upload.png')}); // the form and its answer, not the table below
  const bad = await upload(list + '2026-0003,Sara Haddad,1975-13,IRQ,report,*\n');
  assert.match(bad, /line 4/, bad);
  assert.match(await upload(list), /2 unchanged/, 'the refused file changed nothing');
  assert.deepEqual(await a11y(page), [], 'accessibility (axe, WCAG 2.1 AA)');
  assert.deepEqual(page.problems.filter((p) => !p.includes('400')), []);
  await page.context().close();
});

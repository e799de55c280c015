// Blind screening in the console (issue 20): node A lists a person that
// B may screen against only blind; B's officer screens that person in the
// console and sees the originator's contact and the action, and nothing
// else of A's listing.
import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {spawn, execFileSync} from 'node:child_process';
import {mkdirSync, mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {repoRoot} from '../lib/server.js';
import {launch, signIn, a11y} from '../lib/browser.js';

const shots = process.env.SCREENSHOT_DIR || join(repoRoot, 'docs', 'screenshots');
const work = mkdtempSync(join(tmpdir(), 'tripline-blind-e2e-'));
const children = [];
let browser;
let a;
let b;

function tripline(bin, node, args) {
  return execFileSync(bin, args, {env: node.env, cwd: repoRoot}).toString();
}

/** setUp makes node id's data directory with one user of role. */
function setUp(bin, id, role) {
  const node = {id, agency: 'agency-' + id.toLowerCase()};
  node.env = {...process.env, TRIPLINE_NODE: id, TRIPLINE_AGENCY: node.agency, TRIPLINE_DATA: join(work, id), TRIPLINE_LOG_LEVEL: 'info'};
  node.token = tripline(bin, node, ['users', 'add', `${id}-${role}`, '--role', role]).trim();
  node.key = tripline(bin, node, ['node', 'info']).match(/^public_key: (\S+)$/m)[1];
  return node;
}

/** serve starts node and resolves to its URL once it serves. */
function serve(bin, node) {
  const child = spawn(bin, ['serve', '--addr', '127.0.0.1:0'], {env: node.env, cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe']});
  children.push(child);
  let log = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${node.id} did not start:\n${log}`)), 120000);
    child.on('exit', (code) => reject(new Error(`${node.id} exited with ${code}:\n${log}`)));
    child.stderr.on('data', (d) => {
      log += d;
      const m = log.match(/"msg":"serving","addr":"([^"]+)"/);
      if (m) {
        clearTimeout(timer);
        resolve(`http://${m[1]}`);
      }
    });
  });
}

before(async () => {
  mkdirSync(shots, {recursive: true});
  let bin = process.env.TRIPLINE_BIN;
  if (!bin) {
    bin = join(work, 'tripline');
    execFileSync('go', ['build', '-o', bin, './cmd/tripline'], {cwd: repoRoot, stdio: 'inherit'});
  }
  a = setUp(bin, 'A', 'analyst');
  b = setUp(bin, 'B', 'officer');
  tripline(bin, a, ['partners', 'add', 'B', '--agency', b.agency, '--key', b.key]);
  tripline(bin, a, ['blind', 'volume', 'B', '1000']);
  a.url = await serve(bin, a);
  tripline(bin, b, ['partners', 'add', 'A', '--agency', a.agency, '--key', a.key, '--url', a.url]);
  b.url = await serve(bin, b);
  const res = await fetch(a.url + '/v1/listings', {method: 'POST', headers: {Authorization: 'Bearer ' + a.token}, body: JSON.stringify({
    id: 'agency-a:77', source: 'agency-a', names: [{full: 'Octavian Blindfold-Secretname', kind: 'primary'}], birth_dates: ['1969-04-05'],
    documents: [{type: 'P', number: 'OB5550001', country: 'ROU'}], action: 'detain', contact: 'agency-a duty desk +40 21 000 0000',
    reason: 'SECRET-REASON', narrative: 'SECRET-NARRATIVE', handling: {blind: ['agency-b']},
    provenance: {originator: 'agency-a', source_ref: 'SECRET-SOURCE'}})});
  assert.equal(res.status, 200, await res.text());
  // B learns of A's change from A's feed within seconds: wait for that
  // (through the API), not for a fixed time, before the officer screens.
  const end = Date.now() + 60000;
  for (;;) {
    const r = await fetch(b.url + '/v1/screen', {method: 'POST', headers: {Authorization: 'Bearer ' + b.token},
      body: JSON.stringify({ref: 'warm-up', name: 'Octavian Blindfold-Secretname', dob: '1969-04-05'})});
    if ((await r.json()).decision === 'hit') break;
    if (Date.now() > end) throw new Error('A\'s blind listing not screenable at B within 60 s');
    await new Promise((r) => setTimeout(r, 200));
  }
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  rmSync(work, {recursive: true, force: true});
});

test('officer: a blind hit shows the originator\'s contact and the action, nothing else', async () => {
  const page = await signIn(browser, b.url, b.token);
  await page.getByLabel('Full name').fill('Octavian Blindfold-Secretname');
  await page.getByLabel('Date of birth').fill('1969-04-05');
  await page.getByRole('button', {name: 'Screen traveller'}).click();
  await page.locator('#decision[data-decision="hit"]').waitFor();
  assert.equal(await page.locator('#decision-action').innerText(), 'DETAIN');
  assert.match(await page.locator('#instruction').innerText(), /Possible match on a blind list of agency-a: contact agency-a/);
  assert.equal(await page.locator('#contact').innerText(), 'agency-a duty desk +40 21 000 0000');
  const match = page.locator('article.match.blind');
  assert.equal(await match.count(), 1);
  assert.match(await match.locator('[data-field="blind-action"]').innerText(), /[Dd]etain/);
  assert.equal(await match.locator('[data-field="blind-contact"]').innerText(), 'agency-a duty desk +40 21 000 0000');
  // Nothing else of A's listing: no id, link, score or explanation.
  const html = await page.content();
  for (const s of ['agency-a:77', 'SECRET', 'OB5550001', 'blind:A:', 'score ']) {
    assert.ok(!html.includes(s), `the page holds ${JSON.stringify(s)}`);
  }
  assert.equal(await match.locator('a, table.explain').count(), 0, 'a blind match links to nothing and explains nothing');
  await page.screenshot({path: join(shots, 'officer-blind-hit.png'), fullPage: true});
  assert.deepEqual(await a11y(page), [], 'accessibility (axe, WCAG 2.1 AA)');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

// The console's pure helpers, run as ES modules in the browser that runs
// the console (the modules are served by the node, exactly as shipped).
import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {startDemo} from '../lib/server.js';
import {launch} from '../lib/browser.js';
import {td3, checkDigit} from '../lib/mrz.js';

let node;
let browser;
let page;

before(async () => {
  node = await startDemo();
  browser = await launch();
  page = await (await browser.newContext()).newPage();
  await page.goto(node.url + '/');
});

after(async () => {
  if (browser) await browser.close();
  if (node) await node.stop();
});

test('check digits: the ICAO 9303 specimen', () => {
  // ICAO 9303 Part 4 specimen: L898902C3 → 6, 740812 → 2, 120415 → 9.
  assert.equal(checkDigit('L898902C3'), '6');
  assert.equal(checkDigit('740812'), '2');
  assert.equal(checkDigit('120415'), '9');
  assert.equal(td3({issuer: 'UTO', surname: 'ERIKSSON', given: 'ANNA MARIA', number: 'L898902C3', nationality: 'UTO',
    dob: '740812', sex: 'F', expiry: '120415', optional: 'ZE184226B'}),
  'P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10');
});

test('mrzComplete: a scanned zone is sent once whole, never half-typed', async () => {
  const got = await page.evaluate(async () => {
    const {mrzComplete} = await import('/static/views/screen.js');
    const l44 = 'P'.repeat(44);
    const l36 = 'I'.repeat(36);
    const l30 = 'I'.repeat(30);
    return [mrzComplete(`${l44}\n${l44}`), mrzComplete(`${l44}\n${l36}`), mrzComplete(`${l36}\n${l36}\n`),
      mrzComplete(`${l30}\n${l30}\n${l30}`), mrzComplete(`${l30}\n${l30}`), mrzComplete(l44)];
  });
  assert.deepEqual(got, [true, false, true, true, false, false]);
});

test('paxlstNames: names in message order, UNA separators and the release character honoured', async () => {
  const got = await page.evaluate(async () => {
    const {paxlstNames, isPAXLST} = await import('/static/views/manifest.js');
    const plain = "UNA:+.? 'UNB+UNOA:4+A+B'NAD+MS+++DESK'NAD+FL+++O?'NEILL:SEAN:PAT'NAD+FM+++DOE:JANE'NAD+XX+++NOT:ME'UNZ+1'";
    const custom = 'UNA|*.? ~NAD*FL***AL-RASHID|OMAR~NAD*DDT***SMITH~';
    return [paxlstNames(plain), paxlstNames(custom), isPAXLST('\ufeff  UNB+'), isPAXLST('{"travellers": []}')];
  });
  assert.deepEqual(got, [["SEAN PAT O'NEILL", 'JANE DOE'], ['OMAR AL-RASHID', 'SMITH'], true, false]);
});

test('parseHash and the network fallback graph', async () => {
  const got = await page.evaluate(async () => {
    const {fallbackGraph} = await import('/static/views/network.js');
    const {parseHash} = await import('/static/route.js');
    const p = parseHash('#/listing/un-sc%3ATAi.139?x=1');
    const g = fallbackGraph({id: 'un-sc:X.1', names: [{full: 'A B', kind: 'primary'}], documents: [{number: 'D1', country: 'AFG'}],
      phones: ['+1 555'], addresses: []});
    return {view: p.view, arg: p.arg, x: p.params.get('x'), nodes: g.nodes.map((n) => n.id), edges: g.edges.map((e) => e.type)};
  });
  assert.deepEqual(got, {view: 'listing', arg: 'un-sc:TAi.139', x: '1',
    nodes: ['listing:un-sc:X.1', 'document:AFG:D1', 'phone:+1 555'], edges: ['has_document', 'has_phone']});
});

test('isMinor: under 18 at the time, partial dates counted as the youngest they could be', async () => {
  const got = await page.evaluate(async () => {
    const {isMinor} = await import('/static/dom.js');
    const at = '2026-11-25T12:00:00Z';
    return [isMinor('2008-11-26', at), isMinor('2008-11-25', at), isMinor('2009', at), isMinor('2008', at), isMinor('2008-12', at), isMinor('', at), isMinor('1965-03-29', at)];
  });
  // 2008 could be 2008-12-31: still 17 on 2026-11-25.
  assert.deepEqual(got, [true, false, true, true, true, false, false]);
});

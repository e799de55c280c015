// Launches Debian's Chromium (not a browser playwright downloads) headless,
// with the flags this machine needs: no sandbox as root, no GPU, and no
// background traffic to Google's hosts on a closed network. Playwright
// gives each launch a fresh, empty --user-data-dir of its own.
import {chromium} from 'playwright-core';
import {existsSync, readFileSync} from 'node:fs';
import {createRequire} from 'node:module';

/** executablePath is $CHROMIUM, else Debian's /usr/bin/chromium. */
export const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';

/** launch resolves to a Browser; each role then gets its own context (cookie jar). */
export async function launch() {
  if (!existsSync(executablePath)) {
    throw new Error(`${executablePath} not found: apt-get install -y chromium (or set $CHROMIUM)`);
  }
  return chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

/**
 * signIn opens a new context (its own cookies) on url, signs in with token
 * and waits for the navigation of that role. It collects console errors
 * and failed requests in page.problems.
 */
export async function signIn(browser, url, token, viewport = {width: 1280, height: 900}) {
  const context = await browser.newContext({viewport});
  const page = await context.newPage();
  page.problems = [];
  page.requests = [];
  page.on('pageerror', (e) => page.problems.push('pageerror: ' + e.message));
  page.on('console', (m) => {
    // The page asks GET /v1/me before sign-in: that one 401 is expected.
    if (m.type() === 'error' && !/status of 401/.test(m.text())) page.problems.push('console: ' + m.text());
  });
  page.on('request', (r) => page.requests.push(r.method() + ' ' + r.url()));
  await page.goto(url + '/');
  await page.getByLabel('User token').fill(token);
  await page.getByRole('button', {name: 'Sign in'}).click();
  await page.locator('#nav a').first().waitFor();
  return page;
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * a11y runs axe-core's WCAG 2 A and AA rules on the page as it stands and
 * returns the serious and critical violations as readable lines. axe is
 * injected through the DevTools protocol, so the page's CSP stays on.
 */
export async function a11y(page) {
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) await page.evaluate(axeSource);
  const res = await page.evaluate(() => window.axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}}));
  return res.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
}

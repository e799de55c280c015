// Launches Debian's Chromium (not a browser playwright downloads) headless,
// with the flags this machine needs: no sandbox as root, no GPU, and no
// background traffic to Google's hosts on a closed network. Playwright
// gives each launch a fresh, empty --user-data-dir of its own.
import {chromium} from 'playwright-core';
import {existsSync} from 'node:fs';

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

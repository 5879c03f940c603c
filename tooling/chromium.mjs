// Headless Chromium for tests that check an HTML page as a browser draws it: Debian's chromium
// (scripts/test-data.sh installs it) driven by playwright-core, which downloads nothing. The flags
// keep it off the network (this machine's closed network refuses its background connections) and
// let it run as root in a container.
import { pathToFileURL } from 'node:url';

/** The browser: `$EDGE_CHROMIUM`, else Debian's. */
export const CHROMIUM_PATH = process.env.EDGE_CHROMIUM || '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Launches headless Chromium; close the browser when done. */
export async function launchChromium() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}

/**
 * Opens a local HTML file in a new page and records what a test asserts on: console errors and
 * uncaught exceptions, and every URL the page asked for (a self-contained page asks for none but
 * its own).
 */
export async function openHtmlFile(browser, path, viewport = { width: 1400, height: 900 }) {
  const page = await browser.newPage({ viewport });
  const errors = [];
  const requests = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => requests.push(r.url()));
  const url = pathToFileURL(path).href;
  await page.goto(url, { waitUntil: 'load' });
  return { page, errors, requests, url };
}

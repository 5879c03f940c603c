import type { Browser, Page } from 'playwright-core';

export type { Browser, Page };

/** The browser: `$EDGE_CHROMIUM`, else Debian's `/usr/bin/chromium`. */
export const CHROMIUM_PATH: string;
/** Flags: no sandbox (root), no GPU, no background network. */
export const CHROMIUM_ARGS: readonly string[];
/** Launches headless Chromium; close the browser when done. */
export function launchChromium(): Promise<Browser>;
/** A page opened on a local HTML file, with what it logged and requested. */
export interface OpenedPage {
  page: Page;
  /** Console errors and uncaught exceptions. */
  errors: string[];
  /** Every URL the page asked for, its own first. */
  requests: string[];
  /** The file:// URL of the page. */
  url: string;
}
export function openHtmlFile(
  browser: Browser,
  path: string,
  viewport?: { width: number; height: number },
): Promise<OpenedPage>;

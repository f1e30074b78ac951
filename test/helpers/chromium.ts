// Headless Chromium for the end-to-end tests, driven by playwright-core (which downloads no browser of its own).
// The browser is, in this order: FUSEWB_CHROMIUM if set, Debian's /usr/bin/chromium if installed, else the headless
// Chromium that the npm package @sparticuz/chromium ships inside itself (unpacked to the temp folder on first use),
// so `npm ci && npm test` needs nothing from apt. FUSEWB_SKIP_BROWSER=1 skips the browser tests (reported as
// skipped, with a note on stderr).
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { test } from "uvu";

const SYSTEM_CHROMIUM = "/usr/bin/chromium";

/** Chromium's own flags for a closed network: without them it keeps trying to reach Google's hosts. */
const ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
];
/** A browser that has not started by then will not: fail the test instead of waiting for ever. */
const LAUNCH_TIMEOUT_MS = 60_000;

/** `test`, or `test.skip` (with a note) when FUSEWB_SKIP_BROWSER=1. */
export function browserTest(name: string, fn: () => Promise<void>): void {
  if (process.env.FUSEWB_SKIP_BROWSER === "1") {
    process.stderr.write(`note: skipping "${name}": FUSEWB_SKIP_BROWSER=1\n`);
    test.skip(name, fn);
    return;
  }
  test(name, fn);
}

/** Which Chromium to start, and the flags that binary needs. */
async function findChromium(): Promise<{ path: string; args: string[] }> {
  const chosen = process.env.FUSEWB_CHROMIUM;
  if (chosen !== undefined) {
    if (!existsSync(chosen)) throw new Error(`FUSEWB_CHROMIUM=${chosen}: no such file; unset it to use ${SYSTEM_CHROMIUM} or the npm package's Chromium`);
    return { path: chosen, args: ARGS };
  }
  if (existsSync(SYSTEM_CHROMIUM)) return { path: SYSTEM_CHROMIUM, args: ARGS };
  // @sparticuz/chromium: a brotli-packed headless shell with the flags it was built for (single process, no zygote)
  const packaged = (await import("@sparticuz/chromium")).default;
  const path = await packaged.executablePath();
  return { path, args: [...new Set([...packaged.args, ...ARGS.filter((a) => a !== "--headless")])] };
}

export interface BrowserSession {
  page: Page;
  /** Console errors, uncaught exceptions and failed requests seen so far. */
  errors: string[];
  close(): Promise<void>;
}

/** A fresh browser with its own temporary profile, and one page that records everything that went wrong. */
export async function openBrowser(): Promise<BrowserSession> {
  const { path, args } = await findChromium();
  const profile = mkdtempSync(join(tmpdir(), "fusewb-chromium-"));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: path, headless: true, args, viewport: { width: 1280, height: 900 }, timeout: LAUNCH_TIMEOUT_MS,
    });
  } catch (e) {
    rmSync(profile, { recursive: true, force: true });
    throw e;
  }
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on("console", (m) => { if (m.type() === "error") errors.push(`console: ${m.text()}`); });
  page.on("pageerror", (e) => errors.push(`page error: ${e.message}`));
  page.on("requestfailed", (r) => errors.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ""}`));
  return {
    page, errors,
    async close() {
      try { await context.close(); } finally { rmSync(profile, { recursive: true, force: true }); }
    },
  };
}

/** Where the end-to-end tests save their screenshots: a temp folder, unless `npm run screenshots` sets
 *  FUSEWB_SCREENSHOTS (docs/) to refresh the tracked pictures. A test run never writes into tracked files. */
export function screenshotPath(name: string): string {
  const dir = process.env.FUSEWB_SCREENSHOTS ?? mkdtempSync(join(tmpdir(), "fusewb-shots-"));
  return join(dir, name);
}

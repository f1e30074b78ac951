// Headless Chromium for the end-to-end tests: Debian's `chromium` package driven by playwright-core (which
// downloads no browser of its own). A missing browser fails the test with the fix in the message, unless
// FUSEWB_SKIP_BROWSER=1 asks to skip (then the test is reported as skipped, with a note on stderr).
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { test } from "uvu";

export const CHROMIUM_PATH = process.env.FUSEWB_CHROMIUM ?? "/usr/bin/chromium";

const ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
];

/** `test`, or `test.skip` (with a note) when FUSEWB_SKIP_BROWSER=1. */
export function browserTest(name: string, fn: () => Promise<void>): void {
  if (process.env.FUSEWB_SKIP_BROWSER === "1") {
    process.stderr.write(`note: skipping "${name}": FUSEWB_SKIP_BROWSER=1\n`);
    test.skip(name, fn);
    return;
  }
  test(name, fn);
}

export interface BrowserSession {
  page: Page;
  /** Console errors, uncaught exceptions and failed requests seen so far. */
  errors: string[];
  close(): Promise<void>;
}

/** A fresh browser with its own temporary profile, and one page that records everything that went wrong. */
export async function openBrowser(): Promise<BrowserSession> {
  if (!existsSync(CHROMIUM_PATH))
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: install Debian's chromium package (apt-get install -y chromium; ` +
      `.ci/run does it), set FUSEWB_CHROMIUM to another binary, or set FUSEWB_SKIP_BROWSER=1 to skip the browser tests`);
  const profile = mkdtempSync(join(tmpdir(), "fusewb-chromium-"));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH, headless: true, args: ARGS, viewport: { width: 1280, height: 900 },
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
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

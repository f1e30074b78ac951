// A failing browser test must never keep `npm test` alive: run test/fixtures/failing-browser.ts (a browser test
// that opens a server and Chromium, then fails an assertion) in a child process, and require that the process
// exits, with a failure status and the planted assertion in its output, instead of hanging after uvu's summary.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { browserTest } from "./helpers/chromium.js";
import { REPO_ROOT } from "./helpers/serve-root.js";

/** Far above what the fixture needs (a Chromium start, one page): reaching it means the child hung. */
const HANG_MS = 120_000;

browserTest("a browser test that fails exits with a failure instead of hanging", async () => {
  const child = spawn(process.execPath, ["--import", "tsx", join(REPO_ROOT, "test/fixtures/failing-browser.ts")], {
    cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d: Buffer) => { out += d.toString(); });
  child.stderr.on("data", (d: Buffer) => { out += d.toString(); });
  const ended = await new Promise<{ code: number | null; hung: boolean }>((resolve) => {
    const timer = setTimeout(() => { child.kill("SIGKILL"); resolve({ code: null, hung: true }); }, HANG_MS);
    child.on("exit", (code) => { clearTimeout(timer); resolve({ code, hung: false }); });
  });
  assert.not.ok(ended.hung, `the child was still running after ${HANG_MS / 1000} s:\n${out}`);
  assert.is.not(ended.code, 0, `the child exited 0:\n${out}`);
  assert.match(out.replace(/\x1b\[[0-9;]*m/g, ""), /the planted failure/);
});

test.run();

// `fusewb proc`: the CLI run as a user runs it (node --import tsx host/cli.ts), its output and exit codes.
import { test } from "uvu";
import { tinyScenario } from "./helpers/tiny-scenario.js";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "fusewb-proc-"));
const scenarioPath = join(dir, "tiny.json");
writeFileSync(scenarioPath, JSON.stringify(tinyScenario(3)));

function fusewb(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["--import", "tsx", "host/cli.ts", ...args], { cwd: ROOT, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("proc: buddyinfo, pagetypeinfo and vmstat of the end state, in the kernel's formats; exit 0", () => {
  const r = fusewb("proc", scenarioPath);
  assert.is(r.code, 0, r.stderr);
  const [buddy, pti, vmstat] = r.stdout.split(/^==> \/proc\/\w+ <==\n/m).slice(1);
  // 256M: DMA32 is a quarter (64M, 16384 pages) and Normal the rest, both printed
  assert.match(buddy!, /^Node 0, zone    DMA32( +\d+){11} \nNode 0, zone   Normal( +\d+){11} \n/);
  assert.match(pti!, /^Page block order: 9\nPages per block:  512\n/);
  assert.match(pti!, /\nNumber of blocks type  +Unmovable +Movable/);
  const lines = vmstat!.trimEnd().split("\n");
  assert.ok(lines.every((l) => /^[a-z_0-9]+ -?\d+$/.test(l)), "one `name value` per line");
  assert.equal(lines.slice(0, 5).map((l) => l.split(" ")[0]), ["nr_free_pages", "nr_free_cma", "nr_inactive_file", "nr_active_file", "nr_dirty"]);
  // the run synced: nothing is dirty or under writeback at the end
  assert.ok(lines.includes("nr_dirty 0") && lines.includes("nr_writeback 0"));
});

test("proc --at --json: the state at a virtual time, as numbers; the first policy unless --policy", () => {
  // The writer's first folios leave the bdi's freerun region at once (strictlimit's floor before the first
  // completion is 31 pages), so it pauses in balance_dirty_pages() until its timer fires, at the start of the
  // second tick (HZ 250: 8 ms; the wheel rounds a timer's expiry up a tick); after it, it dirties its freerun share
  // and the flusher writes it back within half a millisecond.
  const r = fusewb("proc", scenarioPath, "--at", "8100us", "--json");
  assert.is(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { policy: string; virtualNs: number; buddyinfo: Record<string, number[]>; vmstat: Record<string, number> };
  assert.is(j.policy, "legacy-copy"); // policies[0]
  assert.ok(j.virtualNs <= 8.1e6 && j.virtualNs > 8e6, `stopped at ${j.virtualNs} ns`);
  const free = Object.values(j.buddyinfo).reduce((s, row) => s + row.reduce((t, n, o) => t + n * 2 ** o, 0), 0);
  assert.is(j.vmstat.nr_free_pages, free); // nothing isolated: NR_FREE_PAGES is every free page
  assert.ok(j.vmstat.nr_dirty! + j.vmstat.nr_writeback! > 0, "mid-run, pages are dirty or under writeback");
});

test("proc: bad input exits 2 with one line", () => {
  const missing = fusewb("proc", join(dir, "nope.json"));
  assert.is(missing.code, 2);
  assert.match(missing.stderr, /^fusewb: cannot read .*nope\.json: ENOENT\n$/);
  const unitless = fusewb("proc", scenarioPath, "--at", "5");
  assert.is(unitless.code, 2);
  assert.match(unitless.stderr, /^fusewb: --at: "?5"? is not a duration/);
});

test.run();

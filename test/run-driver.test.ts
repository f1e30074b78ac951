// One run driver (host/embed/emulator.ts): run, compare, proc, the HTML capture and the sweep workers go through the
// Emulator, so what one path can do (boot from a real machine's census) the others can: `run --html --from-proc`.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { cli } from "./helpers/cli.js";
import type { RunReport } from "../host/sim/report.js";

const dir = mkdtempSync(join(tmpdir(), "fusewb-driver-"));
const scenario = join(dir, "tiny.json");
writeFileSync(scenario, JSON.stringify({
  name: "tiny", machine: { memory: "256M" }, fuse: { max_pages: 32, max_write: "128k" }, policy: "nocopy",
  server: { name: "s", threads: 2, per_request: { dist: "fixed", mean: "5us" } },
  workloads: [{ type: "fio", rw: "write", bs: "64k", size: "2M", numjobs: 1 }], run: { duration: "0", seed: 3 },
}));
const proc = new URL("./corpus/proc/small/", import.meta.url).pathname;

/** Pageblocks of the snapshot: the rows of pagetypeinfo's "Number of blocks type" table, summed (DMA folds into
 *  DMA32, which keeps the count). */
function snapshotBlocks(): number {
  const text = readFileSync(join(proc, "pagetypeinfo"), "utf8");
  const table = text.slice(text.indexOf("Number of blocks type"), text.indexOf("Number of mixed"));
  return table.split("\n").filter((l) => l.startsWith("Node")).reduce((s, l) => s + l.split(/\s+/).slice(4).reduce((t, w) => t + Number(w), 0), 0);
}

test("run --html --from-proc: the captured run boots from the snapshot's census and writes the report", async () => {
  const html = join(dir, "report.html");
  const r = await cli(["run", scenario, "--from-proc", proc, "--html", html, "--json", "--no-timing"]);
  assert.is(r.code, 0, r.stderr);
  assert.ok(existsSync(html));
  assert.match(readFileSync(html, "utf8"), /<svg/);
  const report = JSON.parse(r.stdout) as RunReport;
  // the machine is the snapshot's, not the scenario's 256 MiB: its pageblocks are the census's
  const blocks = Object.values(report.pageblocks).reduce((s, n) => s + n, 0);
  assert.is(blocks, snapshotBlocks());
  assert.is(report.integrity.corrupt, 0);
  // the same boot without the capture: the same machine
  const plain = await cli(["run", scenario, "--from-proc", proc, "--json", "--no-timing"]);
  assert.is(plain.code, 0, plain.stderr);
  assert.is(Object.values((JSON.parse(plain.stdout) as RunReport).pageblocks).reduce((s, n) => s + n, 0), blocks);
});

test("compare on worker threads gives the reports and table it gives in one thread, in the same order", async () => {
  const two = join(dir, "two.json");
  writeFileSync(two, JSON.stringify({
    ...JSON.parse(readFileSync(scenario, "utf8")), policies: ["legacy-copy", "nocopy"],
    servers: { fast: {}, slow: { faults: { slow: 20 } } },
  }));
  const one = await cli(["compare", two, "--json", "--jobs", "1"]);
  const pool = await cli(["compare", two, "--json", "--jobs", "2"]);
  assert.is(one.code, 0, one.stderr);
  assert.is(pool.code, 0, pool.stderr);
  const reports = (JSON.parse(pool.stdout) as { reports: RunReport[] }).reports;
  assert.equal(reports.map((r) => `${r.server}/${r.policy}`), ["fast/legacy-copy", "fast/nocopy", "slow/legacy-copy", "slow/nocopy"]);
  assert.is(pool.stdout, one.stdout);
});

test.run();

// The example traces in test/traces/ (README "Trace replay"), replayed as `fusewb replay --json` does: each file's
// comment says what it shows, and each number here is derived there from the kernel's rules.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readdirSync, readFileSync } from "node:fs";
import { cli } from "./helpers/cli.js";
import type { ReplayJson } from "../host/replay/report.js";

const dir = new URL("./traces/", import.meta.url).pathname;

async function replay(name: string): Promise<ReplayJson> {
  const r = await cli(["replay", `${dir}${name}`, "--json"]);
  assert.is(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as ReplayJson;
}

const none = { Unmovable: 0, Movable: 0, Reclaimable: 0, HighAtomic: 0, CMA: 0, Isolate: 0 };
const zeros = (...set: [order: number, count: number][]): number[] => {
  const a = Array<number>(11).fill(0);
  for (const [o, n] of set) a[o] = n;
  return a;
};

test("every trace in test/traces/ says what it shows in comments before its machine line", () => {
  const traces = readdirSync(dir).filter((f) => f.endsWith(".trace"));
  assert.ok(traces.length >= 6);
  for (const f of traces) {
    const head = readFileSync(`${dir}${f}`, "utf8").split("\n");
    const machine = head.findIndex((l) => l.startsWith("machine "));
    assert.ok(machine >= 1 && head.slice(0, machine).every((l) => l.startsWith("# ")), f);
  }
});

test("thp-boot: 126 THPs, the refills' second blocks stranded on the per-cpu lists for good (nothing to reclaim, no drain)", async () => {
  const j = await replay("thp-boot.trace");
  assert.equal(j.failed, ["t126", "t127", "t128", "t129"]);
  assert.equal(j.buddyinfo, { DMA32: zeros(), Normal: zeros() });
  assert.equal(j.pagetypeinfo.blocks, { ...none, Movable: 128 });
  assert.equal(j.pagetypeinfo.mixed, none);
  assert.equal([j.zones.pagesets.Normal!.count, j.zones.pagesets.DMA32!.count], [512, 512], "one order-9 block on each zone's list");
});

test("slab-storm: two claimed buddies of Unmovable blocks and one of Reclaimable, kept after the frees", async () => {
  const j = await replay("slab-storm.trace");
  assert.equal(j.failed, []);
  assert.equal(j.pagetypeinfo.blocks, { ...none, Unmovable: 4, Reclaimable: 2, Movable: 122 });
  assert.equal(j.pagetypeinfo.mixed, none);
  // zone_batchsize(): min(49152 >> 10, 256) / 4 = 12, rounddown_pow_of_two(12 + 6) - 1 = 15
  assert.is(j.zones.pagesets.Normal!.batch, 15);
});

test("claim: a partly used Movable block with half its pages free becomes Unmovable", async () => {
  const j = await replay("claim.trace");
  assert.equal(j.pagetypeinfo.blocks, { ...none, Unmovable: 1, Movable: 3 });
  assert.equal(j.pagetypeinfo.mixed, { ...none, Unmovable: 1 });
  assert.equal(j.pagetypeinfo.free.Unmovable, zeros([0, 1], [1, 1], [3, 1], [4, 1], [5, 1], [6, 1], [7, 1], [8, 1]));
  assert.equal([j.zones.pagesets.Normal!.count, j.zones.pagesets.Normal!.high], [3, 120], "4 blocks refilled, u taken; high 112 + 1 + 1 + 2 + 4");
});

test("steal (6.15) takes the smallest foreign buddy, largest-steal (6.10-6.14) breaks the largest", async () => {
  const steal = await replay("steal.trace"), largest = await replay("largest-steal.trace");
  for (const j of [steal, largest]) {
    assert.equal(j.pagetypeinfo.blocks, { ...none, Unmovable: 2, Movable: 2 });
    assert.equal(j.pagetypeinfo.mixed, { ...none, Unmovable: 1 });
  }
  assert.equal(steal.pagetypeinfo.free.Unmovable, zeros([0, 1], [1, 1], [3, 1], [4, 1], [5, 1], [6, 1]));
  assert.equal(largest.pagetypeinfo.free.Unmovable, zeros([0, 5], [1, 5], [2, 5], [3, 5], [4, 3]));
  for (const j of [steal, largest]) assert.is(j.zones.pagesets.Normal!.count, 3, "m's refill of 4 blocks, m taken");
});

test.run();

// High-order allocations on a loaded machine: Gorman's mobility-grouping result (direction and rough
// size), and the mechanics the decision table rests on, each a measured outcome of the model.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { parseCompare, resolveScenario } from "../host/scenario/resolve.js";
import { runScenario } from "../host/sim/run-scenario.js";
import { coreModuleSync } from "../host/core/load-node.js";
import type { Policy } from "../host/scenario/sim-config.js";
import { gormanScenario } from "./helpers/reference-runs.js";

const release = coreModuleSync("release");

test("mobility grouping: order-9 success under load far higher with grouping than with it disabled (Gorman 2005)", () => {
  // A 512 MiB machine under a page-cache writer (reclaimed by kswapd), long-lived slab and short-lived anon;
  // THP attempts every 100 ms, each kept. Without grouping the slab pages land in every pageblock and no
  // amount of reclaim or compaction frees a whole block; with grouping they stay in a few unmovable blocks.
  // (scenarios/mobility-grouping.json for 10 s: test/helpers/reference-runs.ts)
  const success = (grouping: boolean): number => runScenario(gormanScenario(grouping), { module: release, timing: false }).highOrder.thpSuccessPct;
  // The direction, and a gap of 20 points or more. (With one CPU's per-cpu lists and the cursor reclaim of
  // earlier models, 84 against 35 %; on the default 8 CPUs 72.7 against 32 %; with the file LRU and the kernel's
  // scan targets 87.5 % of 64 attempts against 32 %: the THP task is OOM-killed at 6.5 s; later 91.8 % of 61.
  // Since a queued request wakes the longest-sleeping server worker (fuse_dev_do_read()'s exclusive wait), all
  // three workers fault in their receive buffers (717 anon pages, not 242) and the THP task is OOM-killed at 9.3 s,
  // after 92 attempts: 54.3 % against 32 %. The threshold was 25 points; it follows the model here, it is no
  // figure of Gorman's.)
  const on = success(true), off = success(false);
  assert.ok(on - off >= 20, `with grouping ${on} %, without ${off} %: expected 20 points or more apart`);
});

test("the free scanner stays in its zone when the scanners have crossed (fast_isolate_freepages()'s pfn_valid())", () => {
  // Found on bad-server.json's healthy copy-free run with two CPUs: with cc->free_pfn below cc->migrate_pfn,
  // free_pfn - migrate_pfn wraps and the "min mark" is no PFN at all; the kernel takes it only if pfn_valid(), and
  // isolate_freepages() skips blocks outside the zone (pageblock_pfn_to_page()). The model took it and read past
  // the memmap (a WASM trap). A regression run of that configuration.
  const { base, servers } = parseCompare(readFileSync(new URL("../scenarios/bad-server.json", import.meta.url), "utf8"), "bad-server.json");
  const r = runScenario({ ...base, policy: "nocopy", server: servers.find((s) => s.name === "healthy")!, kernelConfig: { ...base.kernelConfig, cpus: 2 } },
    { module: release, timing: false });
  assert.ok(r.highOrder.compactStall > 0, "direct compaction ran");
  assert.is(r.integrity.corrupt, 0);
});

test("scenarios/bad-server.json shows the trade-off: a stuck server costs copy-free high-order success, legacy unmovable blocks", () => {
  // A regression test of the model's outcome on the shipped scenario (README, "The trade-off"), not a rule coded
  // anywhere: four of its 35 runs, 40 s of virtual time each. Since the congestion gate, a stuck server pins one
  // writeback chunk (plus the requests before the gate closed) instead of everything the dirty limit allows, so
  // the effects are smaller than before; these are their directions and mechanisms.
  const { base, servers } = parseCompare(readFileSync(new URL("../scenarios/bad-server.json", import.meta.url), "utf8"), "bad-server.json");
  const run = (policy: Policy, server: string) =>
    runScenario({ ...base, policy, server: servers.find((s) => s.name === server)! }, { module: release, timing: false });
  const legacyHealthy = run("legacy-copy", "healthy"), nocopyHealthy = run("nocopy", "healthy");
  const legacyStuck = run("legacy-copy", "stuck"), nocopyStuck = run("nocopy", "stuck");
  const thp = (r: typeof legacyHealthy): number => r.highOrder.thpSuccessPct;
  // Healthy, copy-free (6.16) does at least as well as legacy (6.15) less a point: 99.3 % against 97.8 % here (on
  // 6.15's per-cpu free_high threshold for both, 98.8 %: README, "The trade-off")
  assert.ok(thp(nocopyHealthy) >= thp(legacyHealthy) - 1, `healthy: copy-free THP ${thp(nocopyHealthy)} % within a point of legacy ${thp(legacyHealthy)} %`);
  // Stuck, copy-free's folios stay under writeback: compaction's migrate scanner meets them and leaves them
  // (async and sync-light isolate only what they can migrate without blocking). Whether a contiguous range or a THP
  // then fails depends on where the pinned folios lie: alloc_contig_pages() tries ranges from the zone's start, and
  // waits in MIGRATE_SYNC only if one of the first it tries holds a pinned folio (docs/compaction.md); on this
  // scenario and seed none does, so those rates are not asserted here (test/kernel-outcomes.test.ts shows the wait).
  // Whether the migrate scanner reaches them at all depends on where they lie, seed by seed: on seeds 1-5 it meets
  // them on all five (session 17), on 3 before, and on 2 (seeds 1 and 3) before the requests' slab pages were
  // modelled. So: on some seed of 1-5.
  const metOnSomeSeed = [1, 2, 3, 4, 5].some((seed) => (seed === base.run.seed ? nocopyStuck :
    runScenario({ ...base, policy: "nocopy", server: servers.find((s) => s.name === "stuck")!, run: { ...base.run, seed } }, { module: release, timing: false }))
    .highOrder.isolateFailures.writeback > 0);
  assert.ok(metOnSomeSeed, "copy-free, stuck: compaction met folios under writeback on some seed of 1-5");
  assert.ok(nocopyStuck.vmstat.nr_writeback > 0, "copy-free, stuck: folios still under writeback at the end");
  // legacy originals are clean once copied: compaction never meets them under writeback
  assert.is(legacyStuck.highOrder.isolateFailures.writeback, 0);
  assert.is(legacyStuck.vmstat.nr_writeback, 0);
  // legacy's pinned temp pages are UNMOVABLE allocations: they claim pageblocks
  assert.ok(legacyStuck.vmstat.nr_writeback_temp > 0, "legacy, stuck: temp pages pinned at the end");
  // the pinned temp pages fill at least nr_writeback_temp / 512 pageblocks, all Unmovable or mixed; how many more
  // the run has depends on where the per-cpu lists put the rest (the healthy run's temp pages already claim about
  // 20 blocks through the lists of the CPUs that free them, 12 with one CPU's lists), so the stuck legacy run is
  // compared with the stuck copy-free one, whose pins are movable page cache
  const tempBlocks = Math.ceil(legacyStuck.vmstat.nr_writeback_temp / 512);
  assert.ok(legacyStuck.pageblocks.Unmovable! + legacyStuck.mixedBlocks >= tempBlocks, `legacy: ${legacyStuck.pageblocks.Unmovable} Unmovable blocks hold ${legacyStuck.vmstat.nr_writeback_temp} pinned temp pages`);
  assert.ok(legacyStuck.pageblocks.Unmovable! > nocopyStuck.pageblocks.Unmovable! + 10, `legacy ${legacyStuck.pageblocks.Unmovable} against copy-free ${nocopyStuck.pageblocks.Unmovable} Unmovable blocks, stuck`);
  assert.ok(nocopyStuck.pageblocks.Unmovable! <= nocopyHealthy.pageblocks.Unmovable! + 1, "copy-free's stuck server adds no Unmovable block");
  assert.ok(thp(legacyStuck) >= 90, `stuck: legacy keeps THP success (${thp(legacyStuck)} %)`);
  for (const r of [legacyHealthy, nocopyHealthy, legacyStuck, nocopyStuck]) {
    assert.is(r.integrity.writesLost, 0);
    assert.is(r.integrity.corrupt, 0, `${r.policy}/${r.server}: data the server has not received is pending, not corrupt`);
  }
});

// A small loaded machine with a FUSE writer whose bdi may use half the dirty threshold, a contiguous
// allocation every 100 ms, and a server that stops answering at 1 s.
function loaded(policy: Policy, faults: Record<string, unknown>, opts: { small?: boolean; check?: boolean; duration?: string } = {}) {
  const checkInvariants = opts.check ?? false;
  const small = opts.small ?? checkInvariants;
  return resolveScenario({
    machine: { memory: small ? "128M" : "1G", bdi: { max_ratio: 50 } },
    policy,
    server: { threads: 4, per_request: { dist: "exponential", mean: "50us" }, faults },
    workloads: [
      { type: "fio", rw: "write", bs: "1M", size: "2G", rate: "64M", numjobs: 2 },
      { type: "churn", name: "anon", kind: "movable", order: 2, rate: small ? 500 : 6000, lifetime: "2s" },
      { type: "churn", name: "slab", kind: "unmovable", rate: small ? 50 : 300, lifetime: "5s" },
      { type: "highorder", name: "contig", kind: "contig", order: 9, interval: "100ms", hold: "50ms" },
      { type: "highorder", name: "thp", kind: "thp", interval: "100ms", hold: "200ms" },
    ],
    run: { duration: opts.duration ?? (checkInvariants ? "1500ms" : "8s"), check_invariants: checkInvariants },
  }, "loaded");
}

test("a stuck server: copy-free pins movable folios under writeback, the legacy path pins unmovable temp pages", () => {
  const legacy = runScenario(loaded("legacy-copy", { stop_at: "1s" }), { module: release, timing: false });
  const nocopy = runScenario(loaded("nocopy", { stop_at: "1s" }), { module: release, timing: false });
  assert.ok(legacy.modelled.peakTempPages > 1000, "temp pages held by requests that never end");
  assert.ok(legacy.pageblocks.Unmovable! > nocopy.pageblocks.Unmovable!, "legacy grows the unmovable pageblocks");
  assert.is(nocopy.modelled.peakTempPages, 0);
  assert.ok(nocopy.modelled.peakNrWriteback > 1000, "copy-free keeps the page-cache folios under writeback");
  for (const r of [legacy, nocopy]) {
    assert.ok(r.modelled.hangs > 0, `${r.policy}: the writers hang on a server that never answers`);
    assert.is(r.integrity.writesLost, 0, "nothing is lost without an abort");
    assert.is(r.integrity.corrupt, 0);
  }
});

test("nocopy-timeout aborts a stuck server: the writers stop hanging, the data in flight is lost and attributed", () => {
  // the 6.15 check runs every 15 s: at 15 s the oldest request is 14 s old, at 30 s it has expired
  const r = runScenario(loaded("nocopy-timeout", { stop_at: "1s" }, { small: true, duration: "31s" }), { module: release, timing: false });
  assert.is(r.modelled.connectionAborts, 1);
  assert.is(r.modelled.hangs, 0);
  assert.ok(r.integrity.writesLost > 0);
  assert.ok(r.integrity.filesWithErrors > 0);
  assert.is(r.integrity.corrupt, 0);
});

for (const policy of ["legacy-copy", "nocopy", "nocopy-cancel", "nocopy-migrate-skip", "nocopy-wb-area"] as const) {
  test(`${policy}: invariants after every event through churn, compaction, contiguous allocations and a crash`, () => {
    const r = runScenario(loaded(policy, { crash_at: "1s" }, { check: true }), { module: coreModuleSync("debug"), timing: false });
    assert.is(r.modelled.connectionAborts, 1);
    assert.ok(r.highOrder.contigAttempts > 0 && r.highOrder.thpAttempts > 0);
    assert.is(r.integrity.corrupt, 0);
  });
}

test.run();

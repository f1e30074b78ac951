// Whole runs on a small machine with the invariant checker after every event: healthy servers lose
// nothing, an abort loses exactly what it ended, a stuck server hangs, and a seed fixes the output.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { resolveScenario } from "../host/scenario/resolve.js";
import { runScenario } from "../host/sim/run-scenario.js";
import { coreModuleSync } from "../host/core/load-node.js";
import type { Policy } from "../host/scenario/sim-config.js";

const debug = coreModuleSync("debug");
function scenario(policy: Policy, extra: { bs?: string; server?: Record<string, unknown>; seed?: number } = {}) {
  return resolveScenario({
    machine: { memory: "64M" },
    policy,
    server: { threads: 2, per_request: { dist: "exponential", mean: "20us" }, ...(extra.server ?? {}) },
    workloads: [{ type: "fio", rw: "write", bs: extra.bs ?? "64k", size: "4M", numjobs: 2 }],
    run: { check_invariants: true, seed: extra.seed ?? 1 },
  }, "test");
}

for (const policy of ["legacy-copy", "nocopy"] as const) {
  for (const bs of ["64k", "1k"]) {
    test(`${policy}, bs ${bs}: healthy server, every page persisted, invariants after every event`, () => {
      const r = runScenario(scenario(policy, { bs }), { module: debug, timing: false });
      assert.ok(r.modelled.synced);
      assert.is(r.integrity.pagesWritten, 2 * 1024); // 2 jobs x 4 MiB
      assert.is(r.integrity.writesPersisted, r.integrity.pagesWritten);
      assert.is(r.integrity.writesLost, 0);
      assert.is(r.integrity.corrupt, 0);
      assert.is(r.integrity.pending, 0);
      assert.is(r.integrity.writesAcked, bs === "64k" ? 2 * 64 : 2 * 4096);
      if (policy === "legacy-copy") {
        assert.ok(r.modelled.peakTempPages > 0);
        // 64 KiB writes fill whole pages before writeback sees them: each page copied once. 1 KiB writes leave
        // a partly written tail page that writeback may copy, then copy again once it is filled.
        if (bs === "64k") assert.is(r.modelled.bytesCopiedWriteback, 2 * 4 * 2 ** 20);
        else assert.ok(r.modelled.bytesCopiedWriteback >= 2 * 4 * 2 ** 20);
      } else {
        assert.is(r.modelled.peakTempPages, 0);
        assert.is(r.modelled.bytesCopiedWriteback, 0);
      }
      assert.is(r.vmstat.nr_writeback_temp, 0);
      assert.is(r.vmstat.nr_dirty, 0);
    });
  }

  test(`${policy}: a server crash aborts the connection; what it ended is lost and recorded, nothing corrupt`, () => {
    // The first requests go out within microseconds: before its first completion the FUSE bdi's threshold is
    // strictlimit's floor (31 pages on this machine), so the writers' first folios leave the freerun region
    // and start background writeback; they then pause until the next tick (4 ms). A server that takes 3 ms a
    // request still holds those requests when it dies at 2 ms.
    const slow = { per_request: { dist: "fixed", mean: "3ms" }, faults: { crash_at: "2ms" } };
    const r = runScenario(scenario(policy, { server: slow }), { module: debug, timing: false });
    assert.is(r.modelled.connectionAborts, 1);
    assert.ok(r.integrity.writesLost > 0, "pages in flight at the abort are not redirtied");
    assert.ok(r.integrity.filesWithErrors > 0, "mapping_set_error()");
    assert.is(r.integrity.corrupt, 0);
    assert.is(r.integrity.writesPersisted + r.integrity.writesLost + r.integrity.pending, r.integrity.pagesWritten);
  });

  test(`${policy}: a server that stops answering hangs the writers; nothing is lost, the data stays pending`, () => {
    const r = runScenario(scenario(policy, { server: { faults: { stop_at: "1ms" } } }), { module: debug, timing: false });
    assert.ok(r.modelled.hangs > 0);
    assert.not.ok(r.modelled.synced);
    assert.ok(r.integrity.pending > 0);
    assert.is(r.integrity.writesLost, 0);
    assert.is(r.integrity.corrupt, 0);
  });
}

for (const policy of ["legacy-copy", "nocopy", "nocopy-cancel"] as const) {
  test(`${policy}, data mode: every byte on the server is what the writers wrote, through migrations`, () => {
    // real 4 KiB contents: the writes' bytes, the temp copies, migration copies and the server's stores are all
    // memory.copy; integrity compares the backing store with the writers' image byte by byte
    const config = resolveScenario({
      machine: { memory: "64M" },
      policy,
      server: { threads: 2, per_request: { dist: "exponential", mean: "20us" } },
      workloads: [
        { type: "fio", rw: "randwrite", bs: "1k", size: "2M", numjobs: 2 },
        // alloc_contig_range moves every page-cache folio out of its range (MIGRATE_SYNC)
        { type: "highorder", kind: "contig", order: 9, interval: "5ms", hold: "500us" },
      ],
      run: { check_invariants: true, data_mode: true },
    }, "data");
    const r = runScenario(config, { module: debug, timing: false });
    assert.ok(r.modelled.synced);
    assert.ok(r.highOrder.pgmigrateSuccess > 0, "folios moved while the writers wrote");
    assert.is(r.integrity.corrupt, 0);
    assert.is(r.integrity.writesPersisted, r.integrity.pagesWritten);
  });
}

test("the same scenario and seed give byte-identical JSON; another seed changes a random latency run", () => {
  const release = coreModuleSync("release");
  const run = (seed: number) => JSON.stringify(runScenario({ ...scenario("nocopy", { seed }), run: { ...scenario("nocopy").run, seed, checkInvariants: false } }, { module: release, timing: false, samples: true }));
  const a = run(7), b = run(7), c = run(8);
  assert.is(a, b);
  assert.is.not(a, c);
});

test.run();

// The wb's stat items as percpu counters (include/linux/backing-dev.h wb_stat_mod() -> lib/percpu_counter.c
// percpu_counter_add_batch(), 6.12.118): a change is made on the running context's CPU, and a CPU's delta reaches
// the shared count only once it gets to WB_STAT_BATCH = 8 * (1 + ilog2(nr_cpu_ids)) either way. The bdi's debugfs
// stats (bdi_collect_stats(): wb_stat()) show the shared counts. Expected values follow from those two rules.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { harness } from "./helpers/harness.js";

const CTX_WRITER = 1, CTX_FLUSHER = 2;
type T = ReturnType<typeof harness>;
/** Writer 0, on CPU 0, writes pages [from, to) of its file, 4 KiB each: one order-0 folio newly dirtied a write. */
function writePages(t: T, from: number, to: number): void {
  t.h.harness_run_on(CTX_WRITER, 0);
  for (let i = from; i < to; i++) t.h.harness_do_write(0, i * 4096, 4096);
}

test("a writer's dirtied pages reach the shared WB_RECLAIMABLE count a batch at a time (8 CPUs: 32 pages)", () => {
  const t = harness("nocopy", 1024, {}, { cpus: 8 });
  writePages(t, 0, 31);
  // 31 pages dirtied: CPU 0's delta is 31 < 32, the shared count 0; the exact sum is 31
  assert.is(t.sim.bdiStats().BdiReclaimable, 0);
  assert.is(t.sim.stat("wb_reclaimable"), 31);
  writePages(t, 31, 32);
  // the 32nd: |31 + 1| >= 32, the delta goes into the shared count and CPU 0's is 0 again
  assert.is(t.sim.bdiStats().BdiReclaimable, 32);
  assert.is(t.sim.bdiStats().BdiDirtied, 32);
  writePages(t, 32, 33);
  assert.is(t.sim.bdiStats().BdiReclaimable, 32);
  assert.is(t.sim.stat("wb_reclaimable"), 33);
  t.ok();
});

test("one CPU: WB_STAT_BATCH is 8, so the shared count lags by at most 7 pages", () => {
  const t = harness("nocopy", 1024, {}, { cpus: 1 });
  writePages(t, 0, 7);
  assert.is(t.sim.bdiStats().BdiReclaimable, 0);
  writePages(t, 7, 8);
  assert.is(t.sim.bdiStats().BdiReclaimable, 8);
  t.ok();
});

test("the flusher counts WB_RECLAIMABLE down on its own CPU: the writer's undelivered delta stays in the reading", () => {
  const t = harness("nocopy", 1024, {}, { cpus: 8 });
  writePages(t, 0, 40);
  // CPU 0: 32 folded at the 32nd page, delta 8 left: shared 32, exact 40
  assert.is(t.sim.bdiStats().BdiReclaimable, 32);
  t.h.harness_run_on(CTX_FLUSHER, 0); // the flusher's kworker: CPU 1 (after the one fio job)
  t.h.harness_writeback(0);
  // the flusher cleans all 40 on CPU 1: its delta reaches -32 at the 32nd page (folded: shared 0), then -8 more
  // stay on CPU 1. The shared count reads 0 (percpu_counter_read_positive() of 0); the exact sum is 0 as well, with
  // +8 on CPU 0 and -8 on CPU 1
  assert.is(t.sim.stat("wb_reclaimable"), 0);
  assert.is(t.sim.bdiStats().BdiReclaimable, 0);
  t.ok();
});

test.run();

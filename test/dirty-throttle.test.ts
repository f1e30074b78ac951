// balance_dirty_pages() (mm/page-writeback.c, 6.15/6.16) on fixed inputs. Every expected value is worked out
// by hand from the kernel's formulas in the comment beside it (C integer arithmetic: division truncates
// toward zero, >> of a negative number rounds down), not taken from the model's output. HZ is 250 (the
// harness scenario's default), so roundup_pow_of_two(HZ) = 256 and MAX_PAUSE = HZ / 5 = 50.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { harness } from "./helpers/harness.js";
import { resolveScenario } from "../host/scenario/resolve.js";
import { runScenario } from "../host/sim/run-scenario.js";
import { coreModuleSync } from "../host/core/load-node.js";
import { Simulator } from "../host/sim/simulator.js";

const STRICT = 1, NOT_STRICT = 0;
const TASK_RATELIMIT = 0, MAX_PAUSE = 1, MIN_PAUSE = 2, NR_DIRTIED_PAUSE = 3, PERIOD = 4, PAUSE = 5;
const DIRTY_RATELIMIT = 0, BALANCED = 1, WRITE_BW = 2, AVG_WRITE_BW = 3;

test("pos_ratio_polynom(): 1 + ((setpoint - dirty) / (limit - setpoint))^3 in 1/1024, clamped to [0, 2]", () => {
  const { h } = harness("nocopy");
  // x = ((750 - 900) << 10) / (250 | 1) = -153600 / 251 = -611; x*x >> 10 = 373321 >> 10 = 364;
  // 364 * -611 >> 10 = -222404 >> 10 = -218; + 1024 = 806
  assert.is(h.harness_pos_ratio_polynom(750, 900, 1000), 806);
  // below the setpoint: x = 153600 / 251 = 611; 364 * 611 >> 10 = 217; 1241
  assert.is(h.harness_pos_ratio_polynom(750, 600, 1000), 1241);
  assert.is(h.harness_pos_ratio_polynom(750, 750, 1000), 1024); // at the setpoint: 1.0
  // at the limit the truncations leave a little: x = -256000 / 251 = -1019; 1019^2 >> 10 = 1014;
  // 1014 * -1019 >> 10 = -1010; 1024 - 1010 = 14
  assert.is(h.harness_pos_ratio_polynom(750, 1000, 1000), 14);
  // far below: x = (67500 << 10) / 12501 = 5529, x^3 >> 20 = 161188, + 1024, clamped to 2 << 10
  assert.is(h.harness_pos_ratio_polynom(87500, 20000, 100000), 2048);
});

// The strictlimit case, as for a FUSE bdi: thresh 100000, bg_thresh 50000, global dirty 20000, dirty_limit
// 100000, so freerun = 75000, setpoint = (75000 + 100000) / 2 = 87500 and the global pos_ratio is 2048.
// The wb: wb_thresh 1000, wb_bg_thresh 500, so its setpoint is (1000 + 500) / 2 = 750.
test("wb_position_ratio() under strictlimit: the smaller of the global and the wb's cubic", () => {
  const { h } = harness("nocopy");
  const wb = (wbDirty: number, dirty = 20000) => {
    h.harness_dtc_set(STRICT, 100000, 50000, dirty, 1000, 500, wbDirty, 100000);
    return h.harness_wb_position_ratio();
  };
  assert.is(wb(900), 806); // min(2048, polynom(750, 900, 1000) = 806)
  assert.is(wb(600), 1241); // min(2048, 1241): below the wb's setpoint the rate may rise
  assert.is(wb(1000), 0); // wb_dirty >= wb_thresh: stop
  // 6.16 has no wb_dirty < 8 case (6.14's consolidation): polynom(750, 5, 1000) clamps at 2048
  assert.is(wb(5), 2048);
  assert.is(wb(900, 100000), 0); // the global dirty count at the hard limit stops everyone
});

test("wb_position_ratio() without strictlimit: the global cubic scaled by the wb's control line", () => {
  const { h } = harness("nocopy");
  // global: thresh 100000, bg 50000, dirty 80000: x = (7500 << 10) / 12501 = 614; 614^2 >> 10 = 368;
  // 368 * 614 >> 10 = 220; pos_ratio = 1244. The wb: wb_thresh 40000 (>= (100000 - 80000) / 8), write_bw 10000:
  // x = (40000 << 16) / 100001 = 26214; wb_setpoint = 87500 * 26214 >> 16 = 34999;
  // span = (100000 - 40000 + 8 * 10000) * 26214 >> 16 = 55999; x_intercept = 90998.
  h.harness_wb_set(10000, 10000, 25600, 25600);
  h.harness_dtc_set(NOT_STRICT, 100000, 50000, 80000, 40000, 20000, 30000, 100000);
  // 30000 < 90998 - 55999 / 4: 1244 * (90998 - 30000) / (55999 | 1) = 75881512 / 55999 = 1355
  assert.is(h.harness_wb_position_ratio(), 1355);
  // wb_dirty 5000: 1244 * 85998 / 55999 = 1910; then the reserve area (wb_dirty < wb_thresh / 2 = 20000, and
  // > 20000 / 8): 1910 * 20000 / 5000 = 7640
  h.harness_dtc_set(NOT_STRICT, 100000, 50000, 80000, 40000, 20000, 5000, 100000);
  assert.is(h.harness_wb_position_ratio(), 7640);
});

test("task_ratelimit, wb_max_pause(), wb_min_pause(), nr_dirtied_pause and the pause for a 1 MiB folio", () => {
  const { h } = harness("nocopy");
  h.harness_dtc_set(STRICT, 100000, 50000, 20000, 1000, 500, 900, 100000);
  assert.is(h.harness_wb_position_ratio(), 806);
  h.harness_wb_set(25600, 25600, 25600, 25600); // INIT_BW everywhere: 100 MB/s in pages
  h.harness_bdp_pause(256, 0);
  const r = (i: number) => h.harness_bdp_result(i);
  assert.is(r(TASK_RATELIMIT), 20150); // 25600 * 806 >> 10
  // wb_max_pause: 900 / (1 + 25600 / roundup_pow_of_two(1 + 250 / 8) = 32) = 900 / 801 = 1, + 1 = 2 jiffies
  assert.is(r(MAX_PAUSE), 2);
  // wb_min_pause: hi = lo = ilog2(25600) = 14; t = max(1, 250 / 100) = 2 = min(2, 1 + 2 / 2);
  // pages = 25600 * 2 / 256 = 200 >= DIRTY_POLL_THRESH (32); pause = 250 * 200 / 20151 = 2 <= max_pause;
  // min_pause = 1 + t / 2 = 2, nr_dirtied_pause = 200
  assert.is(r(MIN_PAUSE), 2);
  assert.is(r(NR_DIRTIED_PAUSE), 200);
  // period = HZ * pages_dirtied / task_ratelimit = 250 * 256 / 20150 = 3 jiffies, no think time: pause 3
  // (the loop then sleeps max_pause = 2 and moves dirty_paused_when one jiffy further on)
  assert.is(r(PERIOD), 3);
  assert.is(r(PAUSE), 3);
  // 2 jiffies of think time since the last pause: 3 - 2 = 1 < min_pause, no sleep
  h.harness_bdp_pause(256, 2);
  assert.is(r(PAUSE), 1);
});

test("a collapsed dirty_ratelimit: nr_dirtied_pause 0 and a period far beyond MAX_PAUSE", () => {
  const { h } = harness("nocopy");
  h.harness_dtc_set(STRICT, 100000, 50000, 20000, 1000, 500, 900, 100000);
  h.harness_wb_position_ratio();
  h.harness_wb_set(25600, 25600, 100, 100);
  h.harness_bdp_pause(256, 0);
  const r = (i: number) => h.harness_bdp_result(i);
  assert.is(r(TASK_RATELIMIT), 78); // 100 * 806 >> 10
  // wb_min_pause: lo = ilog2(100) = 6, t = 2 + (14 - 6) * 2500 / 1024 = 21, min(21, 1 + 2 / 2) = 2;
  // pages = 100 * 2 / 256 = 0 < 32, so t = max_pause = 2 and pages = 0 again; min_pause = t = 2
  assert.is(r(MIN_PAUSE), 2);
  assert.is(r(NR_DIRTIED_PAUSE), 0);
  assert.is(r(PERIOD), 820); // 250 * 256 / 78: every folio is worth more than MAX_PAUSE (50)
});

test("dirty_poll_interval(): 2^(ilog2(thresh - dirty) / 2) pages until the next check", () => {
  const { h } = harness("nocopy");
  assert.is(h.harness_dirty_poll_interval(600, 1000), 16); // ilog2(400) = 8
  assert.is(h.harness_dirty_poll_interval(0, 92226), 256); // ilog2(92226) = 16
  assert.is(h.harness_dirty_poll_interval(1000, 1000), 1);
});

test("__wb_calc_thresh(): the writeout fraction (fprop starts at 1 global event), the 6.14+ bump, then max_ratio", () => {
  {
    // max_ratio 1 %: 10000 ppm, max_prop_frac = 1024 * 10000 / 1000000 = 10. nocopy runs 6.16: the consolidated
    // bump, max(wb_thresh, (thresh - dirty) / 100) under strictlimit, before the max_ratio cap
    const { h } = harness("nocopy");
    h.harness_dtc_set(STRICT, 100000, 50000, 20000, 0, 0, 0, 100000);
    // no completion yet: fraction 0/1, wb_thresh 0; bumped to (100000 - 20000) / 100 = 800, under the cap 1000
    assert.is(h.harness_wb_calc_thresh(100000), 800);
    // 256 pages written: the fraction may not pass 10/1024, so one event is counted: 1 of 2 (the global
    // count started at 1). 100000 / 2 = 50000, capped at 100000 * 1 % = 1000
    h.harness_wb_writeout(256);
    assert.is(h.harness_wb_calc_thresh(100000), 1000);
    // the background threshold: 25000 (the bump, (50000 - 20000) / 100 = 300, does not bind), capped at 500
    assert.is(h.harness_wb_calc_thresh(50000), 500);
  }
  {
    // 6.12: no bump in __wb_calc_thresh(), so an idle wb's share is 0
    const { h } = harness("legacy-copy", 1024, {}, { kernel: "6.12" });
    h.harness_dtc_set(STRICT, 100000, 50000, 20000, 0, 0, 0, 100000);
    assert.is(h.harness_wb_calc_thresh(100000), 0);
  }
  {
    const { h } = harness("nocopy", 1024, {}, { bdi: { max_ratio: 100 } });
    h.harness_dtc_set(STRICT, 100000, 50000, 20000, 0, 0, 0, 100000);
    assert.is(h.harness_wb_calc_thresh(100000), 800); // the bump: 80000 / 100, under the cap 100000
    // max_prop_frac = FPROP_FRAC_BASE: every event counts, 256 of 257
    h.harness_wb_writeout(256);
    assert.is(h.harness_wb_calc_thresh(100000), 99610); // 100000 * 256 / 257
  }
});

test("wb_update_dirty_ratelimit(): steps only when task_ratelimit agrees, damped near the target", () => {
  const { h } = harness("nocopy");
  h.harness_dtc_set(STRICT, 100000, 50000, 20000, 1000, 500, 900, 100000);
  h.harness_wb_position_ratio(); // 806
  h.harness_wb_set(25600, 25600, 25600, 25600);
  h.harness_wb_stamps_set(0, 0);
  // 10240 pages dirtied in 50 jiffies: dirty_rate = 10240 * 250 / 50 = 51200; task_ratelimit = 20150 + 1;
  // balanced = 20151 * 25600 / (51200 | 1) = 10075. wb_dirty 900 >= the wb setpoint 750, so
  // x = max(25600, 10075, 20151) = 25600: no step
  h.harness_wb_update_dirty_ratelimit(10240, 50);
  assert.is(h.harness_wb_estimate(DIRTY_RATELIMIT), 25600);
  assert.is(h.harness_wb_estimate(BALANCED), 10075);
  // again: x = max(10075, 10075, 20151) = 20151, step = 5449; shift = 25600 / 10899 = 2;
  // step = DIV_ROUND_UP(5449 >> 2, 8) = 171; dirty_ratelimit = 25600 - 171
  h.harness_wb_update_dirty_ratelimit(10240, 50);
  assert.is(h.harness_wb_estimate(DIRTY_RATELIMIT), 25429);
});

test("wb_update_write_bandwidth(): averaged over roundup_pow_of_two(3 * HZ) = 1024 jiffies, then smoothed", () => {
  const { h } = harness("nocopy");
  h.harness_wb_set(25600, 25600, 25600, 25600);
  h.harness_wb_stamps_set(0, 0);
  // bw = (12800 * 250 + 25600 * (1024 - 50)) >> 10 = 27475; avg stays (neither smoothing rule applies)
  h.harness_wb_update_write_bandwidth(50, 12800);
  assert.is(h.harness_wb_estimate(WRITE_BW), 27475);
  assert.is(h.harness_wb_estimate(AVG_WRITE_BW), 25600);
  // next period: bw = (12800 * 250 + 27475 * 974) >> 10 = 29258; avg < old <= bw: avg += (27475 - 25600) >> 3
  h.harness_wb_stamps_set(0, 12800);
  h.harness_wb_update_write_bandwidth(50, 25600);
  assert.is(h.harness_wb_estimate(WRITE_BW), 29258);
  assert.is(h.harness_wb_estimate(AVG_WRITE_BW), 25834);
});

test("global_dirtyable_memory(): free pages less totalreserve_pages (a 64 MiB machine at boot)", () => {
  // THP off: khugepaged would raise min_free_kbytes (test/watermarks-thp.test.ts derives that case)
  const { h, sim } = harness("nocopy", 1024, {}, { thp: false });
  // 64M: DMA32 4096 pages, Normal 12288. min_free_kbytes = int_sqrt(16384 * 4 * 16) = 1024, pages_min 256.
  // DMA32: min 64, tmp max(16, 4) = 16, high 96; lowmem_reserve for Normal/Movable 12288 / 256 = 48.
  // Normal: min 192, tmp max(48, 12) = 48, high 288; no reserve (nothing above it). 144 + 288 = 432.
  assert.is(h.harness_totalreserve_pages(), 432);
  // dirtyable = 16384 free - 432 + 0 file LRU + 1 = 15953; thresh = (20 * 4096 / 100 = 819) * 15953 / 4096
  const s = sim.bdiStats();
  assert.is(s.dirtyable, 15953);
  assert.is(s.DirtyThresh, 3189);
  assert.is(s.BackgroundThresh, 1592); // (10 * 4096 / 100 = 409) * 15953 / 4096 = 6524777 / 4096
});

test("when background writeback starts for a strictlimit wb: at the freerun ceiling (6.1-6.18), at wb_bg_thresh with machine.bdi.wb_bg_start", () => {
  // max-ratio-sweep.json's machine: DirtyThresh 89,305 and background 44,598 pages at boot (README, "The bdi
  // share"). At the first writes the wb's writeout fraction is 0, so 6.16's __wb_calc_thresh() gives the bump:
  // wb_thresh(d) = min((89305 - d) / 100, 89305 * 1 % = 893) with d the dirty pages (nothing under writeback yet),
  // wb_bg_thresh(d) = wb_thresh(d) * 44598 / 89305, the freerun ceiling (wb_thresh + wb_bg_thresh) / 2. Nothing
  // else starts the flusher here (the global bg threshold is far away; the kupdate timer is 5 s off), so the first
  // folio goes under writeback at the first balance_dirty_pages() past the ceiling, or past wb_bg_thresh with the
  // what-if. A writer polls at most every 32 pages (nr_dirtied_pause starts at 32): it gets at most that far past.
  const wbThresh = (d: number): number => Math.min(Math.floor((89305 - d) / 100), 893);
  const wbBg = (d: number): number => Math.floor((wbThresh(d) * 44598) / 89305);
  const ceiling = (d: number): number => Math.floor((wbThresh(d) + wbBg(d)) / 2);
  const release = coreModuleSync("release");
  const firstWriteback = (wbBgStart: boolean): { pages: number; peakDirty: number; whatIf: string[] } => {
    const r = runScenario(resolveScenario({
      machine: { memory: "1816M", bdi: { wb_bg_start: wbBgStart } },
      fuse: { max_pages: 256, max_write: "1M", writeback_cache: true },
      policy: "nocopy",
      server: { name: "s", threads: 4, per_request: { dist: "fixed", mean: "2us" }, per_byte_ns: 1, splice: false, privileged: true, backing: "external" },
      workloads: [{ type: "fio", rw: "write", bs: "4k", size: "16M", numjobs: 1 }],
      run: { duration: "0", seed: 1, sample_interval: "10us" },
    }, "bg-start"), { module: release, timing: false, samples: true });
    const first = r.samples!.find((x) => x.nr_writeback > 0)!;
    return { pages: first.bytes_written / 4096, peakDirty: r.modelled.peakNrDirty, whatIf: r.whatIf };
  };
  const kernel = firstWriteback(false), fixed = firstWriteback(true);
  const k = kernel.pages, f = fixed.pages;
  assert.ok(k > ceiling(k) && k <= ceiling(k) + 32, `6.16: first writeback after ${k} pages; expected just past the freerun ceiling ${ceiling(k)}`);
  assert.ok(f > wbBg(f) && f <= wbBg(f) + 32, `what-if: first writeback after ${f} pages; expected just past wb_bg_thresh ${wbBg(f)}`);
  // without the what-if dirty pages reach the ceiling before each flusher run; with it the flusher starts below
  assert.ok(kernel.peakDirty >= ceiling(kernel.peakDirty), `6.16: peak nr_dirty ${kernel.peakDirty}, expected the ceiling or more`);
  assert.ok(fixed.peakDirty < ceiling(fixed.peakDirty), `what-if: peak nr_dirty ${fixed.peakDirty}, expected below the ceiling`);
  assert.equal(kernel.whatIf, []);
  assert.match(fixed.whatIf[0]!, /machine\.bdi\.wb_bg_start: true/);
});

test("BDI_CAP_WRITEBACK_ACCT per kernel: bw_dwork refreshes the bandwidth after writeback drains on 6.18, never on 6.16", () => {
  // 6.16's fuse_bdi_init() clears BDI_CAP_WRITEBACK_ACCT and fuse_writepage_finish() counts the writeout itself,
  // so __folio_end_writeback() never calls wb_inode_writeback_end(); 6.18 ("fuse: use default writeback
  // accounting") keeps the flag, and each time an inode's last folio leaves writeback bw_dwork is queued
  // BANDWIDTH_INTERVAL later (one at a time: queue_delayed_work() does not queue a pending work again).
  const dworks = (kernel: "6.16" | "6.18"): number => {
    const sim = new Simulator(resolveScenario({
      machine: { memory: "256M", kernel },
      policy: "nocopy",
      server: { threads: 2, per_request: { dist: "fixed", mean: "5us" } },
      workloads: [{ type: "fio", rw: "write", bs: "1M", size: "32M", numjobs: 1 }],
    }, "wb-acct"), coreModuleSync("release"));
    sim.run();
    return sim.stat("wb_bw_dwork");
  };
  assert.is(dworks("6.16"), 0);
  assert.ok(dworks("6.18") > 0, "6.18 runs the delayed bandwidth update");
});

test("generic_perform_write() per kernel: balance_dirty_pages_ratelimited() after write_end on 6.1, before write_begin on 6.12+", () => {
  // A fresh task has nr_dirtied_pause 32 (128 >> (PAGE_SHIFT - 10)); each 4 KiB write dirties one order-0 folio
  // (folio_account_dirtied(): nr_dirtied + 1), and on a fresh FUSE bdi (strictlimit, wb_thresh near 0, 6.1/6.12's
  // rules) the first balance_dirty_pages() call pauses. 6.1.192 checks after write_end: the 32nd write's own check
  // pauses. 6.12.118 checks at the top of each chunk: the 32nd write's page waits for the 33rd write's first check,
  // so a job of exactly 32 writes ends without one.
  const pauses = (kernel: "6.1" | "6.12", pages: number): number => {
    const sim = new Simulator(resolveScenario({
      machine: { memory: "1G", kernel },
      policy: "legacy-copy",
      workloads: [{ type: "fio", rw: "write", bs: "4k", size: pages * 4096, numjobs: 1 }],
    }, "bdp-placement"), coreModuleSync("release"));
    sim.run();
    return sim.stat("bdp_pauses");
  };
  assert.equal([pauses("6.1", 31), pauses("6.1", 32), pauses("6.1", 33)], [0, 1, 1]);
  assert.equal([pauses("6.12", 31), pauses("6.12", 32), pauses("6.12", 33)], [0, 0, 1]);
});

test.run();

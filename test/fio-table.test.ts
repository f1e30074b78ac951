// The fio table of the copy-free patch (DESIGN.md 1.2) on the kernel's own configuration: passthrough_ll -o
// writeback -o max_threads=4, order-0 page cache on both paths (no released kernel gives FUSE files large folios),
// FUSE's strictlimit bdi at max_ratio 1 %, balance_dirty_pages() as mm/page-writeback.c has it, each row the mean of
// the published method's 10 runs on one mount.
//
// What the model gives is NOT the published table (README, "The fio table"): the 1k gain comes out 3 points
// lower, the 4k gain negative and the 1M gain 19 points short of the published one. These tests pin the model's own numbers so that a change to them is seen and
// explained, and check what the model does share with the published rows; they are not a claim that the model
// reproduces the measurement.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { parseScenario } from "../host/scenario/resolve.js";
import { fioTable, type FioTableRow } from "../host/sim/fio-table.js";
import { coreModuleSync } from "../host/core/load-node.js";

const base = parseScenario(readFileSync(new URL("../scenarios/default.json", import.meta.url), "utf8"), "default.json");
const rows = fioTable(base, coreModuleSync("release"));
const row = (bs: FioTableRow["bs"]): FioTableRow => rows.find((r) => r.bs === bs)!;

test("fio table: the model's MiB/s on each row, pinned within 2 % (a regression pin, not the published numbers)", () => {
  // recorded from `fusewb fio-table --json` on the commit that introduced this pin; a deliberate model change
  // updates them here and in the README together
  // (the mean of 10 runs, then the first run alone)
  const pinned: Record<FioTableRow["bs"], [number, number, number, number]> = {
    "1k": [281, 265, 285, 268], "4k": [1308, 1101, 998, 993], "1M": [1400, 1753, 1261, 1657],
  };
  // Session 21 moved them with the writer's own walks (fsync, close, fadvise) sending each request once its fill's
  // time has passed, as the flusher's do: the close is outside fio's clock, so only runs 2-10 moved (were 280, 265,
  // 285, 268; 1309, 1101, 998, 993; 1401, 1740, 1261, 1657).
  // Then each close's asynchronous FUSE_RELEASE (were 1317, 1102, 998, 993 at 4k; 1k and 1M unchanged).
  // Then the writer's charge for queueing its walk's requests (were 280, 265, 285, 268; 1315, 1101, 998, 993; 1402,
  // 1753, 1261, 1657).
  // Session 18 (2026-12-07) moved them with fio's own clock: the run's time ends at the jobs' last write(2) (fio's
  // update_runtime() comes before close_and_free_files()), and a later run's open drops the file's cached pages
  // inside that time, each folio charged pagecache_remove (were 284, 268, 285, 268; 1402, 1162, 996, 992; 1499,
  // 1898, 1257, 1655).
  // Then the writers' wake-ups too: a server's reply wakes a writer waiting on its synchronous request (at 1k, each
  // page's FUSE_READ) after the reply's own work (were 320, 301, 319, 301; 1398, 1162, 997, 992; 1499, 1905, 1257, 1655).
  // Session 17 (2026-12-07) moved them with the kernel's order of events: a request the flusher fills reaches the
  // connection once the kworker's time for the fill has passed (fuse_writepages_send() runs inside the walk after the
  // request's last page), and a wake-up (the flusher's kick, a server worker's) is the waker's, at its own virtual
  // time (were 324, 299, 322, 300; 1405, 1165, 997, 992; 1563, 1942, 1324, 1655).
  // Session 15 (2026-12-07) moved them three times, each a kernel rule: 6.12+'s generic_perform_write() calls
  // balance_dirty_pages_ratelimited() at the top of each chunk (it was after write_end, 6.1's place; both paths here
  // run 6.15 and 6.16), so no check follows a job's last write, and at 1k the legacy runs after the second no longer
  // settle 3 % slower (were 321, 299, 328, 299; 1391, 1165, 1003, 1003; 1562, 1935, 1310, 1676); each fio run's
  // jobs are new tasks whose throttle state starts afresh (copy_process(); 1k and 4k legacy were 328 and 1373); the
  // wb's stat items are percpu counters read as the kernel reads them (wb_stat() above 2 * wb_stat_error(); were
  // 326, 299, 328, 299; 1390, 1166, 1003, 1003; 1562, 1939, 1319, 1672).
  // 4k and 1M moved when balance_dirty_pages()'s pause (io_schedule_timeout()) got the timer wheel's round-up: a
  // pause of p ticks ends at the start of tick jiffies + p + 1, not jiffies + p, so throttled writers average
  // task_ratelimit instead of about twice it (were 1698, 1692, 1542, 1254 and 1707, 2459, 1617, 2123); 1k never
  // throttles. Before that, 1k moved with the server fixes of branch s12-server (was 307, 303, 307, 302).
  for (const r of rows) {
    const [legacy, nocopy, legacy1, nocopy1] = pinned[r.bs];
    assert.is(r.runs, 10);
    assert.ok(Math.abs(r.legacyMiBps / legacy - 1) <= 0.02, `${r.bs} legacy: ${r.legacyMiBps} MiB/s, pinned ${legacy}`);
    assert.ok(Math.abs(r.nocopyMiBps / nocopy - 1) <= 0.02, `${r.bs} copy-free: ${r.nocopyMiBps} MiB/s, pinned ${nocopy}`);
    assert.ok(Math.abs(r.firstRunLegacyMiBps / legacy1 - 1) <= 0.02, `${r.bs} legacy, first run: ${r.firstRunLegacyMiBps} MiB/s, pinned ${legacy1}`);
    assert.ok(Math.abs(r.firstRunNocopyMiBps / nocopy1 - 1) <= 0.02, `${r.bs} copy-free, first run: ${r.firstRunNocopyMiBps} MiB/s, pinned ${nocopy1}`);
  }
});

test("fio table: at 1M copy-free writes faster than the temp-page copy, as in the published row", () => {
  // the legacy flusher copies every page into a fresh UNMOVABLE page before the request goes out; copy-free sends
  // the folio itself, so its writeback drains the bdi's strictlimit share faster
  assert.ok(row("1M").nocopyMiBps > row("1M").legacyMiBps, `${row("1M").nocopyMiBps} against ${row("1M").legacyMiBps}`);
});

test("fio table: at 1k both paths wait on the same reads, and copy-free is the slower one, as in the published row", () => {
  // fio's layout gave each file its size, so every page's first 1 KiB write reads it (fuse_write_begin()); the
  // writers never reach the dirty limits and both paths pay the same round trips (test/fuse-rules.test.ts counts them).
  // The published gain is -2.8 %; the model's is lower (-5.8 % on the model of 2026-12-07, session 17: README, "The fio table")
  assert.ok(row("1k").gainPct < 0, `1k gain ${row("1k").gainPct} %`);
});

test("fio table: the published numbers are carried beside the model's, unchanged", () => {
  assert.equal(rows.map((r) => [r.bs, r.publishedLegacyMiBps, r.publishedNocopyMiBps]), [["1k", 351, 341], ["4k", 1818, 2246], ["1M", 1851, 2685]]);
});

test.run();

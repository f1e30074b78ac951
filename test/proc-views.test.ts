// The /proc views against text derived by hand from the kernel's format strings (mm/vmstat.c, mm/page_owner.c).
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { ZoneView } from "../host/core/allocator-model.js";
import {
  MIGRATE_CMA,
  MIGRATE_ISOLATE,
  MIGRATE_MOVABLE,
  MIGRATE_TYPES,
  MIGRATE_UNMOVABLE,
  NR_PAGE_ORDERS,
} from "../host/core/constants.js";
import {
  formatBuddyinfo,
  formatExtfragIndex,
  formatPagetypeinfo,
  formatUnusableIndex,
  fragmentationIndex,
  procJson,
  unusableFreeIndex,
} from "../host/proc/index.js";

/** A zone whose free lists hold `free[mt][order]` buddies; everything else is zero. */
function zoneView(
  name: string,
  managedPages: number,
  free: { [mt: number]: { [order: number]: number } },
  blocks: number[] = [0, 0, 0, 0, 0, 0],
  mixed: number[] = [0, 0, 0, 0, 0, 0],
): ZoneView {
  const freeCount = Array.from({ length: MIGRATE_TYPES }, (_, mt) =>
    Array.from({ length: NR_PAGE_ORDERS }, (_, order) => free[mt]?.[order] ?? 0),
  );
  return {
    name,
    startPfn: 0,
    managedPages,
    freeCount,
    blocks,
    mixed,
    nrFreePages: 0,
    nrFreeCmaPages: 0,
    nrFreeHighatomic: 0,
    nrReservedHighatomic: 0,
    watermark: { min: 0, low: 0, high: 0 },
    watermarkBoost: 0,
    lowmemReserve: [0, 0, 0],
    pcp: { count: 0, high: 0, batch: 1, highMin: 0, highMax: 0 },
  };
}

/** "%6lu " of 0. */
const Z6 = "     0 ";

test("buddyinfo: frag_show_print, one line per populated zone, all migratetypes summed", () => {
  const dma32 = zoneView("DMA32", 4096, {
    [MIGRATE_UNMOVABLE]: { 0: 3 },
    [MIGRATE_MOVABLE]: { 0: 5, 10: 2 },
    [MIGRATE_ISOLATE]: { 3: 1 }, // nr_free counts ISOLATE lists too
  });
  const normal = zoneView("Normal", 1 << 20, { [MIGRATE_MOVABLE]: { 1: 123456, 2: 1234567 } });
  const movable = zoneView("Movable", 0, {}); // !populated_zone(): not printed
  // "Node %d, zone %8s " then "%6lu " per order, then '\n'; %6lu pads but never truncates.
  const expected =
    "Node 0, zone    DMA32 " + "     8 " + Z6 + Z6 + "     1 " + Z6.repeat(6) + "     2 " + "\n" +
    "Node 0, zone   Normal " + Z6 + "123456 " + "1234567 " + Z6.repeat(8) + "\n";
  assert.is(formatBuddyinfo([dma32, normal, movable]), expected);
  assert.is(formatBuddyinfo([movable]), "");
});

test("pagetypeinfo: header, free counts with the 100000 walk cap, blocks and mixed tables", () => {
  const normal = zoneView(
    "Normal",
    1 << 20,
    {
      [MIGRATE_UNMOVABLE]: { 0: 99999 }, // below the cap: printed as is
      [MIGRATE_MOVABLE]: { 9: 150000, 10: 100000 }, // ++freecount >= 100000 stops the walk: ">100000"
      [MIGRATE_CMA]: { 2: 7 },
    },
    [1, 30, 0, 1, 2, 0],
    [1, 0, 0, 0, 0, 0],
  );
  // "%-43s " of the 42-char title leaves two spaces; "%6d " per order.
  const header = "Free pages count per migrate type at order " + " " +
    "     0      1      2      3      4      5      6      7      8      9     10 \n";
  // "Node %4d, zone %8s, type %12s " then "%s%6lu " per order.
  const row = (type: string): string => `Node    0, zone   Normal, type ${type} `;
  // "\n%-23s" of a title, then "%12s " per migratetype_names[].
  const names = "   Unmovable      Movable  Reclaimable   HighAtomic          CMA      Isolate \n";
  const expected =
    "Page block order: 9\n" +
    "Pages per block:  512\n" +
    "\n" +
    header +
    row("   Unmovable") + " 99999 " + Z6.repeat(10) + "\n" +
    row("     Movable") + Z6.repeat(9) + ">100000 " + ">100000 " + "\n" +
    row(" Reclaimable") + Z6.repeat(11) + "\n" +
    row("  HighAtomic") + Z6.repeat(11) + "\n" +
    row("         CMA") + Z6 + Z6 + "     7 " + Z6.repeat(8) + "\n" +
    row("     Isolate") + Z6.repeat(11) + "\n" +
    "\nNumber of blocks type  " + names +
    // "Node %d, zone %8s " then "%12lu " per type.
    "Node 0, zone   Normal            1           30            0            1            2            0 \n" +
    "\nNumber of mixed blocks " + names +
    "Node 0, zone   Normal            1            0            0            0            0            0 \n";
  assert.is(formatPagetypeinfo([normal]), expected);
  assert.is(formatPagetypeinfo([]), ""); // memoryless node
});

test("extfrag: only order-0 pages free", () => {
  const zone = zoneView("Normal", 4096, { [MIGRATE_MOVABLE]: { 0: 1000 } });
  // free_pages 1000, free_blocks_total 1000, suitable 0 for every order > 0:
  // order 9: 1000 - (1000 + 1000*1000/512) / 1000 = 1000 - (1000 + 1953) / 1000 = 1000 - 2 = 998.
  assert.is(fragmentationIndex(zone, 9), 998);
  // order 0: 1000 suitable blocks, the request would succeed.
  assert.is(fragmentationIndex(zone, 0), -1000);
  // order 1: 1000 - (1000 + 500000) / 1000 = 499; order 10: 1000 - (1000 + 976) / 1000 = 999.
  assert.is(fragmentationIndex(zone, 1), 499);
  assert.is(fragmentationIndex(zone, 10), 999);
  // unusable: (1000 - (suitable << order)) * 1000 / 1000: 0 at order 0, 1000 above.
  assert.is(unusableFreeIndex(zone, 0), 0);
  assert.is(unusableFreeIndex(zone, 9), 1000);
  // "%2d.%03d " of index/1000, index%1000: -1000 → "-1.000", 499 → " 0.499".
  // orders 2..8: 1000 - (1000 + 10^6 >> order) / 1000 = 749, 874, 937, 968, 984, 992, 996.
  assert.is(
    formatExtfragIndex([zone]),
    "Node 0, zone   Normal -1.000  0.499  0.749  0.874  0.937  0.968  0.984  0.992  0.996  0.998  0.999 \n",
  );
  // "%d.%03d ".
  assert.is(formatUnusableIndex([zone]), "Node 0, zone   Normal 0.000 " + "1.000 ".repeat(10) + "\n");
});

test("extfrag: mixed orders, ISOLATE buddies counted", () => {
  // 4 order-0 + 2 order-1 + 1 order-3 (on ISOLATE: free_area nr_free counts it): 16 pages, 7 blocks.
  const zone = zoneView("DMA32", 4096, {
    [MIGRATE_UNMOVABLE]: { 0: 4 },
    [MIGRATE_MOVABLE]: { 1: 2 },
    [MIGRATE_ISOLATE]: { 3: 1 },
  });
  assert.is(fragmentationIndex(zone, 3), -1000); // the order-3 buddy fits
  // order 4: 1000 - (1000 + 16*1000/16) / 7 = 1000 - 2000/7 = 1000 - 285 = 715.
  assert.is(fragmentationIndex(zone, 4), 715);
  // order 5: 1000 - (1000 + 16000/32) / 7 = 1000 - 1500/7 = 1000 - 214 = 786.
  assert.is(fragmentationIndex(zone, 5), 786);
  // order 1: suitable = 2 + (1 << 2) = 6 → (16 - 12) * 1000 / 16 = 250.
  assert.is(unusableFreeIndex(zone, 1), 250);
  // order 2: suitable = 1 << 1 = 2 → (16 - 8) * 1000 / 16 = 500.
  assert.is(unusableFreeIndex(zone, 2), 500);
  assert.is(unusableFreeIndex(zone, 4), 1000);
});

test("extfrag: one lone buddy gives the kernel's negative index and its odd print", () => {
  const zone = zoneView("Normal", 4096, { [MIGRATE_MOVABLE]: { 8: 1 } });
  // order 9: suitable 0, total 1: 1000 - (1000 + 256*1000/512) / 1 = -500 (u64 result cast to int).
  assert.is(fragmentationIndex(zone, 9), -500);
  // order 10: 1000 - (1000 + 256000/1024) = -250.
  assert.is(fragmentationIndex(zone, 10), -250);
  // "%2d.%03d ": -500/1000 = 0, -500%1000 = -500 → " 0.-500 "; orders 0..8 → -1000 → "-1.000 ".
  assert.is(formatExtfragIndex([zone]), "Node 0, zone   Normal " + "-1.000 ".repeat(9) + " 0.-500  0.-250 \n");
  // unusable: 0 up to order 8, then (256 - 0) * 1000 / 256 = 1000.
  assert.is(formatUnusableIndex([zone]), "Node 0, zone   Normal " + "0.000 ".repeat(9) + "1.000 1.000 \n");
});

test("extfrag: a zone without free pages", () => {
  const zone = zoneView("Movable", 4096, {});
  // free_blocks_total == 0 → 0; free_pages == 0 → 1000 (all of nothing is unusable).
  assert.is(formatExtfragIndex([zone]), "Node 0, zone  Movable " + " 0.000 ".repeat(11) + "\n");
  assert.is(formatUnusableIndex([zone]), "Node 0, zone  Movable " + "1.000 ".repeat(11) + "\n");
  assert.is(fragmentationIndex(zone, 11), 0); // order > MAX_PAGE_ORDER: WARN_ON_ONCE, 0
});

test("procJson: the same numbers, keyed by zone and type name", () => {
  const normal = zoneView(
    "Normal",
    4096,
    { [MIGRATE_UNMOVABLE]: { 0: 4 }, [MIGRATE_MOVABLE]: { 1: 2, 9: 150000 }, [MIGRATE_ISOLATE]: { 3: 1 } },
    [1, 6, 0, 0, 1, 0],
    [0, 1, 0, 0, 0, 0],
  );
  const json = procJson([normal, zoneView("Movable", 0, {})]);
  assert.equal(Object.keys(json.buddyinfo), ["Normal"]);
  assert.equal(json.buddyinfo["Normal"], [4, 2, 0, 1, 0, 0, 0, 0, 0, 150000, 0]);
  const free = json.pagetypeinfo.free["Normal"];
  assert.equal(Object.keys(free ?? {}), ["Unmovable", "Movable", "Reclaimable", "HighAtomic", "CMA", "Isolate"]);
  assert.equal(free?.Movable, [0, 2, 0, 0, 0, 0, 0, 0, 0, 150000, 0]); // true count, no walk cap
  assert.equal(free?.Isolate, [0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
  assert.equal(json.pagetypeinfo.blocks["Normal"], { Unmovable: 1, Movable: 6, Reclaimable: 0, HighAtomic: 0, CMA: 1, Isolate: 0 });
  assert.equal(json.pagetypeinfo.mixed["Normal"], { Unmovable: 0, Movable: 1, Reclaimable: 0, HighAtomic: 0, CMA: 0, Isolate: 0 });
  // Orders 0..9 succeed; order 10: suitable 0, total 150007, pages 4+4+8+150000*512:
  // 1000 - (1000 + 76800016*1000/1024) / 150007 = 1000 - 75001015 / 150007 = 1000 - 499 = 501
  // (150007 * 500 = 75003500 is already too much).
  assert.equal(json.extfrag["Normal"], [-1000, -1000, -1000, -1000, -1000, -1000, -1000, -1000, -1000, -1000, 501]);
  // unusable order 1: suitable = 2 + 2 + 150000*256 → (76800016 - 76800012) * 1000 / 76800016 = 0.
  assert.is(json.unusable["Normal"]?.[1], 0);
  assert.is(json.unusable["Normal"]?.[10], 1000);
  assert.equal(json.pagesets["Normal"], { count: 0, high: 0, batch: 1, highMin: 0, highMax: 0 }); // the test views' boot pageset
});

test.run();

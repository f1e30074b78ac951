// Allocator decisions on small traces, each expected value derived from the kernel's rules in a comment
// (mm/page_alloc.c, 6.15 unless said). All machines here are one node: ALLOC_NOFRAGMENT is set whenever
// the preferred zone is Normal (alloc_flags_nofragment).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { WasmAllocator } from "../host/core/wasm-allocator.js";
import { coreModuleSync } from "../host/core/load-node.js";
import { parseTrace } from "../host/replay/trace.js";
import { replayTrace } from "../host/replay/replay.js";
import { MIGRATE_MOVABLE, MIGRATE_UNMOVABLE } from "../host/core/constants.js";

function run(text: string) {
  const trace = parseTrace(text);
  const model = new WasmAllocator(trace.machine, coreModuleSync("debug"));
  // replay one operation at a time so the invariant checker runs after every step
  let failed: string[] = [];
  for (const op of trace.ops) {
    failed = failed.concat(replayTraceStep(trace.machine, op, model));
    const bad = model.checkInvariants();
    if (bad) assert.unreachable(`after trace line ${op.line}: ${bad}`);
  }
  return { model, failed, lists: model.freeLists(), blocks: Array.from(model.pageblockTypes()) };
}

// A tiny stateful wrapper: replayTrace on a one-op trace, keeping names across calls.
const live = new WeakMap<WasmAllocator, Map<string, { pfn: number; order: number }>>();
function replayTraceStep(machine: ReturnType<typeof parseTrace>["machine"], op: ReturnType<typeof parseTrace>["ops"][number], model: WasmAllocator): string[] {
  let names = live.get(model);
  if (!names) live.set(model, (names = new Map()));
  if (op.kind === "tick") {
    assert.is(model.apply(new Int32Array([3, 0, 0]))[0], 0);
    return [];
  }
  if (op.kind === "alloc") {
    const pfn = model.apply(new Int32Array([1, op.gfp, op.order]))[0]!;
    if (pfn < 0) return [op.name];
    names.set(op.name, { pfn, order: op.order });
    return [];
  }
  const a = names.get(op.name);
  if (a) {
    assert.is(model.apply(new Int32Array([2, a.pfn, a.order]))[0], 0);
    names.delete(op.name);
  }
  void machine;
  return [];
}
const pfnOf = (m: WasmAllocator, name: string): number => live.get(m)!.get(name)!.pfn;

test("boot: every zone freed in order-10 chunks to the MOVABLE tail, ascending", () => {
  // memblock_free_all frees with FPI_TO_TAIL, so 1024, 2048, 3072 queue in PFN order; every block MOVABLE.
  const { lists, blocks } = run("machine pages=4096 dma32=1024");
  assert.equal(lists, ["0 10 1: 0", "1 10 1: 1024 2048 3072"]);
  assert.equal(blocks, Array(8).fill(MIGRATE_MOVABLE));
});

test("first movable order-0 allocation splits the first Normal order-10 buddy", () => {
  // Preferred zone Normal; __rmqueue_smallest takes the head 1024 at order 10; expand() returns the
  // upper halves 1024+512, +256, ..., +1 to the head of orders 9..0.
  const { model, lists } = run("machine pages=4096 dma32=1024\nalloc a 0 movable");
  assert.is(pfnOf(model, "a"), 1024);
  const expected = ["0 10 1: 0"];
  for (let o = 0; o <= 9; o++) expected.push(`1 ${o} 1: ${1024 + (1 << o)}`);
  expected.push("1 10 1: 2048 3072");
  assert.equal(lists, expected);
});

test("first unmovable order-0 allocation on a fresh zone claims the order-10 buddy and retypes both blocks", () => {
  // No UNMOVABLE list has pages; __rmqueue_claim with ALLOC_NOFRAGMENT looks at orders 10..9 only; at order
  // 10 fallbacks[UNMOVABLE] = {RECLAIMABLE, MOVABLE} finds MOVABLE 1024; try_to_claim_block at order >= 9
  // retypes both pageblocks (1024, 1536) and expands onto the UNMOVABLE lists.
  const { model, lists, blocks } = run("machine pages=4096 dma32=1024\nalloc u 0 unmovable");
  assert.is(pfnOf(model, "u"), 1024);
  assert.equal(blocks, [1, 1, 0, 0, 1, 1, 1, 1]);
  assert.ok(lists.includes("1 9 0: 1536"));
  assert.ok(lists.includes("1 10 1: 2048 3072"));
});

test("freeing merges back to order 10 at the head of the block's list; the block keeps its new type", () => {
  // With the per-cpu lists off (boot pageset: high 0) the free reaches the buddy lists at once.
  // __free_one_page merges buddies 1025.., then 1536 at order 9 (both UNMOVABLE, mergeable); an order-10
  // result is never "merge likely", so it goes to the head of (10, UNMOVABLE).
  const { lists, blocks } = run("machine pages=4096 dma32=1024 pcp=off\nalloc u 0 unmovable\nfree u");
  assert.equal(lists, ["0 10 1: 0", "1 10 0: 1024", "1 10 1: 2048 3072"]);
  assert.equal(blocks.slice(2, 4), [MIGRATE_UNMOVABLE, MIGRATE_UNMOVABLE]);
});

test("ALLOC_NOFRAGMENT sends an unmovable request to DMA32 rather than pollute Normal", () => {
  // Normal (1024 pages) ends with no free buddy of order >= 9 after m1 (order 9) and m2 (order 0, from the
  // other block). With ALLOC_NOFRAGMENT, Normal's claim searches only orders 9..10 and the steal is
  // skipped, so the walk goes on to DMA32, where the order-10 buddy at 0 is claimed.
  const { model, blocks } = run("machine pages=2048 dma32=1024\nalloc m1 9 movable\nalloc m2 0 movable\nalloc u 0 unmovable");
  assert.is(pfnOf(model, "m1"), 1024);
  assert.is(pfnOf(model, "m2"), 1536);
  assert.is(pfnOf(model, "u"), 0);
  assert.equal(blocks, [0, 0, 1, 1]);
});

test("without a lower zone the retry without ALLOC_NOFRAGMENT claims a partly used movable block", () => {
  // Normal only (PFN 0..2047): m1 = 0 splits buddy 0 (its order-9 half 512 goes to the MOVABLE head);
  // m2 = 512 splits that into 513 (order 0) .. 768 (order 8); x takes buddy 1024. For u, the walk with
  // NOFRAGMENT finds no order >= 9 buddy and may not steal; the retry claims at lower orders: at order 8
  // the MOVABLE buddy 768 sits in block 512, whose 511 free pages reach half a block, so the whole block
  // becomes UNMOVABLE, its buddies go to the UNMOVABLE tails, and __rmqueue_smallest takes order 0 at 513.
  // m2 (movable, LRU) now sits in an UNMOVABLE block: "Number of mixed blocks" Unmovable = 1.
  const { model, blocks } = run("machine pages=2048\nalloc m1 9 movable\nalloc m2 0 movable\nalloc x 10 movable\nalloc u 0 unmovable");
  assert.is(pfnOf(model, "m2"), 512);
  assert.is(pfnOf(model, "u"), 513);
  assert.equal(blocks, [1, 0, 1, 1]);
  const normal = model.zones()[0]!;
  assert.equal(normal.mixed, [1, 0, 0, 0, 0, 0]);
});

// Free UNMOVABLE buddies of orders 0..6 in block 512 (127 pages), no free MOVABLE page anywhere.
const pollutionTrace = (fallback: string): string => `machine pages=2048 fallback=${fallback}
alloc a 9 unmovable
alloc b 8 unmovable
alloc c 7 unmovable
alloc d 0 unmovable
alloc big 10 movable
alloc m 0 movable`;

test("6.15: a movable request that cannot claim steals the smallest foreign buddy (pollution)", () => {
  // a claims order-10 buddy 0 (blocks 0, 1 UNMOVABLE); b=512, c=768, d=896 split the UNMOVABLE order-7
  // buddy into orders 0..6 at 897, 898, 900, ..., 960; big takes the MOVABLE order-10 buddy 1024.
  // For m, claim tries orders 6, 5, 4 (>= pageblock_order/2) in block 512: 127 free < 256, fails; order 3
  // stops the claim loop. __rmqueue_steal takes the smallest: order 0 at 897. The block stays UNMOVABLE.
  const { model, blocks } = run(pollutionTrace("claim-then-steal"));
  assert.is(pfnOf(model, "m"), 897);
  assert.equal(blocks, [0, 0, 1, 1]);
  const normal = model.zones()[0]!;
  assert.equal(normal.mixed, [1, 0, 0, 0, 0, 0]);
});

test("6.10-6.14: the same request splits the largest foreign buddy instead", () => {
  // __rmqueue_fallback takes the largest order with a fallback list, 6 (960); can_steal (6 >= 4), but the
  // block's 127 free pages are under half, so steal_suitable_fallback takes a single page of the order-6
  // buddy: m = 960, and the rest of it stays on the UNMOVABLE lists.
  const { model } = run(pollutionTrace("largest-steal"));
  assert.is(pfnOf(model, "m"), 960);
});

test("order-0 allocations stop at the min watermark", () => {
  // Normal only, 1024 pages: min_free_kbytes = int_sqrt(4096 * 16) = 256 -> pages_min 64 = min;
  // low = 64 + max(64/4, 1024*10/10000) = 80. The fast path fails at free <= 80; the slow path
  // (ALLOC_WMARK_MIN) allows an order-0 page while free > 64. The per-cpu refills take PFNs 0..990 (below): 960
  // succeed with NR_FREE_PAGES 33 and 31 pages on the list, and the 961st fails the watermark before it looks at
  // the list. Nothing can be reclaimed, so __alloc_pages_direct_reclaim() returns before its drain: the 31 stay.
  let text = "machine pages=1024\n";
  for (let i = 0; i < 961; i++) text += `alloc p${i} 0 movable\n`;
  const { failed, model } = run(text);
  assert.equal(failed, ["p960"]);
  assert.equal([model.zones()[0]!.nrFreePages, model.zones()[0]!.pcp.count], [33, 31]);
});

test("grouping disabled: every block and every allocation is UNMOVABLE, so nothing is mixed", () => {
  // page_group_by_mobility_disabled: gfp_migratetype() is UNMOVABLE, set_pageblock_migratetype() turns
  // MOVABLE into UNMOVABLE, so the boot lists are (10, UNMOVABLE) and a movable request takes their head.
  const { model, blocks, lists } = run("machine pages=2048 grouping=off\nalloc m 0 movable\nalloc u 0 unmovable");
  assert.is(pfnOf(model, "m"), 0);
  assert.is(pfnOf(model, "u"), 1);
  assert.equal(blocks, [0, 0, 0, 0]);
  assert.ok(lists.includes("1 10 0: 1024")); // zone 1: Normal
  assert.equal(model.zones()[0]!.mixed, [0, 0, 0, 0, 0, 0]);
});

test("a free that names no live allocation head is refused with EINVAL and changes nothing", () => {
  const { model } = run("machine pages=2048\nalloc a 1 movable");
  const before = model.stateDigest();
  assert.is(model.apply(new Int32Array([2, pfnOf(model, "a") + 1, 0]))[0], -22); // a tail page
  assert.is(model.apply(new Int32Array([2, pfnOf(model, "a"), 0]))[0], -22); // wrong order
  assert.is(model.apply(new Int32Array([2, 5000, 0]))[0], -22); // beyond memory
  assert.is(model.stateDigest(), before);
});

// Per-cpu lists. A Normal zone of 32768 pages: zone_batchsize = rounddown_pow_of_two(8 + 4) - 1 = 7
// (min(32768 >> 10, 256) / 4 = 8); min_free_kbytes = int_sqrt(32768 * 64) = 1448, pages_min 362, low = 362 +
// max(362 / 4, 32768 * 10 / 10000) = 452, high = 362 + 2 * 90 = 542. zone_set_pageset_high_and_batch():
// high_min = zone_highsize(low) = max(452, 4 * 7) = 452, high_max = zone_highsize(managed / 8) = 4096; pcp->high
// starts at 0 (per_cpu_pages_init()) and is clamped into [452, 4096] at first use. MOVABLE order 0 is pindex 1.
const pcpZone = "machine pages=32768\n";

test("pcp: the first order-0 allocation refills its list with a batch of 7 pages, in PFN order", () => {
  // nr_pcp_alloc(): high = clamp(0, 452, 4096) = 452; the zone is above its high watermark (no ZONE_BELOW_HIGH),
  // so high += batch << alloc_factor(0) = 459; max_nr_alloc = max(459 - 0 - 7, 7) = 452 >= 7, so alloc_factor
  // becomes 1; 7 blocks. rmqueue_bulk calls __rmqueue 7 times: 0 (splitting the order-10 buddy 0), 1, 2, 3, 4,
  // 5, 6, each to the list's tail; the allocation takes the head, 0. 7 stays a buddy; the 6 others wait on the
  // list, not free.
  const { model, lists } = run(pcpZone + "alloc a 0 movable");
  assert.is(pfnOf(model, "a"), 0);
  assert.ok(lists.includes("pcp 1 1: 1 2 3 4 5 6"), lists.join("\n"));
  assert.ok(lists.includes("1 0 1: 7"));
  const normal = model.zones()[0]!;
  assert.equal(normal.pcp, { count: 6, high: 459, batch: 7, highMin: 452, highMax: 4096 });
  assert.is(normal.nrFreePages, 32768 - 7);
});

test("pcp: a freed page goes to the head of its list and is the next one allocated (LIFO)", () => {
  // free_frozen_page_commit: list_add() at the head; rmqueue_pcplist takes list_first_entry.
  const { model, lists } = run(pcpZone + "alloc a 0 movable\nalloc b 0 movable\nfree a\nalloc c 0 movable");
  assert.is(pfnOf(model, "b"), 1);
  assert.is(pfnOf(model, "c"), 0);
  assert.ok(lists.includes("pcp 1 1: 2 3 4 5 6"), lists.join("\n"));
  assert.is(model.zones()[0]!.nrFreePages, 32768 - 7); // the buddy lists never saw page 0 again
});

// 460 allocations with the zone above its high watermark: each refill empties into allocations before the
// next, and nr_pcp_alloc() doubles consecutive order-0 refills (alloc_factor 0..5: 7, 14, 28, 56, 112, then
// 224 = 7 << CONFIG_PCP_BATCH_SCALE_MAX), each raising high by its size: 459, 473, 501, 557, 669, 893, 1117.
// 7 refills take 665 pages (PFNs 0..664, in order); 460..664 (205) wait on the list.
const grown = (() => {
  let text = pcpZone;
  for (let i = 0; i < 460; i++) text += `alloc p${i} 0 movable\n`;
  return text;
})();

test("pcp: above the high watermark, refills double (alloc_factor) and each raises pcp->high by its size", () => {
  const { model, lists } = run(grown);
  const normal = model.zones()[0]!;
  assert.equal([normal.pcp.count, normal.pcp.high, normal.nrFreePages], [205, 1117, 32768 - 665]);
  const tail = Array.from({ length: 205 }, (_, i) => 460 + i).join(" ");
  assert.ok(lists.includes(`pcp 1 1: ${tail}`), lists.filter((l) => l.startsWith("pcp")).join("\n"));
});

test("pcp: frees under pcp->high stay on the list; each second decay_pcp_high() takes an eighth of high back", () => {
  // 450 frees push p0..p449 at the head: count 655 < high 1117, so nothing goes back (nr_pcp_high() leaves
  // high: the zone is not below its high watermark and count < high); free_count reaches 224 = batch << 5.
  // decay_pcp_high(): high = max(count - (7 << 5), high - high / 8, high_min): 978, 856, 749, 656, 574
  // (count 655 - 574 = 81 go back, 7 at a time from the tail), 503 (71 more), max(279, 441, 452) = 452 (51
  // more): 203 pages, 664 down to 462, back to the buddy lists; an eighth tick leaves high at high_min.
  let text = grown;
  for (let i = 0; i < 450; i++) text += `free p${i}\n`;
  const before = run(text).model.zones()[0]!;
  assert.equal([before.pcp.count, before.pcp.high, before.nrFreePages], [655, 1117, 32768 - 665]);
  const { model, lists } = run(text + "tick\n".repeat(8));
  const normal = model.zones()[0]!;
  assert.equal([normal.pcp.count, normal.pcp.high, normal.nrFreePages], [452, 452, 32768 - 665 + 203]);
  const expected = [...Array.from({ length: 450 }, (_, i) => 449 - i), 460, 461].join(" ");
  assert.ok(lists.includes(`pcp 1 1: ${expected}`), lists.filter((l) => l.startsWith("pcp")).join("\n"));
});

test("pcp: consecutive frees of orders 1-3 past a batch set free_high: the lists give everything back", () => {
  // 9 order-1 allocations: each refill is max(7 >> 1, 2) = 3 blocks (no alloc_factor above order 0) and raises
  // high by the batch: 459, 466, 473; 3 refills, PFNs 0, 2, ..., 16, and the list is empty again.
  // free_frozen_page_commit() on order 1: free_high = free_count >= 7 && the previous free was of order 1-3 &&
  // (PCPF_FREE_HIGH_BATCH set: count >= 7). free_count goes 2, 4, 6, 8: the 5th free (free_count 8, count 10)
  // sets it: nr_pcp_high() lowers high to max(473 - (7 << 5), 452) = 452 and returns 0, and nr_pcp_free() =
  // min(count, 7 << 5) = 10: all five blocks go back. The 9th free (count 8 >= 7) does it again.
  let text = pcpZone;
  for (let i = 0; i < 9; i++) text += `alloc a${i} 1 movable\n`;
  for (let i = 0; i < 4; i++) text += `free a${i}\n`;
  const four = run(text).model.zones()[0]!;
  assert.equal([four.pcp.count, four.pcp.high], [8, 473]);
  const five = run(text + "free a4\n").model.zones()[0]!;
  assert.equal([five.pcp.count, five.pcp.high, five.nrFreePages], [0, 452, 32768 - 8]);
  const { model, lists } = run(text + "free a4\nfree a5\nfree a6\nfree a7\nfree a8\n");
  const all = model.zones()[0]!;
  assert.equal([all.pcp.count, all.pcp.high, all.nrFreePages], [0, 452, 32768]);
  assert.equal(lists, ["1 10 1: 0 1024 2048 3072 4096 5120 6144 7168 8192 9216 10240 11264 12288 13312 14336 15360 16384 17408 18432 19456 20480 21504 22528 23552 24576 25600 26624 27648 28672 29696 30720 31744"]);
});

test("pcp: an order-9 (THP) allocation takes max(7 >> 9, 2) = 2 pageblocks; the second waits on the THP list", () => {
  // order_to_pindex(MOVABLE, 9) = NR_LOWORDER_PCP_LISTS + 1 = 13; nr_pcp_alloc() does not scale a high-order
  // refill by alloc_factor.
  const { model, lists } = run(pcpZone + "alloc t 9 movable");
  assert.is(pfnOf(model, "t"), 0);
  assert.ok(lists.includes("pcp 1 13: 512"), lists.join("\n"));
  assert.is(model.zones()[0]!.pcp.count, 512);
});

// Normal only, 1024 pages: batch 1, min 64, low 80, high 96 (see the watermark test); high_min 80, high_max
// 1024 / 8 = 128. 960 allocations: refills of 1, 2, 4, 8, 16, then 32 (1 << 5), high rising 81, 83, 87, 95,
// 111, then 128 = high_max; 35 refills take PFNs 0..990, the last one at NR_FREE_PAGES 65 (the fast path's low
// watermark fails, the slow path's min passes: the zone is now ZONE_BELOW_HIGH), which leaves 33 free and
// 960..990 (31) on the list.
const small = (() => {
  let text = "machine pages=1024\n";
  for (let i = 0; i < 960; i++) text += `alloc p${i} 0 movable\n`;
  return text;
})();

test("pcp: below the high watermark, a full list gives back the pages freed in a row (free_count)", () => {
  // Below high, nr_pcp_high() lowers pcp->high by max(free_count, batch) on every free (to high_min 80) and
  // returns max(count, high_min): the list is full when count reaches 80, at the 49th free (31 + 49).
  // free_count stops at batch << 5 = 32, so nr_pcp_free() = clamp(32, batch, 80 - batch) = 32 go back from the
  // tail: 990..960 and p0. NR_FREE_PAGES 65 is still under the high watermark (96): ZONE_BELOW_HIGH stays.
  let text = small;
  for (let i = 0; i < 49; i++) text += `free p${i}\n`;
  const { model, lists } = run(text);
  const normal = model.zones()[0]!;
  assert.equal([normal.pcp.count, normal.pcp.high, normal.nrFreePages], [48, 80, 65]);
  const expected = Array.from({ length: 48 }, (_, i) => 48 - i).join(" ");
  assert.ok(lists.includes(`pcp 1 1: ${expected}`), lists.filter((l) => l.startsWith("pcp")).join("\n"));
});

test("pcp: an allocation that fails the watermarks with pages on the lists fails, and the lists keep them", () => {
  // After the 960 allocations (above), 10 frees: below high, each lowers pcp->high (128 - (1 + ... + 10) = 73,
  // clamped to 80) and count 41 stays under max(count, 80); NR_FREE_PAGES stays 33 and the next allocation
  // fails both watermarks. The trace has nothing to reclaim, and __alloc_pages_direct_reclaim() drains the lists
  // (drain_all_pages()) only after try_to_free_pages() made progress ("if (unlikely(!(*did_some_progress))) goto
  // out"): the request fails with 41 pages on the list. (With progress, alloc_pages_after_reclaim() drains:
  // test/oom-highatomic.test.ts.)
  let text = small;
  for (let i = 0; i < 10; i++) text += `free p${i}\n`;
  const before = run(text).model.zones()[0]!;
  assert.equal([before.nrFreePages, before.pcp.count, before.pcp.high], [33, 41, 80]);
  const { model, failed } = run(text + "alloc x 0 movable\n");
  assert.equal(failed, ["x"]);
  const after = model.zones()[0]!;
  assert.equal([after.nrFreePages, after.pcp.count], [33, 41]);
});

test("the trace replay batches give the same state as one-at-a-time replay", () => {
  const text = pollutionTrace("claim-then-steal") + "\nfree b\nfree m\nalloc e 3 reclaimable\nfree a";
  const one = run(text).model.stateDigest();
  const trace = parseTrace(text);
  const batched = new WasmAllocator(trace.machine, coreModuleSync("release"));
  replayTrace(trace, batched);
  assert.is(batched.stateDigest(), one);
});

test.run();

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
  // (ALLOC_WMARK_MIN) allows an order-0 page while free > 64. So 1024 - 64 = 960 succeed, the 961st fails.
  let text = "machine pages=1024\n";
  for (let i = 0; i < 961; i++) text += `alloc p${i} 0 movable\n`;
  const { failed, model } = run(text);
  assert.equal(failed, ["p960"]);
  assert.is(model.zones()[0]!.nrFreePages, 64);
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
// max(362 / 4, 32768 * 10 / 10000) = 452, so pcp->high = max(452, 4 * 7) = 452. MOVABLE order 0 is pindex 1.
const pcpZone = "machine pages=32768\n";

test("pcp: the first order-0 allocation refills its list with a batch of 7 pages, in PFN order", () => {
  // rmqueue_bulk calls __rmqueue 7 times: 0 (splitting the order-10 buddy 0), 1, 2, 3, 4, 5, 6, each to the
  // list's tail; the allocation takes the head, 0. 7 stays a buddy; the 6 others wait on the list, not free.
  const { model, lists } = run(pcpZone + "alloc a 0 movable");
  assert.is(pfnOf(model, "a"), 0);
  assert.ok(lists.includes("pcp 1 1: 1 2 3 4 5 6"), lists.join("\n"));
  assert.ok(lists.includes("1 0 1: 7"));
  const normal = model.zones()[0]!;
  assert.equal(normal.pcp, { count: 6, high: 452, batch: 7 });
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

test("pcp: at pcp->high a batch of 7 pages goes back to the buddy lists from the list's tail", () => {
  // 460 allocations take 66 batches (462 pages, PFNs 0..461): 460 and 461 stay on the list. Freeing p0..p449
  // pushes each at the head; the 450th free makes count 452 = high, and free_pcppages_bulk(7) starts at this
  // list and takes its tail: 461, 460, then p0..p4 (0..4). Left: p449..p5, 445 pages.
  let text = pcpZone;
  for (let i = 0; i < 460; i++) text += `alloc p${i} 0 movable\n`;
  for (let i = 0; i < 450; i++) text += `free p${i}\n`;
  const { model, lists } = run(text);
  const expected = Array.from({ length: 445 }, (_, i) => 449 - i).join(" ");
  assert.ok(lists.includes(`pcp 1 1: ${expected}`), lists.filter((l) => l.startsWith("pcp")).join("\n"));
  const normal = model.zones()[0]!;
  assert.is(normal.pcp.count, 445);
  assert.is(normal.nrFreePages, 32768 - 462 + 7);
});

test("pcp: an order-9 (THP) allocation takes max(7 >> 9, 2) = 2 pageblocks; the second waits on the THP list", () => {
  // order_to_pindex(MOVABLE, 9) = NR_LOWORDER_PCP_LISTS + 1 = 13.
  const { model, lists } = run(pcpZone + "alloc t 9 movable");
  assert.is(pfnOf(model, "t"), 0);
  assert.ok(lists.includes("pcp 1 13: 512"), lists.join("\n"));
  assert.is(model.zones()[0]!.pcp.count, 512);
});

test("pcp: an allocation that fails the watermarks with pages on the lists drains them and retries", () => {
  // Normal only, 1024 pages: batch 1, high = low = 80, min 64 (see the watermark test). 960 allocations leave
  // 64 free; 10 frees wait on the list (count 10 < 80), so NR_FREE_PAGES stays 64 and the next allocation
  // fails both watermarks. __alloc_pages_direct_reclaim() then drains the lists (74 free) and the retry at
  // the min watermark succeeds.
  let text = "machine pages=1024\n";
  for (let i = 0; i < 960; i++) text += `alloc p${i} 0 movable\n`;
  for (let i = 0; i < 10; i++) text += `free p${i}\n`;
  const before = run(text).model.zones()[0]!;
  assert.equal([before.nrFreePages, before.pcp.count], [64, 10]);
  const { model, failed } = run(text + "alloc x 0 movable\n");
  assert.equal(failed, []);
  const after = model.zones()[0]!;
  assert.equal([after.nrFreePages, after.pcp.count], [73, 0]);
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

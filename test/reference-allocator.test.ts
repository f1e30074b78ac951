// The plain-TS reference allocator on small machines: set up a state, do one thing, assert the exact state
// after. Each expected value is derived in the comment beside it from docs/allocator.md (Linux 6.15 unless
// said). Zones: 0 DMA32, 1 Normal, 2 Movable; types: 0 UNMOVABLE, 1 MOVABLE, 2 RECLAIMABLE, 3 HIGHATOMIC, 4 CMA.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ReferenceAllocator } from "../host/reference/allocator.js";
import { defaultMachineConfig, type MachineConfig } from "../host/core/machine-config.js";
import {
  ALLOC_FAILED,
  EINVAL,
  GFP_ATOMIC,
  GFP_HIGHUSER_MOVABLE,
  GFP_KERNEL,
  OP_ALLOC,
  OP_FREE,
} from "../host/core/constants.js";

// The per-cpu lists are off unless a test turns them on: most expectations here are the buddy allocator's.
const machine = (m: Partial<MachineConfig>): ReferenceAllocator => new ReferenceAllocator({ ...defaultMachineConfig, pcp: false, ...m });
const alloc = (r: ReferenceAllocator, gfp: number, order: number): number => r.apply(new Int32Array([OP_ALLOC, gfp, order]))[0]!;
const free = (r: ReferenceAllocator, pfn: number, order: number): number => r.apply(new Int32Array([OP_FREE, pfn, order]))[0]!;
const sane = (r: ReferenceAllocator): void => assert.is(r.checkInvariants(), null);
const blocks = (r: ReferenceAllocator): number[] => Array.from(r.pageblockTypes());
/** Buddies of orders lo..hi-1 at base + 2^o on (zone, o, mt): what expand() leaves after splitting base. */
const halves = (zone: number, mt: number, base: number, lo: number, hi: number): string[] => {
  const out: string[] = [];
  for (let o = lo; o < hi; o++) out.push(`${zone} ${o} ${mt}: ${base + (1 << o)}`);
  return out;
};

test("boot: a 2048-page Normal zone is two order-10 MOVABLE buddies in ascending order", () => {
  // memblock_free_all frees PFN 0 then 1024 at order 10 with FPI_TO_TAIL; split_large_buddy frees each as two
  // order-9 halves that merge again (same MOVABLE type), and the tail insertion keeps ascending PFN order.
  const r = machine({ normalPages: 2048 });
  assert.equal(r.freeLists(), ["1 10 1: 0 1024"]);
  assert.equal(blocks(r), [1, 1, 1, 1]);
  const [normal, ...rest] = r.zones();
  assert.is(rest.length, 0); // DMA32 and Movable are absent, so not shown
  assert.is(normal!.name, "Normal");
  assert.is(normal!.nrFreePages, 2048);
  // lowmem 2048 pages: min_free_kbytes = int_sqrt(2048*4*16 = 131072) = 362 (362^2 = 131044), pages_min = 90;
  // min = 90*2048/2048 = 90; tmp = max(90/4 = 22, 2048*10/10000 = 2) = 22; low = 112; high = 134.
  assert.equal(normal!.watermark, { min: 90, low: 112, high: 134 });
  assert.equal(normal!.lowmemReserve, [0, 0, 0]);
  sane(r);
});

test("boot: watermarks and lowmem_reserve of DMA32 + Normal + Movable", () => {
  // lowmem = DMA32 1024 + Normal 1024 = 2048 -> pages_min 90 (as above). DMA32 and Normal: min = 90*1024/2048
  // = 45, tmp = max(11, 1) = 11 -> 45/56/67. Movable 1024: min = clamp(1024/1024 = 1, 32, 128) = 32, but
  // the gaps still come from its proportional share 90*1024/2048 = 45: tmp = max(45/4 = 11, 1) = 11
  // -> 32/43/54 (__setup_per_zone_wmarks). lowmem_reserve of DMA32: [Normal] = 1024/256 = 4,
  // [Movable] = 2048/256 = 8; of Normal: [Movable] = 1024/32 = 32.
  const r = machine({ dma32Pages: 1024, normalPages: 1024, movablePages: 1024 });
  const z = r.zones();
  assert.equal(z.map((v) => v.name), ["DMA32", "Normal", "Movable"]);
  assert.equal(z.map((v) => v.watermark), [
    { min: 45, low: 56, high: 67 },
    { min: 45, low: 56, high: 67 },
    { min: 32, low: 43, high: 54 },
  ]);
  assert.equal(z.map((v) => v.lowmemReserve), [[0, 4, 8], [0, 0, 32], [0, 0, 0]]);
  // DMA32 [0, 1024) and Normal [1024, 2048) are not merged although 0 and 1024 are order-10 buddies.
  assert.equal(r.freeLists(), ["0 10 1: 0", "1 10 1: 1024", "2 10 1: 2048"]);
});

test("first order-0 MOVABLE allocation returns PFN 0 and leaves buddies of orders 0..9 at 1, 2, 4, ..., 512", () => {
  // __rmqueue_smallest(MOVABLE) takes the head of (10, MOVABLE), PFN 0; expand() puts 0+512 on order 9,
  // 0+256 on order 8, ..., 0+1 on order 0, each at the head of its (empty) MOVABLE list.
  const r = machine({ normalPages: 2048 });
  assert.is(alloc(r, GFP_HIGHUSER_MOVABLE, 0), 0);
  assert.equal(r.freeLists(), [...halves(1, 1, 0, 0, 10), "1 10 1: 1024"]);
  assert.is(r.zones()[0]!.nrFreePages, 2047);
  sane(r);
});

test("first order-0 UNMOVABLE allocation on a fresh zone claims an order-10 buddy and retypes both pageblocks", () => {
  // No UNMOVABLE page: __rmqueue_claim (ALLOC_NOFRAGMENT: orders 10..9) finds fallbacks[UNMOVABLE] =
  // {RECLAIMABLE, MOVABLE} -> (10, MOVABLE) head 0; try_to_claim_block at order >= 9 retypes blocks 0 and 1
  // and expands onto the UNMOVABLE lists; no watermark boost on this path.
  const r = machine({ normalPages: 2048 });
  assert.is(alloc(r, GFP_KERNEL, 0), 0);
  assert.equal(blocks(r), [0, 0, 1, 1]);
  assert.equal(r.freeLists(), [...halves(1, 0, 0, 0, 10), "1 10 1: 1024"]);
  assert.is(r.zones()[0]!.watermarkBoost, 0);
  assert.equal(r.zones()[0]!.mixed, [0, 0, 0, 0, 0, 0]);
  sane(r);
});

test("freeing merges back to order 10 at the head of the block's list; the claim is not undone", () => {
  // __free_one_page(0, 0, UNMOVABLE) merges with 1, 2, 4, ..., 256, then at order 9 with 512 (both blocks
  // UNMOVABLE); order 10 is never "merge likely", so the head of (10, UNMOVABLE).
  const r = machine({ normalPages: 2048 });
  alloc(r, GFP_KERNEL, 0);
  assert.is(free(r, 0, 0), 0);
  assert.equal(r.freeLists(), ["1 10 0: 0", "1 10 1: 1024"]);
  assert.equal(blocks(r), [0, 0, 1, 1]);
  assert.is(r.zones()[0]!.nrFreePages, 2048);
  sane(r);
});

test("buddy_merge_likely: a freed page goes to the tail when its parent's buddy is free", () => {
  // 8 order-0 movable allocations take PFNs 0..7 in order (expand() keeps the lower half). Free 2 then 3:
  // they merge into the order-1 buddy 2. Free 5: its buddy 4 and the parent's buddy 6 are allocated -> head.
  // Free 1: buddy 0 allocated; parent 0's order-1 buddy is 2, free at order 1 -> tail, after 5.
  const r = machine({ normalPages: 2048 });
  for (let i = 0; i < 8; i++) assert.is(alloc(r, GFP_HIGHUSER_MOVABLE, 0), i);
  for (const pfn of [2, 3, 5, 1]) assert.is(free(r, pfn, 0), 0);
  assert.equal(r.freeLists().slice(0, 2), ["1 0 1: 5 1", "1 1 1: 2"]);
  sane(r);
});

test("ALLOC_NOFRAGMENT sends an unmovable request to DMA32 rather than break up a Normal block", () => {
  // Normal [1024, 2048): m1 (order 9) = 1024, m2 (order 0) = 1536, leaving Normal no buddy of order >= 9.
  // u: the fast path's claim in Normal looks at orders 10..9 only and the steal is skipped, so the zonelist
  // walk goes on to DMA32 (free 1024 > min 56 + lowmem_reserve[Normal] 4) and claims its order-10 buddy 0.
  const r = machine({ dma32Pages: 1024, normalPages: 1024 });
  assert.is(alloc(r, GFP_HIGHUSER_MOVABLE, 9), 1024);
  assert.is(alloc(r, GFP_HIGHUSER_MOVABLE, 0), 1536);
  const normalLists = r.freeLists().filter((l) => l.startsWith("1 "));
  assert.is(alloc(r, GFP_KERNEL, 0), 0);
  assert.equal(blocks(r), [0, 0, 1, 1]);
  assert.equal(r.freeLists().filter((l) => l.startsWith("1 ")), normalLists);
  sane(r);
});

test("without a lower zone the retry without ALLOC_NOFRAGMENT claims a partly used block, moving its buddies to the tails", () => {
  // m1 = 0 (order 9; its half 512 goes to (9, MOVABLE)); m2 = 512 leaves 513 (o0), 514 (o1), ..., 768 (o8);
  // x = 1024. u: the NOFRAGMENT walk fails; the retry claims from order 10 down: at order 8 the MOVABLE 768
  // sits in block 1, whose free 511 >= 256 (alike 512 - 511 - 1 LRU page = 0): __move_freepages_block moves
  // 513, 514, ..., 768 in ascending order to the UNMOVABLE tails, retypes block 1, and __rmqueue_smallest
  // takes 513. boost_watermark: 4*512 is not > 2048, max_boost = max(512, 134*1.5 = 201) -> boost 512.
  const r = machine({ normalPages: 2048 });
  assert.is(alloc(r, GFP_HIGHUSER_MOVABLE, 9), 0);
  assert.is(alloc(r, GFP_HIGHUSER_MOVABLE, 0), 512);
  assert.is(alloc(r, GFP_HIGHUSER_MOVABLE, 10), 1024);
  assert.is(alloc(r, GFP_KERNEL, 0), 513);
  assert.equal(blocks(r), [1, 0, 1, 1]);
  assert.equal(r.freeLists(), halves(1, 0, 512, 1, 9));
  const normal = r.zones()[0]!;
  assert.is(normal.watermarkBoost, 512);
  assert.equal(normal.mixed, [1, 0, 0, 0, 0, 0]); // m2 (MOVABLE) in the now UNMOVABLE block 1
  sane(r);
});

test("grouping disabled: every block and every allocation is UNMOVABLE", () => {
  // set_pageblock_migratetype() turns MOVABLE into UNMOVABLE, so boot lists are (10, UNMOVABLE);
  // gfp_migratetype() is UNMOVABLE for a movable request, which takes the head 0 with no fallback.
  const r = machine({ normalPages: 2048, mobilityGrouping: false });
  assert.equal(r.freeLists(), ["1 10 0: 0 1024"]);
  assert.is(alloc(r, GFP_HIGHUSER_MOVABLE, 0), 0);
  assert.is(alloc(r, GFP_KERNEL, 0), 1);
  assert.equal(blocks(r), [0, 0, 0, 0]);
  assert.equal(r.zones()[0]!.mixed, [0, 0, 0, 0, 0, 0]);
  sane(r);
});

// After these, block 1 (512..1023) is UNMOVABLE with free buddies 897 (o0), 898 (o1), 900 (o2), 904 (o3),
// 912 (o4), 928 (o5), 960 (o6): 127 pages; everything else is allocated. a claims order-10 buddy 0 (blocks 0,
// 1 become UNMOVABLE, 512 to (9, UNMOVABLE)); b = 512, c = 768, d = 896 split it down; big = 1024.
function polluted(fallback: MachineConfig["fallback"]): ReferenceAllocator {
  const r = machine({ normalPages: 2048, fallback });
  assert.equal([9, 8, 7, 0].map((o) => alloc(r, GFP_KERNEL, o)), [0, 512, 768, 896]);
  assert.is(alloc(r, GFP_HIGHUSER_MOVABLE, 10), 1024);
  return r;
}

test("6.15 claim-then-steal: a movable request that cannot claim steals the smallest foreign buddy", () => {
  // m: no MOVABLE page; the NOFRAGMENT walk fails (no fallback at orders 9, 10); the retry (free 127 > low
  // 112) tries to claim at orders 6, 5, 4 (>= pageblock_order/2): block 1 has 127 free + 0 movable < 256;
  // order 3 stops the claim loop. __rmqueue_steal from order 0 up takes (0, UNMOVABLE) 897.
  const r = polluted("claim-then-steal");
  assert.is(alloc(r, GFP_HIGHUSER_MOVABLE, 0), 897);
  assert.equal(r.freeLists(), ["1 1 0: 898", "1 2 0: 900", "1 3 0: 904", "1 4 0: 912", "1 5 0: 928", "1 6 0: 960"]);
  assert.equal(blocks(r), [0, 0, 1, 1]);
  const normal = r.zones()[0]!;
  assert.equal(normal.mixed, [1, 0, 0, 0, 0, 0]); // block 1 is polluted by m
  assert.is(normal.watermarkBoost, 512); // three failed claims, each +512, capped at max(512, 201)
  sane(r);
});

test("6.10-6.14 largest-steal: the same request splits the largest foreign buddy instead", () => {
  // __rmqueue_fallback takes the largest order with a fallback list, 6 (960); can_steal (6 >= 4), but the
  // block's 127 free pages are under half, so steal_suitable_fallback takes a single page: m = 960, and
  // expand() leaves 961 (o0) .. 992 (o5) at the heads of the UNMOVABLE lists (the block's type).
  const r = polluted("largest-steal");
  assert.is(alloc(r, GFP_HIGHUSER_MOVABLE, 0), 960);
  assert.equal(r.freeLists(), ["1 0 0: 961 897", "1 1 0: 962 898", "1 2 0: 964 900", "1 3 0: 968 904", "1 4 0: 976 912", "1 5 0: 992 928"]);
  assert.equal(blocks(r), [0, 0, 1, 1]);
  assert.is(r.zones()[0]!.watermarkBoost, 512);
  sane(r);
});

test("CMA: movable requests use the CMA area once it holds more than half the free pages", () => {
  // Normal 4096 with CMA blocks 4..7: the order-10 chunks at 2048 and 3072 are CMA halves of the same type,
  // so they merge. Watermarks: int_sqrt(4096*64) = 512 kB -> min 128, low 128 + max(32, 4) = 160.
  // a: NR_FREE_CMA_PAGES 2048 is not > 4096/2, so __rmqueue_smallest(MOVABLE) takes 0. b: 2048 > 3072/2, so
  // __rmqueue_smallest(CMA) first: 2048 (free 3072 - 1023 > 160). Mixed: a MOVABLE allocation in CMA blocks
  // counts under MOVABLE, once in block 4 and again in block 5 (the walk resumes there on b's tail page).
  const r = machine({ normalPages: 4096, cmaPages: 2048 });
  assert.equal(r.freeLists(), ["1 10 1: 0 1024", "1 10 4: 2048 3072"]);
  assert.equal(blocks(r), [1, 1, 1, 1, 4, 4, 4, 4]);
  assert.is(r.zones()[0]!.nrFreeCmaPages, 2048);
  assert.is(alloc(r, GFP_HIGHUSER_MOVABLE, 10), 0);
  assert.is(alloc(r, GFP_HIGHUSER_MOVABLE, 10), 2048);
  assert.equal(r.freeLists(), ["1 10 1: 1024", "1 10 4: 3072"]);
  const normal = r.zones()[0]!;
  assert.is(normal.nrFreeCmaPages, 1024);
  assert.equal(normal.mixed, [0, 2, 0, 0, 0, 0]);
  assert.equal(normal.blocks, [0, 4, 0, 0, 4, 0]);
  // An UNMOVABLE request never gets ALLOC_CMA: it claims the MOVABLE buddy 1024 instead.
  assert.is(alloc(r, GFP_KERNEL, 0), 1024);
  sane(r);
});

test("watermarks: order-0 requests stop at low, then min; atomic ones go on to 3/8 of min even when boosted", () => {
  // Normal 2048: min 90, low 112. The fast path (WMARK_LOW) allocates while free > 112, the slow path
  // (WMARK_MIN) while free > 90: 2048 - 90 = 1958 movable pages, the 1959th fails.
  const r = machine({ normalPages: 2048 });
  for (let i = 0; i < 1958; i++) assert.is(alloc(r, GFP_HIGHUSER_MOVABLE, 0), i);
  assert.is(alloc(r, GFP_HIGHUSER_MOVABLE, 0), ALLOC_FAILED);
  assert.is(r.zones()[0]!.nrFreePages, 90);
  // GFP_ATOMIC: ALLOC_MIN_RESERVE: 90 - 45 = 45, ALLOC_NON_BLOCK: 45 - 11 = 34. The first one fails to claim
  // the LRU-full MOVABLE block 3 (boost -> 512) and steals 1958; later ones fail against min 90 + boost 512
  // and pass zone_watermark_fast's retry against the unboosted min. Free 90 -> 34: 56 pages, then failure.
  let got = 0;
  while (alloc(r, GFP_ATOMIC, 0) >= 0) got++;
  assert.is(got, 56);
  const normal = r.zones()[0]!;
  assert.is(normal.nrFreePages, 34);
  assert.is(normal.watermarkBoost, 512);
  sane(r);
});

test("highatomic: an atomic order-1 allocation in the slow path reserves its pageblock", () => {
  // Normal 51200 pages (managed/100 = 512: one block may be reserved). min_free_kbytes = int_sqrt(51200*64)
  // = 1810, min 452, tmp max(113, 51) -> low 565. 49 order-10 movable allocations (the 50th would leave
  // free - 1023 <= 565), then 459 order-0 ones (PFNs 50176..50634) bring free to 565 = low: buddies 50635
  // (o0), 50636 (o2), 50640 (o4), 50656 (o5) in block 98 and 50688 (o9) = block 99.
  const r = machine({ normalPages: 51200 });
  for (let i = 0; i < 49; i++) assert.is(alloc(r, GFP_HIGHUSER_MOVABLE, 10), i * 1024);
  for (let i = 0; i < 459; i++) assert.is(alloc(r, GFP_HIGHUSER_MOVABLE, 0), 50176 + i);
  assert.is(r.zones()[0]!.nrFreePages, 565);
  // The fast path fails (564 <= 565); the slow path has ALLOC_HIGHATOMIC: no HIGHATOMIC page yet, so
  // __rmqueue(UNMOVABLE) claims order-9 buddy 50688 (block 99 -> UNMOVABLE, halves 50690..50944 on UNMOVABLE
  // heads) and returns 50688. reserve_highatomic_pageblock then moves block 99's free buddies, ascending, to
  // the HIGHATOMIC tails and retypes it: nr_reserved_highatomic 512, nr_free_highatomic 2+4+...+256 = 510.
  assert.is(alloc(r, GFP_ATOMIC, 1), 50688);
  const normal = r.zones()[0]!;
  assert.is(normal.nrReservedHighatomic, 512);
  assert.is(normal.nrFreeHighatomic, 510);
  assert.is(normal.nrFreePages, 563);
  assert.is(blocks(r)[99], 3);
  assert.equal(r.freeLists().filter((l) => l.split(" ")[2] === "3:"), halves(1, 3, 50688, 1, 9));
  assert.equal(normal.mixed, [0, 0, 0, 1, 0, 0]); // the UNMOVABLE allocation in a HIGHATOMIC block
  // A movable page now fails: the reserve is not usable without ALLOC_RESERVES (free 563 - 510 = 53 <= 452).
  assert.is(alloc(r, GFP_HIGHUSER_MOVABLE, 0), ALLOC_FAILED);
  // Another atomic order-1: rmqueue() tries the per-cpu list first, for every order it caches, even on the
  // boot pageset (a batch of 1): rmqueue_bulk's __rmqueue(UNMOVABLE) has no UNMOVABLE page, cannot claim block
  // 98 (53 free pages + 0 alike < 256) at orders 5, 4, 2, and steals the smallest foreign buddy, the order-2
  // MOVABLE 50636 (50638 goes back at order 1). The reserve would be used only if that path failed.
  assert.is(alloc(r, GFP_ATOMIC, 1), 50636);
  assert.is(r.zones()[0]!.nrFreeHighatomic, 510);
  sane(r);
});

test("an invalid machine is refused with validateMachineConfig's message", () => {
  assert.throws(() => machine({ normalPages: 1000 }), /machine\.normalPages: 1000 is not allowed/);
  assert.throws(() => machine({ movablePages: 512 }), /Movable zone alone/);
});

test("a free that names no live allocation head is refused with EINVAL and changes nothing", () => {
  const r = machine({ normalPages: 2048 });
  assert.is(alloc(r, GFP_HIGHUSER_MOVABLE, 1), 0); // the head of (10, MOVABLE), split down to order 1
  const before = r.stateDigest();
  assert.is(free(r, 1, 0), EINVAL); // a tail page
  assert.is(free(r, 0, 0), EINVAL); // the right head, the wrong order
  assert.is(free(r, 2, 1), EINVAL); // a free buddy
  assert.is(free(r, 2048, 0), EINVAL); // beyond memory
  assert.is(free(r, -1, 0), EINVAL);
  assert.is(free(r, 0, 11), EINVAL); // order > MAX_PAGE_ORDER
  assert.is(alloc(r, GFP_HIGHUSER_MOVABLE, 11), ALLOC_FAILED); // order > MAX_PAGE_ORDER fails
  assert.is(r.stateDigest(), before);
  assert.is(free(r, 0, 1), 0);
  assert.is(free(r, 0, 1), EINVAL); // a double free
  sane(r);
});

test("stateDigest: FNV-1a over every list length and PFN of zones 0..2, the per-cpu lists, then the pageblock types", () => {
  // A 512-page DMA32 machine holds one buddy: (zone 0, order 9, MOVABLE) = [0], and one MOVABLE block.
  const r = machine({ dma32Pages: 512 });
  assert.equal(r.freeLists(), ["0 9 1: 0"]);
  let h = 2166136261;
  const feed = (w: number): void => {
    h = Math.imul(h ^ w, 16777619) >>> 0;
  };
  for (let z = 0; z < 3; z++)
    for (let o = 0; o <= 10; o++)
      for (let mt = 0; mt < 6; mt++) {
        const one = z === 0 && o === 9 && mt === 1;
        feed(one ? 1 : 0);
        if (one) feed(0);
      }
  for (let z = 0; z < 3; z++) for (let pindex = 0; pindex < 14; pindex++) feed(0); // empty per-cpu lists
  feed(1);
  assert.is(r.stateDigest(), h);
});

test("checkInvariants names a broken counter and a page on the wrong type's list", () => {
  const r = machine({ normalPages: 2048 });
  r.mm.zones[1]!.nr_free_pages--;
  assert.match(r.checkInvariants() ?? "", /NR_FREE_PAGES 2047, lists hold 2048/);
  r.mm.zones[1]!.nr_free_pages++;
  const lists = r.mm.zones[1]!.free_area[10]!;
  lists[0] = lists[1]!.splice(1, 1); // 1024 moved from (10, MOVABLE) to (10, UNMOVABLE)
  assert.match(r.checkInvariants() ?? "", /hygiene/);
});

test.run();

// The reference's per-cpu lists (host/reference/pcp.ts) on their own, against numbers derived by hand from the
// kernel's functions (mm/page_alloc.c, 6.15): zone_batchsize(), zone_highsize(), the size of a refill
// (nr_pcp_alloc() into rmqueue_bulk(), alloc_factor), what a free past pcp->high gives back
// (free_frozen_page_commit(), nr_pcp_high(), nr_pcp_free(), free_high, free_pcppages_bulk()) and the decay
// (decay_pcp_high()). The differential test compares the reference with the core; this one
// checks the reference's lists against the kernel's arithmetic without the core.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ReferenceAllocator } from "../host/reference/allocator.js";
import { zone_batchsize } from "../host/reference/pcp.js";
import { defaultMachineConfig } from "../host/core/machine-config.js";
import { GFP_HIGHUSER_MOVABLE, OP_ALLOC, OP_FREE, OP_VMSTAT_REFRESH } from "../host/core/constants.js";

const alloc = (r: ReferenceAllocator, order: number): number => r.apply(new Int32Array([OP_ALLOC, GFP_HIGHUSER_MOVABLE, order]))[0]!;
const free = (r: ReferenceAllocator, pfn: number, order: number): number => r.apply(new Int32Array([OP_FREE, pfn, order]))[0]!;
/** A Normal zone of 24576 pages (96 MiB) from PFN 0, per-cpu lists on. */
const normal96 = (): ReferenceAllocator => new ReferenceAllocator({ ...defaultMachineConfig, normalPages: 24576 });
const pcp = (r: ReferenceAllocator) => r.mm.zones[1]!.pcp;

test("zone_batchsize(): min(managed >> 10, 256) / 4, at least 1, as rounddown_pow_of_two(b + b/2) - 1", () => {
  assert.is(zone_batchsize(8192), 1); // 8 / 4 = 2; 2 + 1 = 3 -> 2 - 1
  assert.is(zone_batchsize(24576), 7); // 24 / 4 = 6; 6 + 3 = 9 -> 8 - 1
  assert.is(zone_batchsize(4 << 18), 63); // 4 GiB: min(1024, 256) / 4 = 64; 64 + 32 = 96 -> 64 - 1
  assert.is(zone_batchsize(1024), 0); // 1 / 4 = 0 -> 1; 1 + 0 = 1 -> 1 - 1: zone_set_pageset_high_and_batch() makes it 1
});

test("zone_highsize(): high_min the low watermark, high_max an eighth of the zone, on one CPU, at least four batches", () => {
  const r = normal96();
  const zone = r.mm.zones[1]!;
  assert.is(pcp(r).batch, 7);
  assert.is(pcp(r).high_min, Math.max(zone.watermark.low, 4 * 7));
  assert.is(pcp(r).high_min, 391, "the 96 MiB zone's low watermark"); // min_free_kbytes 1254 -> min 313, +78 twice -> low 391
  assert.is(pcp(r).high_max, 24576 / 8); // MIN_PERCPU_PAGELIST_HIGH_FRACTION
  assert.is(pcp(r).high, 0, "per_cpu_pages_init() leaves high 0 until the first use clamps it");
});

test("an order-0 refill is one batch from the buddy, added at the tail; the head is taken", () => {
  // nr_pcp_alloc(0): high >= batch, max_nr_alloc = max(high - 0 - 7, 7) > 7, so 7 blocks; __rmqueue() splits
  // the order-10 buddy at 0 and the next six calls take 1, 2 (leaving 3), 3, 4 (leaving 5, 6), 5, 6
  const r = normal96();
  assert.is(alloc(r, 0), 0);
  assert.equal(pcp(r).list(1), [1, 2, 3, 4, 5, 6]); // pindex 3 * 0 + MOVABLE
  assert.is(pcp(r).count, 6);
});

test("an order-2 refill is max(batch >> 2, 2) = 2 blocks", () => {
  const r = normal96();
  assert.is(alloc(r, 2), 0);
  assert.equal(pcp(r).list(7), [4]); // pindex 3 * 2 + MOVABLE; the second block came from expand()'s order-2 half
  assert.is(pcp(r).count, 4);
});

test("consecutive order-0 refills double (alloc_factor, up to 5), each raising high by its batch above the high watermark", () => {
  // nr_pcp_alloc(0) with the list empty: batch = 7 << alloc_factor; high += batch (the zone stays above its high
  // watermark); max_nr_alloc = high - 0 - 7 is never the smaller; alloc_factor++ while below 5. Refills of
  // 7, 14, 28, 56, 112, 224, 224: PFNs come out in order, and high after each is 391 + the batches so far.
  const r = normal96();
  const refills = [7, 14, 28, 56, 112, 224, 224];
  let next = 0, high = 391;
  for (const [k, batch] of refills.entries()) {
    assert.is(alloc(r, 0), next, `refill ${k + 1} hands out the next PFN`);
    high += batch;
    assert.is(pcp(r).list(1).length, batch - 1, `refill ${k + 1} took ${batch}`);
    assert.is(pcp(r).high, high);
    assert.is(pcp(r).alloc_factor, Math.min(k + 1, 5));
    for (let i = 1; i < batch; i++) assert.is(alloc(r, 0), next + i);
    next += batch;
  }
  assert.is(pcp(r).count, 0);
  assert.is(r.checkInvariants(), null);
});

test("a full list raises high to free_count + batch and gives back clamp(free_count, batch, high - batch) pages", () => {
  // Order 9 is cached (the THP list): one fault refills max(7 >> 9, 2) = 2 blocks, PFNs 0 and 512, and takes 0;
  // high = 391 + 7 = 398. Freeing it: count 1024, free_count 0 + 512. nr_pcp_high(): count >= high, so high
  // becomes clamp(512 + 7, 391, 3072) = 519, and 398 (the value it clamped on entry) is returned; count >= 398:
  // nr_pcp_free() = clamp(512, 7, 398 - 7) = 391 pages, which free_pcppages_bulk() takes as one whole block from
  // the tail: PFN 512 back to the buddy, PFN 0 (freed to the head) stays.
  const r = normal96();
  assert.is(alloc(r, 9), 0);
  assert.equal([pcp(r).count, pcp(r).high], [512, 398]);
  free(r, 0, 9);
  assert.equal(pcp(r).list(13), [0]); // NR_LOWORDER_PCP_LISTS (12) + movable
  assert.equal([pcp(r).count, pcp(r).high, pcp(r).free_count], [512, 519, 512]);
  assert.ok(r.freeLists().includes("1 9 1: 512"), "the tail block went back to the buddy");
  assert.is(r.checkInvariants(), null);
});

test("consecutive frees of orders 1-3 (free_high) give the lists back and lower high by batch << 5", () => {
  // Ten order-2 faults: five refills of max(7 >> 2, 2) = 2 blocks, high 391 + 5 * 7 = 426, PFNs 0, 4, ..., 36.
  // Free 1: free_count 0 < 7, no free_high; free_count 4. Free 2: 4 < 7; free_count 8. Free 3: free_count 8 >= 7,
  // the previous free was of order 1-3, count 12 >= batch (PCPF_FREE_HIGH_BATCH: a 1 MiB cache slice holds more
  // than 3 batches): free_high. nr_pcp_high() lowers high to max(426 - 224, 391) = 391 and returns 0; nr_pcp_free()
  // = min(count 12, 224): all three blocks go back.
  const r = normal96();
  for (let i = 0; i < 10; i++) assert.is(alloc(r, 2), 4 * i);
  assert.equal([pcp(r).count, pcp(r).high], [0, 426]);
  free(r, 0, 2);
  free(r, 4, 2);
  assert.equal([pcp(r).count, pcp(r).free_count, pcp(r).high], [8, 8, 426]);
  free(r, 8, 2);
  assert.equal([pcp(r).count, pcp(r).free_count, pcp(r).high], [0, 12, 391]);
  assert.is(r.checkInvariants(), null);
});

test("6.16+: free_high waits for free_count >= batch + high_min / 2 (\"mm: pcp: increase pcp->free_count threshold to trigger free_high\")", () => {
  // The same ten order-2 blocks as above, on the 6.16 rule: the threshold is 7 + 391 / 2 = 202, which the ten frees
  // (free_count 4, 8, ..., 40) never reach; count stays under high 426, so every block stays on the list
  const r = new ReferenceAllocator({ ...defaultMachineConfig, normalPages: 24576, freeHighHighMin: true });
  for (let i = 0; i < 10; i++) assert.is(alloc(r, 2), 4 * i);
  for (let i = 0; i < 10; i++) free(r, 4 * i, 2);
  assert.equal([pcp(r).count, pcp(r).free_count, pcp(r).high], [40, 40, 426]);
  assert.is(r.checkInvariants(), null);
});

test("decay_pcp_high(): each second high loses an eighth, and what the lists hold above it goes back from the tail", () => {
  // 1,000 order-0 faults: refills 7, 14, 28, 56, 112, 224, 224, 224, 224 (1,113 pages), high 391 + 1,113 = 1,504,
  // PFNs 1000..1112 left on the list. Freeing 0..999 puts them at the head: count 1,113, free_count capped at
  // 7 << 5 = 224, high stays (count < high). Each refresh: high = max(count - 224, high - high / 8, 391):
  // 1,316, 1,152, 1,008; at 1,008 the list's 105 pages above it go back from the tail, PFNs 1112 down to 1008.
  const r = normal96();
  for (let i = 0; i < 1000; i++) alloc(r, 0);
  assert.equal([pcp(r).count, pcp(r).high], [113, 1504]);
  for (let i = 0; i < 1000; i++) free(r, i, 0);
  assert.equal([pcp(r).count, pcp(r).free_count, pcp(r).high], [1113, 224, 1504]);
  const refresh = (): void => void r.apply(new Int32Array([OP_VMSTAT_REFRESH, 0, 0]));
  for (const high of [1316, 1152]) {
    refresh();
    assert.equal([pcp(r).high, pcp(r).count], [high, 1113]);
  }
  refresh();
  assert.equal([pcp(r).high, pcp(r).count], [1008, 1008]);
  const list = pcp(r).list(1);
  assert.equal([list[0], list.at(-1)], [999, 1007]);
  assert.is(r.checkInvariants(), null);
});

test("6.1/6.6: high fixed at the low watermark, refills of a batch, give-backs of batch << free_factor, no decay", () => {
  // 6.1.192's pageset_update() sets high = zone_highsize() of the low watermark, 391 here, once; a refill is one batch
  // (7): 1,000 allocations take 143 refills, 1,001 blocks, and leave 1 on the list. Frees then reach 391 after 390 and
  // nr_pcp_free() gives back 7 << free_factor, raising free_factor while that stays under high - batch (384): 7, 14,
  // 28, 56, 112 (free_factor 5, the cap), then 224 each time: counts 384, 377, 363, 335, 279, 167, 167 after 390,
  // 397, 411, 439, 495, 607 and 831 frees; the last 169 leave 336. An allocation halves free_factor (2) and takes
  // the list's head, the page freed last; vmstat's refresh leaves a local zone's lists alone
  const r = new ReferenceAllocator({ ...defaultMachineConfig, normalPages: 24576, pcpAutoTune: false });
  assert.equal([pcp(r).high, pcp(r).high_min, pcp(r).high_max, pcp(r).batch], [391, 391, 391, 7]);
  for (let i = 0; i < 1000; i++) assert.is(alloc(r, 0), i);
  assert.is(pcp(r).count, 1);
  for (let i = 0; i < 1000; i++) free(r, i, 0);
  assert.equal([pcp(r).count, pcp(r).free_factor, pcp(r).high], [336, 5, 391]);
  assert.is(alloc(r, 0), 999);
  assert.equal([pcp(r).count, pcp(r).free_factor], [335, 2]);
  r.apply(new Int32Array([OP_VMSTAT_REFRESH, 0, 0]));
  assert.equal([pcp(r).count, pcp(r).high], [335, 391]);
  assert.is(r.checkInvariants(), null);
});

test("the boot pageset (pcp off): one block per refill, every free straight back", () => {
  const r = new ReferenceAllocator({ ...defaultMachineConfig, normalPages: 24576, pcp: false });
  assert.equal([pcp(r).high, pcp(r).batch], [0, 1]);
  assert.is(alloc(r, 0), 0);
  assert.is(pcp(r).count, 0); // nr_pcp_alloc() = 1 when high < batch: the one block is taken at once
  free(r, 0, 0);
  assert.is(pcp(r).count, 0); // count 1 >= nr_pcp_high() 0: nr_pcp_free() = 1 goes back
  assert.ok(r.freeLists().includes("1 10 1: 0 1024 2048 3072 4096 5120 6144 7168 8192 9216 10240 11264 12288 13312 14336 15360 16384 17408 18432 19456 20480 21504 22528 23552"));
});

test.run();

// The reference's per-cpu lists (host/reference/pcp.ts) on their own, against numbers derived by hand from the
// kernel's functions (mm/page_alloc.c, 6.15): zone_batchsize(), zone_highsize(), the size of a refill
// (nr_pcp_alloc() into rmqueue_bulk()), and what a free past pcp->high gives back (free_frozen_page_commit(),
// nr_pcp_free(), free_pcppages_bulk()). The differential test compares the reference with the core; this one
// checks the reference's lists against the kernel's arithmetic without the core.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ReferenceAllocator } from "../host/reference/allocator.js";
import { zone_batchsize } from "../host/reference/pcp.js";
import { defaultMachineConfig } from "../host/core/machine-config.js";
import { GFP_HIGHUSER_MOVABLE, OP_ALLOC, OP_FREE } from "../host/core/constants.js";

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

test("zone_highsize(): the low watermark on one CPU, at least four batches", () => {
  const r = normal96();
  const zone = r.mm.zones[1]!;
  assert.is(pcp(r).batch, 7);
  assert.is(pcp(r).high, Math.max(zone.watermark.low, 4 * 7));
  assert.ok(pcp(r).high > 28, "on 96 MiB the low watermark is above four batches");
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

test("the free that reaches high gives back min(batch, high - batch) pages from the tail of its list", () => {
  const r = normal96();
  const high = pcp(r).high;
  // 56 refills of 7 hand out PFNs 0..391 in order (each refill splits what the last left) and leave the lists empty
  const n = 392;
  for (let i = 0; i < n; i++) assert.is(alloc(r, 0), i);
  assert.is(pcp(r).count, 0);
  // frees go to the head, so the tail holds the first freed; the free that makes count reach high frees 7
  for (let i = 0; i < n; i++) {
    free(r, i, 0);
    const expected = i + 1 >= high ? i + 1 - 7 : i + 1;
    if (i + 1 <= high) assert.is(pcp(r).count, expected, `after ${i + 1} frees`);
  }
  assert.is(high, 391, "the 96 MiB zone's low watermark"); // min_free_kbytes 1254 -> min 313, +78 twice -> low 391
  assert.is(pcp(r).count, n - 7);
  const list = pcp(r).list(1);
  assert.is(list[0], 391);
  assert.is(list.at(-1), 7);
  // PFNs 0..6 went to __free_one_page() in that order: 0+1 -> order 1, 2+3 -> order 1 -> with 0 order 2,
  // 4+5 -> order 1, 6 alone (7 is still on the list)
  const lists = r.freeLists();
  for (const line of ["1 0 1: 6", "1 1 1: 4", "1 2 1: 0"]) assert.ok(lists.includes(line), line);
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

// min_free_kbytes and the watermarks with THP enabled (mm/khugepaged.c: set_recommended_min_free_kbytes(),
// 6.15) in the WASM core and the TS reference alike. Every expected value is derived in the comment beside it.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { WasmAllocator } from "../host/core/wasm-allocator.js";
import { coreModuleSync } from "../host/core/load-node.js";
import { ReferenceAllocator } from "../host/reference/allocator.js";
import { defaultMachineConfig, type MachineConfig } from "../host/core/machine-config.js";
import { parseTrace } from "../host/replay/trace.js";
import { resolveScenario } from "../host/scenario/resolve.js";
import type { ZoneView } from "../host/core/allocator-model.js";

const debug = coreModuleSync("debug");
const GiB = 262144; // pages

/** The zone views of both models, which must agree. */
function zones(m: Partial<MachineConfig>): ZoneView[] {
  const config = { ...defaultMachineConfig, ...m };
  const wasm = new WasmAllocator(config, debug).zones();
  assert.equal(JSON.stringify(wasm), JSON.stringify(new ReferenceAllocator(config).zones()), "core and reference agree");
  return wasm;
}
const marks = (z: ZoneView[]) => z.map((v) => v.watermark);

test("8 GiB (DMA32 2 GiB + Normal 6 GiB): THP raises min_free_kbytes from 11585 to 45056 (44 MiB)", () => {
  // Without THP: lowmem 2097152 pages, min_free_kbytes = int_sqrt(2097152*4*16 = 134217728) = 11585, pages_min
  // 2896. DMA32: min = 2896*524288/2097152 = 724, tmp = max(724/4 = 181, 524288*10/10000 = 524) = 524
  // -> 724/1248/1772. Normal: min = 2172, tmp = max(543, 1572) = 1572 -> 2172/3744/5316.
  const off = zones({ dma32Pages: 2 * GiB, normalPages: 6 * GiB });
  assert.equal(marks(off), [{ min: 724, low: 1248, high: 1772 }, { min: 2172, low: 3744, high: 5316 }]);
  // With THP: two zones (DMA32, Normal) -> 512*2*2 + 512*2*3*3 = 11264 pages; 5 % of nr_free_buffer_pages()
  // = ((524288 - 1772) + (1572864 - 5316)) / 20 = 104503 does not cap it; 11264 pages = 45056 kB > 11585,
  // so pages_min = 11264. DMA32: min = 11264/4 = 2816, tmp = max(704, 524) = 704 -> 2816/3520/4224.
  // Normal: min = 8448, tmp = max(2112, 1572) = 2112 -> 8448/10560/12672.
  const on = zones({ dma32Pages: 2 * GiB, normalPages: 6 * GiB, thp: true });
  assert.equal(marks(on), [{ min: 2816, low: 3520, high: 4224 }, { min: 8448, low: 10560, high: 12672 }]);
  // pcp->high_min = max(low, 4 * batch) (zone_highsize): Normal's batch is 63, so high_min follows low: 10560;
  // high_max = managed / 8 = 196608 either way. pcp->high itself is 0 until the first use clamps it.
  assert.equal([on[1]!.pcp.highMin, on[1]!.pcp.highMax, on[1]!.pcp.high], [10560, 196608, 0]);
  assert.equal([off[1]!.pcp.highMin, off[1]!.pcp.highMax], [3744, 196608]);
});

test("64 MiB: the raise is capped at 5 % of the memory above the high watermarks", () => {
  // Without THP: lowmem 16384, min_free_kbytes = int_sqrt(16384*64) = 1024, pages_min 256. DMA32 4096 pages:
  // min 64, tmp = max(16, 4) = 16 -> 64/80/96. Normal 12288: min 192, tmp 48 -> 192/240/288.
  // With THP: 11264 pages wanted, but nr_free_buffer_pages() = (4096 - 96) + (12288 - 288) = 16000, 5 % = 800
  // pages = 3200 kB > 1024: pages_min 800. DMA32: min 200, tmp = max(50, 4) = 50 -> 200/250/300.
  // Normal: min 600, tmp 150 -> 600/750/900.
  assert.equal(marks(zones({ dma32Pages: 4096, normalPages: 12288 })), [{ min: 64, low: 80, high: 96 }, { min: 192, low: 240, high: 288 }]);
  assert.equal(marks(zones({ dma32Pages: 4096, normalPages: 12288, thp: true })), [{ min: 200, low: 250, high: 300 }, { min: 600, low: 750, high: 900 }]);
});

test("ZONE_MOVABLE does not count as a zone to keep pageblocks free in (zone_idx > gfp_zone(GFP_USER))", () => {
  // Normal 2 GiB + Movable 1 GiB: one zone counts -> 512*1*2 + 512*1*9 = 5632 pages = 22528 kB; the sqrt rule
  // gives int_sqrt(524288*64) = 5792, and the cap (524288 - 2496) / 20 = 26089 pages does not bind (Normal's
  // high without THP: pages_min 1448, tmp max(362, 524) = 524 -> 2496). pages_min 5632: Normal 5632,
  // tmp = max(1408, 524) = 1408 -> 5632/7040/8448. Movable: min = clamp(262144/1024, 32, 128) = 128, its share
  // 5632*262144/524288 = 2816 gives tmp = max(704, 262) = 704 -> 128/832/1536. Had Movable counted (two
  // zones), min_free_kbytes would be 45056.
  assert.equal(marks(zones({ normalPages: 2 * GiB, movablePages: GiB, thp: true })), [
    { min: 5632, low: 7040, high: 8448 },
    { min: 128, low: 832, high: 1536 },
  ]);
});

test("trace header: thp defaults to off (old traces keep their watermarks), thp=on raises them", () => {
  assert.is(parseTrace("machine pages=16384 dma32=4096\n").machine.thp, false);
  assert.is(parseTrace("machine pages=16384 dma32=4096 thp=on\n").machine.thp, true);
});

test("scenario: machine.thp defaults to true, as distributions ship it", () => {
  const fio = { type: "fio", rw: "write", bs: "1M", size: "16M" };
  assert.is(resolveScenario({ machine: { memory: "64M" }, workloads: [fio] }, "t").machine.thp, true);
  assert.is(resolveScenario({ machine: { memory: "64M", thp: false }, workloads: [fio] }, "t").machine.thp, false);
});

test.run();

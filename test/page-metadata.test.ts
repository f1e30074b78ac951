// struct page's cost in linear memory: README says 12 bytes a page (assembly/mm/page.ts), the aim is at
// most 16, and DESIGN.md wants 2^28 pages (1 TiB) to fit one wasm32 instance. Measured, not just declared.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { instantiateCore } from "../host/core/wasm.js";
import { coreModuleSync } from "../host/core/load-node.js";

/** Linear memory after booting a machine of `pages` (all Normal). */
function memoryAfterBoot(pages: number): number {
  const core = instantiateCore(coreModuleSync("release"));
  core.mm_init(0, pages, 0, 0, 0);
  return core.memory.buffer.byteLength;
}

test("the core declares 12 bytes a page", () => {
  const core = instantiateCore(coreModuleSync("release"));
  assert.is(core.mm_bytes_per_page(), 12);
});

test("booting 1 GiB more machine grows linear memory by 12 bytes a page (plus a pageblock byte), not more", () => {
  const small = 1 << 15, big = small + (1 << 18); // 128 MiB and 1.125 GiB
  const perPage = (memoryAfterBoot(big) - memoryAfterBoot(small)) / (big - small);
  // memory grows in 64 KiB wasm pages, so allow one of them over the 2^18 pages
  assert.ok(perPage >= 12 && perPage <= 12 + 1 / 512 + 65536 / (1 << 18), `${perPage} bytes a page`);
  assert.ok(perPage * 2 ** 28 < 2 ** 32 - 2 ** 28, "2^28 pages leave room in a 4 GiB wasm32 memory");
});

test.run();

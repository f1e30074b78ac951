// The host and the WASM core each declare the kernel constants; this keeps the two copies equal.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import * as host from "../host/core/constants.js";

const source = readFileSync(new URL("../assembly/mm/constants.ts", import.meta.url), "utf8");
const core = new Map<string, number>();
for (const m of source.matchAll(/export const (\w+): [iu]32 = (0x[0-9a-f]+|-?\d+);/g)) core.set(m[1]!, Number(m[2]));

test("every constant the host shares with the core has the same value", () => {
  const shared = Object.entries(host).filter(([k, v]) => typeof v === "number" && core.has(k));
  assert.ok(shared.length >= 20, `expected the kernel constants to be shared, found ${shared.length}`);
  for (const [k, v] of shared) assert.is(v, core.get(k), k);
});

test("the enum values are the kernel's", () => {
  // include/linux/mmzone.h: enum migratetype
  assert.equal([host.MIGRATE_UNMOVABLE, host.MIGRATE_MOVABLE, host.MIGRATE_RECLAIMABLE, host.MIGRATE_HIGHATOMIC, host.MIGRATE_CMA, host.MIGRATE_ISOLATE], [0, 1, 2, 3, 4, 5]);
  assert.is(host.pageblock_nr_pages, 512);
  assert.is(host.NR_PAGE_ORDERS, 11);
});

test.run();

// The host's kernel constants are the core's (host/gen/kernel-constants.ts, generated from assembly/mm/constants.ts);
// these are the kernel's values the core must have.
import { test } from "uvu";
import * as assert from "uvu/assert";
import * as host from "../host/core/constants.js";

test("the enum values are the kernel's", () => {
  // include/linux/mmzone.h: enum migratetype
  assert.equal([host.MIGRATE_UNMOVABLE, host.MIGRATE_MOVABLE, host.MIGRATE_RECLAIMABLE, host.MIGRATE_HIGHATOMIC, host.MIGRATE_CMA, host.MIGRATE_ISOLATE], [0, 1, 2, 3, 4, 5]);
  assert.is(host.pageblock_nr_pages, 512);
  assert.is(host.NR_PAGE_ORDERS, 11);
});

test.run();

// A machine above 512 GiB runs in one wasm32 instance (issue 12): its struct pages (12 bytes a page; at 512 GiB
// the 8-byte list heads alone reach the AssemblyScript runtime's 1 GiB block limit) live in linear memory the
// core grows itself (assembly/sim/arena.ts). 704 GiB: its struct pages end above 2 GiB, so the host must read
// the core's pointers unsigned. A minimal workload, so the test costs the boot and little more.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { resolveScenario } from "../host/scenario/resolve.js";
import { Simulator } from "../host/sim/simulator.js";
import { estimateWork } from "../host/sim/work-estimate.js";
import { coreModuleSync } from "../host/core/load-node.js";

const GiB = 2 ** 30;

test("a 704 GiB machine boots, writes 4 KiB through FUSE and loses nothing; the estimate covers its memory", () => {
  const config = resolveScenario({
    machine: { memory: "704G" },
    workloads: [{ type: "fio", rw: "write", bs: "4k", size: "4k", numjobs: 1 }],
  }, "large");
  const sim = new Simulator(config, coreModuleSync("release"));
  const outcome = sim.run();
  assert.ok(outcome.synced);
  const pages = (704 * GiB) / 4096;
  assert.is(sim.allocator.core.mm_nr_pages(), pages);
  // one page written, one page persisted
  const integrity = sim.integrity();
  assert.is(integrity.pagesWritten, 1);
  assert.is(integrity.writesPersisted, 1);
  // 12 bytes a page of 704 GiB end above 2 GiB, so the arrays made after them (the samples, the pageblock map)
  // sit where WASM's i32 results read negative unless the host reads them unsigned
  assert.ok(pages * 12 > 2 * GiB);
  const samples = sim.samples();
  assert.ok(samples.length >= 1);
  const blocks = sim.pageblockMap();
  assert.is(blocks.length, pages / 512);
  // a 4 KiB write, its request's slab pages and the per-cpu lists hold far less than 1 GiB
  const free = blocks.reduce((s, b) => s + b.free, 0);
  assert.ok(free <= pages && free > pages - GiB / 4096, `${free} of ${pages} pages free`);
  const grown = sim.allocator.core.memory.buffer.byteLength;
  assert.ok(grown >= pages * 12, `${grown} bytes hold 12 bytes a page`);
  assert.ok(grown <= estimateWork(config).memoryBytes, `${grown} bytes grown, ${estimateWork(config).memoryBytes} estimated`);
  assert.is(sim.checkInvariants(), null);
});

test.run();

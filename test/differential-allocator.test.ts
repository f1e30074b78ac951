// Differential test: the WASM core and the plain-TS reference (host/reference/) on the same seeded random
// alloc/free streams must, after every operation, return the same PFN, hold the same free lists, per-cpu lists
// and pageblock types (the state digest), give the same zone views (every counter, watermark, boost, reserve,
// per-cpu high/high_min/high_max, block census and mixed count), and the core's invariant checker must pass.
// The reference's own checker, a walk of every page in TypeScript that costs 20 times a step, runs every 97th
// operation and at the end: the reference state it checks beyond the lists (per-page orders and owners)
// decides every later merge, split and free, so a fault there shows up as a different PFN, list or view at the
// next step that touches the page. 7 machines x 40,000 operations = 280,000 operations, one in 500 of them a
// second passing for the per-cpu lists (OP_VMSTAT_REFRESH: decay_pcp_high()). The small machines' zones have
// a per-cpu batch of 1; the 128 MiB one has batch 7 on Normal.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { WasmAllocator } from "../host/core/wasm-allocator.js";
import { coreModuleSync } from "../host/core/load-node.js";
import { ReferenceAllocator } from "../host/reference/allocator.js";
import { defaultMachineConfig, type MachineConfig } from "../host/core/machine-config.js";
import { AllocStream } from "../host/util/alloc-stream.js";
import type { AllocatorModel } from "../host/core/allocator-model.js";
import { OP_ALLOC, OP_FREE, GFP_HIGHUSER_MOVABLE } from "../host/core/constants.js";

const OPS = Number(process.env.FUSEWB_DIFF_OPS ?? 40_000);

function firstDifference(a: string[], b: string[]): string {
  for (let i = 0; i < Math.max(a.length, b.length); i++)
    if (a[i] !== b[i]) return `wasm: ${a[i] ?? "(none)"}\n  ref:  ${b[i] ?? "(none)"}`;
  return "(lists equal)";
}

/** Deep equality of two zone views (plain objects of numbers, strings and arrays), without building JSON. */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  const ka = Object.keys(a), kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) if (!same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  return true;
}

function compareViews(wasm: AllocatorModel, ref: AllocatorModel, step: number): void {
  const a = wasm.zones(), b = ref.zones();
  if (!same(a, b)) assert.equal(JSON.stringify(a), JSON.stringify(b), `zone views differ at step ${step}`);
}

function run(name: string, config: MachineConfig, seed: number): void {
  test(`${name}: ${OPS} random operations, same PFNs and free lists`, () => {
    const wasm = new WasmAllocator(config, coreModuleSync("debug"));
    const ref = new ReferenceAllocator(config);
    assert.is(wasm.stateDigest(), ref.stateDigest(), "state after boot");
    compareViews(wasm, ref, 0);
    const nrPages = config.dma32Pages + config.normalPages + config.movablePages;
    const stream = new AllocStream({ seed, nrPages, refreshEvery: 500 });
    for (let step = 1; step <= OPS; step++) {
      const op = new Int32Array(stream.next());
      const rw = wasm.apply(op)[0]!;
      const rr = ref.apply(op)[0]!;
      if (rw !== rr) assert.unreachable(`step ${step} op [${op.join(",")}]: wasm returned ${rw}, reference ${rr}`);
      stream.result(rw);
      if (wasm.stateDigest() !== ref.stateDigest()) {
        assert.unreachable(`step ${step} op [${op.join(",")}]: free lists differ\n  ${firstDifference(wasm.freeLists(), ref.freeLists())}`);
      }
      const bad = wasm.checkInvariants();
      if (bad) assert.unreachable(`step ${step}: WASM ${bad}`);
      compareViews(wasm, ref, step);
      if (step % 97 === 0 || step === OPS) {
        const refBad = ref.checkInvariants();
        if (refBad) assert.unreachable(`step ${step}: reference ${refBad}`);
      }
    }
  });
}

const base: MachineConfig = { ...defaultMachineConfig, dma32Pages: 2048, normalPages: 6144 };
run("DMA32+Normal, 6.15 claim-then-steal", base, 1);
run("DMA32+Normal, 6.10-6.14 largest-steal", { ...base, fallback: "largest-steal" }, 2);
run("Normal+Movable with a CMA area", { ...base, dma32Pages: 0, normalPages: 8192, movablePages: 2048, cmaPages: 1024 }, 3);
run("mobility grouping disabled", { ...base, mobilityGrouping: false }, 4);
run("128 MiB, per-cpu batch 7", { ...base, dma32Pages: 8192, normalPages: 24576 }, 5);
run("per-cpu lists disabled (boot pageset)", { ...base, pcp: false }, 6);
run("THP on: khugepaged's raised min_free_kbytes and watermarks", { ...base, thp: true }, 7);
run("6.16+'s free_high threshold (batch + high_min / 2)", { ...base, dma32Pages: 8192, normalPages: 24576, freeHighHighMin: true }, 8);
run("6.1/6.6's per-cpu lists (fixed high, free_factor)", { ...base, dma32Pages: 8192, normalPages: 24576, pcpAutoTune: false, fallback: "largest-steal" }, 9);

// The benchmark's way of driving the models: a stream recorded one operation at a time, then replayed as one
// batch into a reused results array. Both models, and the release build the benchmark times, must give the
// recorded results and end in the same state. The stream ends by freeing 2,000 pages at once, so a per-cpu
// list holds hundreds of blocks and its ring (64 slots when new) has to grow during the batch.
test("one batch of 34,000 operations into a reused results array = the same operations one at a time", () => {
  const config: MachineConfig = { ...defaultMachineConfig, dma32Pages: 16384, normalPages: 49152 };
  const recorder = new WasmAllocator(config, coreModuleSync("debug"));
  const recorded: number[] = [];
  const run1 = (op: Int32Array): Int32Array => {
    const r = recorder.apply(op);
    recorded.push(r[0]!);
    return r;
  };
  const random = AllocStream.record({ seed: 7, nrPages: 65536, orderWeights: [90, 3, 2, 2, 1, 0.5, 0.5, 0.3, 0.2, 0.4, 0.1] }, 30_000, run1);
  const burst: number[] = [];
  const pfns: number[] = [];
  for (let i = 0; i < 2000; i++) {
    burst.push(OP_ALLOC, GFP_HIGHUSER_MOVABLE, 0);
    pfns.push(run1(new Int32Array([OP_ALLOC, GFP_HIGHUSER_MOVABLE, 0]))[0]!);
  }
  for (const pfn of pfns) {
    burst.push(OP_FREE, pfn, 0);
    run1(new Int32Array([OP_FREE, pfn, 0]));
  }
  const longest = Math.max(...recorder.freeLists().filter((l) => l.startsWith("pcp")).map((l) => l.split(" ").length - 3));
  assert.ok(longest > 64, `a per-cpu list outgrew a new ring (longest ${longest})`);
  const ops = new Int32Array([...random, ...burst]);
  const N = ops.length / 3;
  const results = new Int32Array(N + 5).fill(12345);
  for (const model of [new WasmAllocator(config, coreModuleSync("release")), new ReferenceAllocator(config)]) {
    const out = model.apply(ops, results);
    assert.is(out.buffer, results.buffer, "written into the caller's array");
    assert.is(out.length, N);
    assert.equal(Array.from(out), recorded);
    assert.is(results[N], 12345, "nothing written past the batch");
    assert.is(model.stateDigest(), recorder.stateDigest());
    assert.is(model.checkInvariants(), null);
  }
  assert.throws(() => recorder.apply(ops.subarray(0, 30), new Int32Array(9)), /results has 9 entries, the batch needs 10/);
  // WasmAllocator copies a batch into the core 8,192 operations at a time: an unknown code in a later chunk is
  // reported at its place in the whole batch
  const bad = ops.slice(0, 3 * 10_000);
  bad[3 * 9_000] = 7;
  assert.throws(() => new WasmAllocator(config, coreModuleSync("release")).apply(bad), /unknown batch operation code 7 at operation 9000$/);
});

test.run();

// Differential test: the WASM core and the plain-TS reference (host/reference/) on the same seeded random
// alloc/free streams must return the same PFNs and hold the same free lists and pageblock types after every
// operation; both invariant checkers run as they go. 6 machines x 40,000 operations = 240,000 operations.
// The small machines' zones have a per-cpu batch of 1; the 128 MiB one has batch 7 on Normal.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { WasmAllocator } from "../host/core/wasm-allocator.js";
import { coreModuleSync } from "../host/core/load-node.js";
import { ReferenceAllocator } from "../host/reference/allocator.js";
import { defaultMachineConfig, type MachineConfig } from "../host/core/machine-config.js";
import { AllocStream } from "../host/util/alloc-stream.js";
import type { AllocatorModel } from "../host/core/allocator-model.js";

const OPS = Number(process.env.FUSEWB_DIFF_OPS ?? 40_000);

function firstDifference(a: string[], b: string[]): string {
  for (let i = 0; i < Math.max(a.length, b.length); i++)
    if (a[i] !== b[i]) return `wasm: ${a[i] ?? "(none)"}\n  ref:  ${b[i] ?? "(none)"}`;
  return "(lists equal)";
}

function compareViews(wasm: AllocatorModel, ref: AllocatorModel, step: number): void {
  assert.equal(JSON.stringify(wasm.zones()), JSON.stringify(ref.zones()), `zone views differ at step ${step}`);
}

function run(name: string, config: MachineConfig, seed: number): void {
  test(`${name}: ${OPS} random operations, same PFNs and free lists`, () => {
    const wasm = new WasmAllocator(config, coreModuleSync("debug"));
    const ref = new ReferenceAllocator(config);
    assert.is(wasm.stateDigest(), ref.stateDigest(), "state after boot");
    compareViews(wasm, ref, 0);
    const nrPages = config.dma32Pages + config.normalPages + config.movablePages;
    const stream = new AllocStream({ seed, nrPages });
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
      if (step % 97 === 0) {
        const refBad = ref.checkInvariants();
        if (refBad) assert.unreachable(`step ${step}: reference ${refBad}`);
        compareViews(wasm, ref, step);
      }
    }
    compareViews(wasm, ref, OPS);
  });
}

const base: MachineConfig = { ...defaultMachineConfig, dma32Pages: 2048, normalPages: 6144 };
run("DMA32+Normal, 6.15 claim-then-steal", base, 1);
run("DMA32+Normal, 6.10-6.14 largest-steal", { ...base, fallback: "largest-steal" }, 2);
run("Normal+Movable with a CMA area", { ...base, dma32Pages: 0, normalPages: 8192, movablePages: 2048, cmaPages: 1024 }, 3);
run("mobility grouping disabled", { ...base, mobilityGrouping: false }, 4);
run("128 MiB, per-cpu batch 7", { ...base, dma32Pages: 8192, normalPages: 24576 }, 5);
run("per-cpu lists disabled (boot pageset)", { ...base, pcp: false }, 6);

test.run();

// Alloc+free throughput: the WASM core against the TS reference on the same recorded stream.
// Each iteration boots a fresh machine (untimed) and applies the whole stream in one batch.
import { Bench } from "tinybench";
import { WasmAllocator } from "../host/core/wasm-allocator.js";
import { coreModuleSync } from "../host/core/load-node.js";
import { ReferenceAllocator } from "../host/reference/allocator.js";
import { defaultMachineConfig, type MachineConfig } from "../host/core/machine-config.js";
import { AllocStream } from "../host/util/alloc-stream.js";
import { OP_ALLOC } from "../host/core/constants.js";
import type { AllocatorModel } from "../host/core/allocator-model.js";

export interface AllocBenchRow {
  model: string;
  opsPerSec: number;
  /** One alloc and one free make a pair. */
  pairsPerSec: number;
  samples: number;
}

export async function allocBench(): Promise<AllocBenchRow[]> {
  // 256 MiB machine; order-0 heavy stream (what page cache and slab ask for), 1 % high orders.
  const config: MachineConfig = { ...defaultMachineConfig, dma32Pages: 16384, normalPages: 49152 };
  const nrPages = config.dma32Pages + config.normalPages;
  const orderWeights = [90, 3, 2, 2, 1, 0.5, 0.5, 0.3, 0.2, 0.4, 0.1];
  const N = 400_000;
  const recorder = new WasmAllocator(config, coreModuleSync("release"));
  const ops = AllocStream.record({ seed: 42, nrPages, orderWeights, badFreeRate: 0 }, N, (op) => recorder.apply(op));
  let allocs = 0;
  for (let i = 0; i < N; i++) if (ops[i * 3] === OP_ALLOC) allocs++;
  const pairs = Math.min(allocs, N - allocs);

  const bench = new Bench({ time: 1500, warmupTime: 300 });
  const models: [string, () => AllocatorModel][] = [
    ["wasm (release)", () => new WasmAllocator(config, coreModuleSync("release"))],
    ["ts reference", () => new ReferenceAllocator(config)],
  ];
  for (const [name, make] of models) {
    let model = make();
    bench.add(name, () => { model.apply(ops); }, { beforeEach: () => { model = make(); } });
  }
  await bench.run();
  return bench.tasks.map((t) => {
    const mean = t.result && "latency" in t.result ? t.result.latency.mean : NaN; // ms per stream
    return {
      model: t.name,
      opsPerSec: (N / mean) * 1000,
      pairsPerSec: (pairs / mean) * 1000,
      samples: t.result && "latency" in t.result ? t.result.latency.samplesCount : 0,
    };
  });
}

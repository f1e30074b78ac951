// Alloc+free throughput: the WASM core against the TS reference on the same recorded streams.
// Each iteration boots a fresh machine (untimed) and applies the whole stream in one batch.
import { Bench } from "tinybench";
import { WasmAllocator } from "../host/core/wasm-allocator.js";
import { coreModuleSync } from "../host/core/load-node.js";
import { ReferenceAllocator } from "../host/reference/allocator.js";
import { defaultMachineConfig, type MachineConfig } from "../host/core/machine-config.js";
import { AllocStream, type StreamOptions } from "../host/util/alloc-stream.js";
import { OP_ALLOC } from "../host/core/constants.js";
import type { AllocatorModel } from "../host/core/allocator-model.js";

export interface AllocBenchRow {
  stream: string;
  model: string;
  opsPerSec: number;
  /** One alloc and one free make a pair. */
  pairsPerSec: number;
  samples: number;
}

/** Two streams on a 256 MiB machine (per-cpu lists on, as in the kernel). The stress stream keeps memory
 *  between 30 % and 97 % full with 10 % of requests above order 0, so claims, steals, watermark failures and
 *  the drains of the direct-reclaim retry are frequent. The order-0 stream is page cache and slab in steady
 *  state: up to 90 % full, where kswapd would keep a real machine, so almost every operation hits the per-cpu
 *  lists or a short buddy split/merge. */
export const allocStreams: readonly { name: string; opts: Omit<StreamOptions, "nrPages"> }[] = [
  { name: "mixed orders, 30-97 % full", opts: { seed: 42, orderWeights: [90, 3, 2, 2, 1, 0.5, 0.5, 0.3, 0.2, 0.4, 0.1], badFreeRate: 0 } },
  { name: "order 0, 30-90 % full", opts: { seed: 42, orderWeights: [1], badFreeRate: 0, maxFill: 0.9 } },
];

/** timeMs: how long tinybench runs each model (the bench's --quick shortens it). */
export async function allocBench(run: { timeMs?: number } = {}): Promise<AllocBenchRow[]> {
  const config: MachineConfig = { ...defaultMachineConfig, dma32Pages: 16384, normalPages: 49152 };
  const nrPages = config.dma32Pages + config.normalPages;
  const N = 400_000;
  const rows: AllocBenchRow[] = [];
  for (const { name, opts } of allocStreams) {
    const recorder = new WasmAllocator(config, coreModuleSync("release"));
    const ops = AllocStream.record({ ...opts, nrPages }, N, (op) => recorder.apply(op));
    let allocs = 0;
    for (let i = 0; i < N; i++) if (ops[i * 3] === OP_ALLOC) allocs++;
    const pairs = Math.min(allocs, N - allocs);

    const bench = new Bench({ time: run.timeMs ?? 1500, warmupTime: Math.min(300, run.timeMs ?? 300) });
    const models: [string, () => AllocatorModel][] = [
      ["wasm (release)", () => new WasmAllocator(config, coreModuleSync("release"))],
      ["ts reference", () => new ReferenceAllocator(config)],
    ];
    for (const [model, make] of models) {
      let m = make();
      // Untimed set-up: a fresh machine and, for the core, its batch buffers grown to the stream's size and
      // touched once, as a long-lived embedding's are (a fresh instance would otherwise time memory.grow and
      // the first-touch page faults of 6.4 MB, about a third of the run on this VM).
      const setUp = (): void => {
        m = make();
        if (m instanceof WasmAllocator) {
          const core = m.core;
          const ptr = core.batch_buffer(N); // grows memory first: read memory.buffer after it
          new Int32Array(core.memory.buffer, ptr, N * 3).fill(0);
          new Int32Array(core.memory.buffer, core.batch_results_ptr(), N).fill(0);
          // and the struct pages: boot leaves the zeroed memmap as it is (assembly/mm/page.ts), so the stream
          // would otherwise take their first-touch faults; a byte written back as it is, per 4 KiB
          const bytes = new Uint8Array(core.memory.buffer);
          for (let i = 0; i < bytes.length; i += 4096) bytes[i] = bytes[i]!;
        }
      };
      const results = new Int32Array(N); // reused, as a long-lived embedding applying many batches would
      bench.add(model, () => { m.apply(ops, results); }, { beforeEach: setUp });
    }
    await bench.run();
    for (const t of bench.tasks) {
      const mean = t.result && "latency" in t.result ? t.result.latency.mean : NaN; // ms per stream
      rows.push({
        stream: name,
        model: t.name,
        opsPerSec: (N / mean) * 1000,
        pairsPerSec: (pairs / mean) * 1000,
        samples: t.result && "latency" in t.result ? t.result.latency.samplesCount : 0,
      });
    }
  }
  return rows;
}

/** How fast this machine runs plain code: ns per element of a summing loop over an Int32Array, so readers
 *  can scale the numbers above to their own machine. */
export function calibrationNsPerElement(): number {
  const a = new Int32Array(1 << 16).fill(1);
  let s = 0;
  let best = Infinity;
  for (let r = 0; r < 20; r++) {
    const t0 = performance.now();
    for (let k = 0; k < 50; k++) for (let i = 0; i < a.length; i++) s = (s + a[i]!) | 0;
    best = Math.min(best, ((performance.now() - t0) * 1e6) / (50 * a.length));
  }
  calibrationSink = s; // the sum escapes, so the JIT cannot drop the loop
  return best;
}
let calibrationSink = 0;

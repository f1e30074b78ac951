// `npm run bench`: every benchmark, printed as tables; the README records a run of it.
import os from "node:os";
import { allocBench } from "./alloc.bench.js";

const fmt = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : `${(n / 1e3).toFixed(1)} k`);

async function main(): Promise<void> {
  console.log(`machine: ${os.cpus()[0]?.model ?? "?"} x${os.cpus().length}, node ${process.version}\n`);
  console.log("alloc+free, same recorded stream (400,000 operations, 256 MiB machine)");
  const rows = await allocBench();
  console.table(rows.map((r) => ({ model: r.model, "ops/s": fmt(r.opsPerSec), "alloc+free pairs/s": fmt(r.pairsPerSec), samples: r.samples })));
  const [wasm, ref] = rows;
  if (wasm && ref) console.log(`wasm / reference: ${(wasm.opsPerSec / ref.opsPerSec).toFixed(1)}x\n`);
}

await main();

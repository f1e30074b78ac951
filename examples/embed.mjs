// The README's embedding example (section "Embedding"), kept equal to it by test/embed-example.test.ts.
// Run it where "fusewb" resolves: in a project that has it installed (npm install fusewb, or
// npm install /path/to/this/checkout), or in the checkout itself (after npm ci, which builds dist/). Saved
// anywhere else, Node stops at the import with ERR_MODULE_NOT_FOUND: it cannot find the package "fusewb".

import { createEmulator, loadCoreModule } from "fusewb/node";

const emu = await createEmulator({
  machine: { memory: "4G" },
  fuse: { max_pages: 256, max_write: "1M", writeback_cache: true },
  policy: "nocopy",
  workloads: [{ type: "fio", rw: "write", bs: "1M", size: "1G" }],
}, { module: await loadCoreModule() });

while (!emu.step(100_000).done) {
  const c = emu.counters();
  console.log(`${(emu.virtualNs() / 1e6).toFixed(1)} ms: dirty ${c.nr_dirty}, writeback ${c.nr_writeback}`);
}
process.stdout.write(emu.procViews().buddyinfo);
console.log(emu.report().modelled.throughputMiBps, "MiB/s");

// The splice-copy remedy (policy nocopy-splice-copy): an unprivileged server still splices, and the kernel copies
// each payload page into a fresh, unmovable pipe page (fuse_copy_fill(), as 6.12 does for a request's user pages)
// instead of giving the pipe a reference to the folio. Counts follow from that rule.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { resolveScenario } from "../host/scenario/resolve.js";
import { runScenario } from "../host/sim/run-scenario.js";
import { coreModuleSync } from "../host/core/load-node.js";

const debug = coreModuleSync("debug");

function run(policy: string, privileged: boolean) {
  return runScenario(resolveScenario({
    // libfuse splices only if its pipe can grow to 2 MiB (fs.pipe-max-size; an unprivileged server otherwise reads)
    machine: { memory: "256M", sysctl: { pipe_max_size: "2M" } },
    policy,
    server: { threads: 4, splice: true, privileged, per_request: { dist: "fixed", mean: "20us" } },
    workloads: [{ type: "fio", rw: "write", bs: "1M", size: "16M", numjobs: 2 }],
    run: { check_invariants: true },
  }, "splice-copy"), { module: debug, timing: false });
}

test("an unprivileged server under the remedy gets a copy of every page it reads, and the pipe no folio", () => {
  // 2 jobs x 16 MiB = 8,192 pages written back, each read once by the server (a healthy server: no retries). The
  // checker (check_invariants) holds every copy to be unmovable, owned by a worker inside a request, and freed by
  // its store: at the end none is left.
  const r = run("nocopy-splice-copy", false);
  assert.is(r.modelled.serverPipeCopies, 8192);
  assert.is(r.modelled.bytesWritten, 32 * 2 ** 20);
  assert.is(r.integrity.pending, 0);
  assert.is(r.integrity.corrupt, 0);
  // the copy into the pipe and the pipe's splice into tmpfs: two copies of each page on the server's side
  assert.is(r.modelled.bytesCopiedServer, 2 * 8192 * 4096);
});

test("a privileged server, or copy-free without the remedy, splices references: no copy", () => {
  assert.is(run("nocopy-splice-copy", true).modelled.serverPipeCopies, 0);
  const plain = run("nocopy", false);
  assert.is(plain.modelled.serverPipeCopies, 0);
  assert.is(plain.modelled.bytesCopiedServer, 8192 * 4096, "only the store's copy into tmpfs");
});

test.run();

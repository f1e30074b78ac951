// FUSE rules from fs/fuse (docs/fuse.md), each shown on a whole run whose expected numbers are derived from the
// kernel's code paths and the cost model, not read off the model's output.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { resolveScenario } from "../host/scenario/resolve.js";
import { runScenario } from "../host/sim/run-scenario.js";
import { coreModuleSync } from "../host/core/load-node.js";
import { defaultCostModel as C } from "../host/sim/cost-model.js";
import type { Policy } from "../host/scenario/sim-config.js";

const release = coreModuleSync("release");
const MiB = 2 ** 20;

test("writeback_cache off: every write(2) is written through synchronously, nothing is left dirty, both paths alike", () => {
  // fuse_perform_write(): a 1 MiB write(2) with max_write 1 MiB is one synchronous FUSE_WRITE of 256 pages. One round:
  //   writer: write_iter, then per page a page-cache lookup, a new page (alloc + insert) and the 4 KiB copy;
  //           queueing the request
  //   server: woken, read(2) of /dev/fuse copying 1 MiB out (no splice), libfuse dispatch, the fixed 2 us service
  //           time, then pwrite(2) into tmpfs: per page shmem_write_begin/end (the shmem pages exist already: fio's
  //           default layout fallocated the file before the job began), per byte the copy and the scenario's 1 ns
  //   writer: woken by the reply
  // (once a second a GETATTR is not sent: without the writeback cache fuse_cache_write_iter() skips
  // fuse_update_attributes().)
  const pages = 256, bytes = MiB;
  const writer = C.write_iter + pages * (C.pagecache_lookup + C.page_alloc + C.pagecache_insert + 4096 * C.copy_per_byte) + C.request_queue;
  const server = C.wakeup + C.syscall + C.dev_read + bytes * C.copy_per_byte + C.server_per_request + 2000 +
    C.syscall + pages * C.server_backing_per_page + bytes * (C.server_backing_per_byte + C.copy_per_byte + 1.0);
  const roundNs = writer + server + C.wakeup;
  const expected = 2 * (bytes / MiB) / (roundNs / 1e9); // two jobs, each with its own server thread
  for (const policy of ["legacy-copy", "nocopy"] as const) {
    const r = runScenario(resolveScenario({
      machine: { memory: "4G" },
      fuse: { max_pages: 256, max_write: "1M", writeback_cache: false },
      policy,
      server: { threads: 4, per_request: { dist: "fixed", mean: "2us" }, per_byte_ns: 1.0 },
      workloads: [{ type: "fio", rw: "write", bs: "1M", size: "256M", numjobs: 2 }],
    }, "write-through"), { module: release, timing: false });
    assert.is(r.writeMode, "write-through");
    assert.is(r.modelled.peakNrDirty, 0, `${policy}: pages are never marked dirty`);
    assert.is(r.modelled.peakNrWriteback + r.modelled.peakTempPages, 0, `${policy}: nothing goes through writeback`);
    assert.is(r.modelled.requestsSent, 2 * 256, "one FUSE_WRITE per write(2)");
    assert.is(r.modelled.getattrRequests, 0);
    const off = Math.abs(r.modelled.throughputMiBps / expected - 1);
    assert.ok(off < 0.01, `${policy}: ${r.modelled.throughputMiBps} MiB/s against ${expected.toFixed(1)} derived (${(off * 100).toFixed(2)} % off)`);
    assert.is(r.integrity.writesPersisted, r.integrity.pagesWritten);
  }
});

test("a stuck server pins what the congestion gate lets through: the requests before it closed plus one call's chunk", () => {
  // 1 GiB, dirty_ratio 20: the bdi may hold (max_ratio 100) far more than the gate lets out. Background writeback
  // calls fuse_writepages() only while num_background < congestion_threshold (9), and one call writes at most
  // nr_to_write = writeback_chunk_size() = round_down(min(INIT_BW / 2, dirty_limit / 8) + 1024, 1024) pages; once
  // the server stops, every later WB_SYNC_NONE call returns at once. So at most 8 requests of max_pages (256)
  // pages were out before the last call, which adds at most one chunk. (And the flusher's first ->write_inode after
  // the stop, for the times the writers keep changing, is a FUSE_SETATTR never answered: it sleeps in
  // fuse_flush_times() for good, the hung flush kworker of a stuck FUSE server, and sends nothing more at all.)
  // The attributes never expire here (attr_timeout 1 h): otherwise the writers' first GETATTR after the stop blocks
  // them before the dirty data crosses the background threshold again (the next test).
  for (const policy of ["legacy-copy", "nocopy"] as const) {
    const config = resolveScenario({
      machine: { memory: "1G", bdi: { max_ratio: 100 } },
      policy,
      server: { threads: 4, per_request: { dist: "fixed", mean: "20us" }, attr_timeout: "1h", faults: { stop_at: "500ms" } },
      workloads: [{ type: "fio", rw: "write", bs: "1M", size: "512M", numjobs: 2, rate: "64M" }],
      run: { duration: "12s" },
    }, "stuck");
    // global_dirtyable_memory() as the model takes it (the machine less the high watermarks) is just under 1 GiB:
    // dirty_limit / 8 is above INIT_BW / 2 = 12800 pages only from 3.4 GiB up, so here the chunk is dirty_limit-bound
    const dirtyLimit = Math.floor((262144 - 2000) * 20 / 100); // an upper bound on the watermark reserve: 2000 pages
    const chunk = Math.floor((Math.min(12800, Math.floor(dirtyLimit / 8)) + 1024) / 1024) * 1024;
    const bound = 8 * 256 + chunk;
    const r = runScenario(config, { module: release, timing: false });
    const pinned = policy === "legacy-copy" ? r.modelled.peakTempPages : r.modelled.peakNrWriteback;
    assert.ok(pinned > 0 && pinned <= bound, `${policy}: ${pinned} pages pinned; the gate allows at most ${bound}`);
    assert.ok(r.modelled.setattrRequests > 0, "the flusher's ->write_inode went out");
    // what the gate kept back is still dirty, not under writeback: reclaim cannot drop it, but migration can move it
    assert.ok(r.vmstat.nr_dirty > bound, `${policy}: ${r.vmstat.nr_dirty} pages still dirty`);
    assert.is(r.integrity.writesLost, 0);
  }
});

test("a stuck server blocks a writer on its GETATTR once the attributes expire (fuse_update_attributes)", () => {
  // A writer at 8 MiB/s, with the bdi allowed the whole dirty limit (max_ratio 100: about 200 MiB on 1 GiB), never
  // reaches dirty throttling in 10 s. The server stops at 1.5 s. The attributes the file got when opened at 0 expire
  // at attr_timeout = 1 s: the GETATTR then is answered and keeps them until about 2 s; the first write(2) after
  // that sends another GETATTR, which is never answered. (With FUSE's own max_ratio of 1 % the same writer is
  // throttled first, at about 1.7 s: the bdi's ~2 MiB share fills within 0.2 s once nothing completes.)
  const r = runScenario(resolveScenario({
    machine: { memory: "1G", bdi: { max_ratio: 100 } },
    policy: "nocopy",
    server: { threads: 2, per_request: { dist: "fixed", mean: "20us" }, faults: { stop_at: "1500ms" } },
    workloads: [{ type: "fio", rw: "write", bs: "64k", size: "256M", numjobs: 1, rate: "8M" }],
    run: { duration: "10s" },
  }, "getattr"), { module: release, timing: false });
  assert.is(r.modelled.getattrRequests, 2);
  assert.ok(r.modelled.hangs === 1, "the writer is blocked at the end");
  // the bytes it wrote: 8 MiB/s until the GETATTR at about 2 s
  assert.ok(r.modelled.bytesWritten <= 2.1 * 8 * MiB && r.modelled.bytesWritten >= 1.9 * 8 * MiB, `${r.modelled.bytesWritten / MiB} MiB written`);
});

test("fsync is WB_SYNC_ALL in the writer's context: past the congestion gate, then a FUSE_FSYNC", () => {
  const policies: Policy[] = ["legacy-copy", "nocopy"];
  for (const policy of policies) {
    const r = runScenario(resolveScenario({
      machine: { memory: "256M" },
      policy,
      server: { threads: 2, per_request: { dist: "fixed", mean: "20us" } },
      workloads: [{ type: "fio", rw: "write", bs: "64k", size: "8M", numjobs: 1, fsync: 16, end_fsync: true }],
    }, "fsync"), { module: release, timing: false });
    // 8 MiB in 64 KiB writes is 128 writes: an fsync after every 16th is 8 fsyncs; the 8th follows the last write,
    // so fio's end_fsync is skipped (do_io(): should_fsync() is false when the last I/O issued was a sync)
    assert.is(r.modelled.fsyncRequests, 8, policy);
    assert.is(r.integrity.writesPersisted, r.integrity.pagesWritten);
  }
});

test("the writeback cache keeps the file's times in the kernel: each change goes to the server as a FUSE_SETATTR from ->write_inode", () => {
  // With the writeback cache a regular file has no S_NOCMTIME (fuse_iget()): a write(2) in a new jiffy of the coarse
  // clock moves mtime and ctime (file_update_time() -> generic_update_time()) and marks the inode I_DIRTY_SYNC.
  // fsync's sync_inode_metadata() -> __writeback_single_inode() then calls ->write_inode: fuse_write_inode() ->
  // fuse_flush_times(), a synchronous FUSE_SETATTR, before the FUSE_FSYNC. Here one 4 KiB write every 10 ms (a new
  // jiffy each at HZ 250), each followed by an fsync: 10 writes, 10 fsyncs, 10 SETATTRs. The close finds the times
  // sent already (no SETATTR), and the flusher never runs (the file is clean after each fsync, within 5 s).
  // Without the writeback cache the inode has S_NOCMTIME: no SETATTR at all. Its pages never stay dirty, and each
  // fsync still reaches the server: fio issues it after every write (get_rw_ddir()), and fuse_fsync() sends
  // FUSE_FSYNC after writing back and waiting on nothing.
  for (const writeback_cache of [true, false]) {
    const r = runScenario(resolveScenario({
      machine: { memory: "256M" },
      fuse: { writeback_cache },
      policy: "nocopy",
      server: { threads: 2, per_request: { dist: "fixed", mean: "20us" } },
      workloads: [{ type: "fio", rw: "write", bs: "4k", size: "40k", numjobs: 1, rate: "400k", fsync: 1, fallocate: "none" }],
    }, "times"), { module: release, timing: false });
    assert.is(r.modelled.fsyncRequests, 10, `writeback_cache ${writeback_cache}`);
    assert.is(r.modelled.setattrRequests, writeback_cache ? 10 : 0, `writeback_cache ${writeback_cache}`);
    assert.is(r.integrity.writesPersisted, r.integrity.pagesWritten);
  }
});

test("fio's default layout (fallocate=native): the file has its size before the first write, so a write smaller than a page reads the page first", () => {
  // fio lays the file out with fallocate(fd, 0, 0, size): FUSE_FALLOCATE sets i_size, and passthrough_ll's
  // fallocate() on tmpfs allocates the whole backing file. fuse_write_begin() then finds every new page inside
  // i_size: a 1 KiB write to it reads it (one FUSE_READ a page; the next three writes find it uptodate). Without the
  // layout the page lies past i_size and is zeroed instead; a 4 KiB write covers the page and reads nothing.
  const run = (bs: string, fallocate: "native" | "none", policy: Policy) => runScenario(resolveScenario({
    machine: { memory: "256M" },
    policy,
    server: { threads: 2, per_request: { dist: "fixed", mean: "5us" } },
    workloads: [{ type: "fio", rw: "write", bs, size: "4M", numjobs: 2, fallocate }],
  }, "layout"), { module: release, timing: false });
  const pages = 2 * (4 * MiB) / 4096;
  for (const policy of ["legacy-copy", "nocopy"] as const) {
    const laid = run("1k", "native", policy);
    assert.is(laid.modelled.readRequests, pages, `${policy}: one FUSE_READ for each page`);
    assert.is(laid.modelled.serverShmemPages, pages, `${policy}: the backing files were allocated whole`);
    assert.is(laid.integrity.writesPersisted, laid.integrity.pagesWritten);
    assert.is(run("1k", "none", policy).modelled.readRequests, 0, `${policy}: past i_size nothing is read`);
    assert.is(run("4k", "native", policy).modelled.readRequests, 0, `${policy}: a whole page is not read`);
    assert.ok(laid.modelled.writerRequestWaitNs > 0, `${policy}: the writers slept on the reads`);
  }
});

test("a layout the server's tmpfs cannot hold fails whole: the file starts empty and the run goes on", () => {
  // tmpfs's default size= is half of RAM (shmem_default_max_blocks()); shmem_fallocate() fails a range longer than
  // that at once, and frees what it added when the mount fills up; fuse_file_fallocate() then leaves i_size alone
  const r = runScenario(resolveScenario({
    machine: { memory: "256M" },
    policy: "nocopy",
    server: { threads: 2, per_request: { dist: "fixed", mean: "5us" } },
    workloads: [{ type: "fio", rw: "write", bs: "1k", size: "80M", numjobs: 2 }],
    run: { duration: "200ms" },
  }, "layout-fails"), { module: release, timing: false });
  // the first 80 MiB fit the 128 MiB mount, the second do not
  assert.is(r.modelled.fallocateFails, 1);
  assert.is(r.modelled.serverShmemPages < 2 * 80 * 256, true);
  assert.ok(r.modelled.readRequests > 0, "the first file was laid out: its pages are read");
  assert.is(r.integrity.corrupt, 0);
});

test("close(2) at the end of a job: fuse_flush() writes the file back, waits, and sends FUSE_FLUSH", () => {
  for (const policy of ["legacy-copy", "nocopy"] as const) {
    for (const end_fsync of [false, true]) {
      const r = runScenario(resolveScenario({
        machine: { memory: "256M" },
        policy,
        server: { threads: 2, per_request: { dist: "fixed", mean: "5us" } },
        workloads: [{ type: "fio", rw: "write", bs: "64k", size: "8M", numjobs: 2, end_fsync }],
      }, "close"), { module: release, timing: false });
      assert.is(r.modelled.flushRequests, 2, `${policy}: one FUSE_FLUSH a job`);
      assert.is(r.modelled.releaseRequests, 2, `${policy}: one FUSE_RELEASE a job, after its FUSE_FLUSH`);
      assert.is(r.modelled.fsyncRequests, end_fsync ? 2 : 0, `${policy}: end_fsync ${end_fsync}`);
      // write_inode_now(inode, 1) and fuse_sync_writes() left nothing for the run's final sync: after the jobs only
      // the last FUSE_RELEASE, which no task waits for, is still with the server (a request's service time, 5 us,
      // and its round trip)
      const after = r.modelled.virtualNs - r.modelled.writersDoneNs;
      assert.ok(after > 0 && after < 50_000, `${policy}: ${after} ns after the jobs`);
    }
  }
});

test("write-through under memory pressure: a writer that waits for a page has copied nothing yet, and its data all arrives", () => {
  // found by the random scenarios: fuse_perform_write() used to copy into the pages it had before one could not be
  // allocated, drop the request, and leave those pages carrying data no request would send and referenced for good
  // (on this 6 MiB machine the leak then got a writer OOM-killed: 16 pages corrupt). Now it takes every page first.
  const r = runScenario(resolveScenario({"machine": {"memory": "6M", "movable": "2M", "cma": "0M", "fallback": "claim-then-steal", "mobility_grouping": false, "pcp": false, "sysctl": {"dirty_ratio": 2, "dirty_background_ratio": 0}, "bdi": {"max_ratio": 1, "strictlimit": false}}, "fuse": {"max_pages": 32, "max_write": "1M", "max_background": 1, "writeback_cache": false, "large_folios": false}, "policy": "legacy-copy", "server": {"threads": 1, "per_request": {"dist": "fixed", "mean": "0us"}, "per_byte_ns": 0, "splice": false, "privileged": false, "faults": {"slow": 20}}, "workloads": [{"type": "fio", "rw": "write", "bs": 1048576, "size": 2097152, "numjobs": 2, "fsync": 0, "end_fsync": false}, {"type": "churn", "kind": "reclaimable", "order": 4, "rate": 1000, "lifetime": "19ms"}], "run": {"duration": "147ms", "seed": 3024454346, "sample_interval": "1ms", "data_mode": false}}, "write-through-oom"), { module: release, timing: false });
  assert.is(r.integrity.writesAcked, 4, "both jobs wrote their 2 MiB");
  assert.is(r.integrity.corrupt, 0);
  assert.is(r.integrity.writesPersisted, r.integrity.pagesWritten);
});

test("->writepages holds the folio it fills (write_cache_pages' lock): reclaim in the request's allocations cannot free it", () => {
  // found by the random scenarios: on a 6 MiB machine the kmalloc of a copy-free request's objects reclaimed the folio
  // folio_clear_dirty_for_io() had just made clean, before its writeback started (a trap in
  // folio_start_writeback_block()). Run with the invariant checker after every event.
  const r = runScenario(resolveScenario({"machine": {"memory": "6M", "movable": "0M", "cma": "0M", "fallback": "claim-then-steal", "mobility_grouping": false, "pcp": false, "sysctl": {"dirty_ratio": 2, "dirty_background_ratio": 0}, "bdi": {"max_ratio": 1, "strictlimit": false}}, "fuse": {"max_pages": 1, "max_write": "4k", "max_background": 1, "writeback_cache": true, "large_folios": false}, "policy": "nocopy-timeout", "server": {"threads": 1, "per_request": {"dist": "lognormal", "mean": "1us", "sigma": 0.25}, "per_byte_ns": 0, "splice": false, "privileged": false, "faults": {"drop_fraction": 0.5}}, "workloads": [{"type": "fio", "rw": "write", "bs": 16384, "size": 262144, "numjobs": 1, "fsync": 0, "end_fsync": false, "fallocate": "native"}, {"type": "churn", "kind": "movable", "order": 0, "rate": 50000, "lifetime": "30ms"}], "run": {"duration": "157ms", "seed": 1115166756, "sample_interval": "1ms", "check_invariants": true, "data_mode": false}}, "writepage-held"), { module: coreModuleSync("debug"), timing: false });
  assert.is(r.integrity.corrupt, 0);
  assert.is(r.integrity.writesPersisted + r.integrity.writesLost + r.integrity.pending, r.integrity.pagesWritten);
});

test.run();

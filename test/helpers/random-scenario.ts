// Random scenarios for property-based runs (test/random-scenarios.test.ts, npm run soak): machines, FUSE limits,
// policies, server faults and workloads drawn by fast-check as scenario JSON, so that a failing case, once shrunk,
// is a file `fusewb run` replays as it is. Machines are small (4-16 MiB) because the checker runs after every
// event and walks every page; everything else ranges over what the schema allows, kept to runs of at most a few
// tens of thousands of events. The generator only makes valid scenarios: the rules between fields
// (host/scenario/resolve.ts) are followed here rather than filtered out afterwards.
import fc from "fast-check";
import { POLICIES } from "../../host/scenario/sim-config.js";

export type ScenarioJson = Record<string, unknown>;

const MiB = 1 << 20;
const ms = (n: number): string => `${n}ms`;
const us = (n: number): string => `${n}us`;

const machineArb = fc
  .record({
    memMiB: fc.constantFrom(4, 6, 8, 12, 16),
    dma32Blocks: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }),
    movableBlocks: fc.integer({ min: 0, max: 2 }),
    cmaBlocks: fc.integer({ min: 0, max: 1 }),
    fallback: fc.constantFrom("claim-then-steal", "largest-steal"),
    mobility_grouping: fc.boolean(),
    pcp: fc.boolean(),
    // each CPU has its own per-cpu lists, and the run's contexts are spread over them (assembly/sim/cpus.ts)
    cpus: fc.constantFrom(1, 2, 3, 8),
    dirty_ratio: fc.integer({ min: 2, max: 60 }),
    dirty_background_pct: fc.integer({ min: 0, max: 100 }),
    max_ratio: fc.constantFrom(1, 10, 50, 100),
    strictlimit: fc.boolean(),
    // reclaim over the classic lists or the multi-gen LRU (the policies' default kernels, 6.15 and 6.16, allow both)
    lru: fc.constantFrom("classic", "mglru"),
    // fs.pipe-max-size: the kernel's 1 MiB (an unprivileged libfuse server then reads) or 2 MiB (it splices)
    pipe_max_size: fc.constantFrom("1M", "2M"),
  })
  .map((m) => {
    // zones in 2 MiB pageblocks; at least 4 MiB of DMA32 + Normal, so that nocopy-wb-area has room for its area
    const blocks = m.memMiB / 2;
    const dma32 = m.dma32Blocks === undefined ? undefined : Math.min(m.dma32Blocks, blocks - 2);
    const dma32Blocks = dma32 ?? Math.floor(m.memMiB / 4 / 2); // the default: memory / 4, rounded down to 2 MiB
    const movable = Math.min(m.movableBlocks, blocks - 2 - dma32Blocks);
    const normal = blocks - dma32Blocks - movable;
    const cma = Math.min(m.cmaBlocks, Math.max(0, normal - 2));
    return {
      memory: `${m.memMiB}M`,
      ...(dma32 !== undefined ? { dma32: `${dma32 * 2}M` } : {}),
      movable: `${movable * 2}M`,
      cma: `${cma * 2}M`,
      fallback: m.fallback,
      mobility_grouping: m.mobility_grouping,
      pcp: m.pcp,
      cpus: m.cpus,
      lru: m.lru,
      sysctl: { dirty_ratio: m.dirty_ratio, dirty_background_ratio: Math.floor((m.dirty_ratio * m.dirty_background_pct) / 100), pipe_max_size: m.pipe_max_size },
      bdi: { max_ratio: m.max_ratio, strictlimit: m.strictlimit },
    };
  });

const fuseArb = fc.record({
  max_pages: fc.constantFrom(1, 4, 32, 256),
  max_write: fc.constantFrom("4k", "16k", "128k", "1M"),
  max_background: fc.integer({ min: 1, max: 16 }),
  writeback_cache: fc.boolean(),
  large_folios: fc.boolean(),
});

const latencyArb = fc.oneof(
  fc.record({ dist: fc.constant("fixed"), mean: fc.integer({ min: 0, max: 200 }).map(us) }),
  fc.record({ dist: fc.constant("exponential"), mean: fc.integer({ min: 1, max: 200 }).map(us) }),
  fc.record({ dist: fc.constant("lognormal"), mean: fc.integer({ min: 1, max: 200 }).map(us), sigma: fc.constantFrom(0.25, 0.5, 1) }),
);

/** Faults at times within a run of `durationMs` (0: until the writers are done, about the same scale). */
const faultsArb = fc.record(
  {
    slow: fc.constantFrom(1, 2, 20),
    stop_after_requests: fc.integer({ min: 0, max: 200 }),
    stop_at: fc.integer({ min: 1, max: 200 }).map(ms),
    drop_fraction: fc.constantFrom(0, 0.05, 0.5),
    crash_at: fc.integer({ min: 1, max: 200 }).map(ms),
    splice_hold: fc.integer({ min: 1, max: 50 }).map(ms),
  },
  { requiredKeys: [] },
);

const serverArb = fc
  .record({
    threads: fc.integer({ min: 1, max: 4 }),
    per_request: latencyArb,
    per_byte_ns: fc.constantFrom(0, 0.1, 1),
    splice: fc.boolean(),
    privileged: fc.boolean(),
    faults: faultsArb,
  })
  .map((s) => {
    // splice_hold acts only with splice (the schema refuses it alone)
    if (s.splice || s.faults.splice_hold === undefined) return s;
    const { splice_hold: _, ...faults } = s.faults;
    return { ...s, faults };
  });

const fioArb = fc
  .record({
    rw: fc.constantFrom("write", "randwrite"),
    bs: fc.constantFrom(1024, 4096, 16384, 65536, MiB),
    sizeKiB: fc.constantFrom(64, 256, 1024, 2048),
    numjobs: fc.integer({ min: 1, max: 2 }),
    fsync: fc.constantFrom(0, 1, 8),
    end_fsync: fc.boolean(),
    rate: fc.option(fc.constantFrom("4M", "64M"), { nil: undefined }),
    // fio's layout: the default, an empty file, space without size, size without space
    fallocate: fc.constantFrom("native", "none", "keep", "truncate"),
    // fio's clock: a runtime, a ramp, time_based and its wrap's posix_fadvise(DONTNEED)
    timing: fc.option(fc.record({
      runtimeMs: fc.constantFrom(2, 10, 40), rampMs: fc.constantFrom(0, 0, 3), time_based: fc.boolean(), invalidate: fc.boolean(),
    }), { nil: undefined, freq: 2 }),
  })
  .map((f) => {
    const size = f.sizeKiB * 1024;
    const t = f.timing;
    return {
      type: "fio", rw: f.rw, bs: Math.min(f.bs, size), size, numjobs: f.numjobs, fsync: f.fsync, end_fsync: f.end_fsync,
      ...(f.rate ? { rate: f.rate } : {}), fallocate: f.fallocate,
      ...(t ? {
        runtime: `${t.runtimeMs}ms`, ...(t.rampMs > 0 ? { ramp_time: `${t.rampMs}ms` } : {}),
        ...(t.time_based ? { time_based: true } : {}), invalidate: t.invalidate,
      } : {}),
    };
  });

const churnArb = fc.record({
  type: fc.constant("churn"),
  kind: fc.constantFrom("movable", "unmovable", "reclaimable"),
  order: fc.integer({ min: 0, max: 4 }),
  rate: fc.constantFrom(1000, 10000, 50000),
  lifetime: fc.integer({ min: 1, max: 50 }).map(ms),
});

const highorderArb = fc.record({
  type: fc.constant("highorder"),
  kind: fc.constantFrom("thp", "contig"),
  order: fc.constantFrom(2, 4, 9),
  interval: fc.integer({ min: 1, max: 50 }).map(ms),
  hold: fc.oneof(fc.constant("0"), fc.integer({ min: 1, max: 20 }).map(ms)),
  // THP faults in a MADV_HUGEPAGE region (direct reclaim and compaction) or not (the free lists only)
  madvise: fc.boolean(),
}).map(({ madvise, ...h }) => (h.kind === "thp" ? { ...h, madvise } : h));

/** A copy-free preset with mechanisms of its own (host/scenario/policy.ts): combinations no preset has, such as a
 *  timeout with migrate-skip, or splice-copy with cancel. */
const comboArb = fc.record({
  preset: fc.constantFrom("nocopy", "nocopy-migrate-skip", "nocopy-timeout", "nocopy-splice-copy", "nocopy-cancel"),
  migrate: fc.constantFrom("kernel", "skip", "cancel-if-not-spliced"),
  splice: fc.constantFrom("allow", "copy"),
  timeout: fc.constantFrom("off", "15s"),
});

export const scenarioArb: fc.Arbitrary<ScenarioJson> = fc
  .record({
    machine: machineArb,
    fuse: fuseArb,
    policy: fc.oneof(fc.constantFrom(...POLICIES), comboArb),
    server: serverArb,
    fio: fc.array(fioArb, { minLength: 0, maxLength: 2 }),
    churn: fc.array(churnArb, { minLength: 0, maxLength: 2 }),
    highorder: fc.array(highorderArb, { minLength: 0, maxLength: 1 }),
    durationMs: fc.integer({ min: 0, max: 200 }),
    seed: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
    sampleMs: fc.constantFrom(1, 10, 100),
    data_mode: fc.boolean(),
    // a benchmark script repeating fio on the same mount (run.fio_runs); mostly one run
    fio_runs: fc.constantFrom(1, 1, 2, 3),
    // the kernel whose rules the run follows, among those its writeback path allows (kernel.ts kernelsFor())
    // (4: none named, the policy's default, with the machine's own fallback choice)
    kernelPick: fc.integer({ min: 0, max: 4 }),
  })
  .map((s) => {
    let workloads: unknown[] = [...s.fio, ...s.churn, ...s.highorder];
    if (workloads.length === 0) workloads = [{ type: "fio", rw: "write", bs: 4096, size: 65536 }];
    const hasFio = workloads.some((w) => (w as { type: string }).type === "fio");
    const background = workloads.some((w) => (w as { type: string }).type !== "fio");
    // duration 0 runs until the writers are done (and up to 10 virtual minutes after the last progress when the
    // server stops): only without background workloads, which would keep making events all that time
    const durationMs = s.durationMs === 0 && (!hasFio || background) ? 1 + (s.seed % 200) : s.durationMs;
    // the temp-page copy is 6.1-6.15 (6.1/6.6 with ->writepage and their own per-cpu lists), copy-free 6.16+; the
    // multi-gen LRU is modelled from 6.12 on
    // multi-gen LRU is modelled from 6.12 on. A named kernel brings its own __rmqueue fallback
    const legacy = s.policy === "legacy-copy";
    let machine: Record<string, unknown> = s.machine;
    if (s.kernelPick < 4) {
      const kernel = legacy ? ["6.1", "6.6", "6.12", "6.15"][s.kernelPick]! : ["6.16", "6.18"][s.kernelPick % 2]!;
      const { fallback: _, ...rest } = s.machine;
      machine = { ...rest, kernel, lru: kernel === "6.1" || kernel === "6.6" ? "classic" : s.machine.lru };
    }
    return {
      machine,
      fuse: s.fuse,
      policy: s.policy,
      server: s.server,
      workloads,
      run: { duration: durationMs === 0 ? "0" : ms(durationMs), seed: s.seed, sample_interval: ms(s.sampleMs), check_invariants: true, data_mode: s.data_mode, fio_runs: s.fio_runs },
    };
  });

// The demo's scenario, written out as the SimConfig the core takes (host/scenario/sim-config.ts). The browser
// cannot run the scenario parser (it imports zod, a bare module name a browser cannot resolve without a
// bundler), so this is the parser's output for the scenario below; test/e2e-browser.test.ts checks that the
// two still agree, so a new SimConfig field shows up there rather than as a silent default here.
//
//   { "name": "browser-demo", "machine": { "memory": "256M" }, "policy": "<policy>",
//     "server": { "threads": 2, "per_request": { "dist": "exponential", "mean": "20ms" } },
//     "workloads": [{ "type": "fio", "rw": "write", "bs": "1M", "size": "32M", "numjobs": 2 }] }

const MiB = 1024 * 1024;

/** @param {"legacy-copy" | "nocopy"} policy */
export function demoConfig(policy) {
  return {
    name: "browser-demo",
    kernel: null,
    // 256 MiB in 4 KiB pages: DMA32 gets a quarter, Normal the rest; 128 pageblocks in all.
    machine: { dma32Pages: 16384, normalPages: 49152, movablePages: 0, cmaPages: 0, fallback: "claim-then-steal", mobilityGrouping: true, pcp: true, thp: true, freeHighHighMin: false, pcpAutoTune: true },
    sysctl: { dirtyRatio: 20, dirtyBackgroundRatio: 10, maxPagesLimit: 256, defaultRequestTimeoutS: 0, maxRequestTimeoutS: 0, compactionProactiveness: 20 },
    bdi: { strictlimit: true, maxRatio: 1, minRatio: 0, wbBgStart: false },
    kernelConfig: { hz: 250, cpus: 8, freeHigh: "kernel", lru: "classic" },
    fuse: {
      maxPages: 256, maxWrite: MiB, maxRead: MiB, maxBackground: 12, congestionThreshold: 9, writebackCache: true,
      largeFolios: "auto", maxFolioOrder: 8, requestTimeoutS: 0, wbAreaPages: 512,
    },
    policy,
    server: {
      name: "healthy", threads: 2, perRequest: { kind: "exponential", meanNs: 20000000, sigma: 0 }, perByteNs: 0,
      splice: false, spliceAsked: false, privileged: true, backing: "tmpfs", attrTimeoutNs: 1000000000,
      faults: { slowFactor: 1, stopAfterRequests: 0, stopAtNs: 0, dropFraction: 0, crashAtNs: 0, spliceHoldNs: 0 },
    },
    workloads: [{ kind: "fio", name: "fio", rw: "write", bs: MiB, size: 32 * MiB, numjobs: 2, fsync: 0, endFsync: false, rateBps: 0, fallocate: "native", timeBased: false, runtimeNs: 0, rampNs: 0, invalidate: true }],
    run: { durationNs: 0, seed: 1, sampleIntervalNs: 100000000, checkInvariants: false, dataMode: false, fioRuns: 1 },
  };
}

// The resolved, all-numeric form of a scenario that the runner hands to the WASM core: sizes in bytes or
// pages, times in virtual nanoseconds, enums as their names. Scenario files (JSON, with units such as "2G"
// and "15s") are validated and turned into this by host/scenario/resolve.ts.
import type { MachineConfig } from "../core/machine-config.js";
import type { FioJob } from "./fio-job.js";
import type { Kernel } from "./kernel.js";
import { PRESET_NAMES, type PresetName, type PolicySpec } from "./policy.js";

/** The named writeback policies (DESIGN.md 1.3): presets of mechanisms, host/scenario/policy.ts PRESETS. */
export const POLICIES = PRESET_NAMES;
export type Policy = PresetName;
/** A run's policy: a preset's name, or a preset with mechanisms of its own (policy.ts). */
export type PolicyChoice = PresetName | PolicySpec;

export const LATENCY_KINDS = ["fixed", "exponential", "lognormal"] as const;
export interface LatencyDist {
  kind: (typeof LATENCY_KINDS)[number];
  /** Mean, ns. */
  meanNs: number;
  /** lognormal only: sigma of the underlying normal. */
  sigma: number;
}

export interface ServerFaults {
  /** Multiplies every latency (1 = healthy). */
  slowFactor: number;
  /** Stops replying after this many requests (0 = never). */
  stopAfterRequests: number;
  /** Stops replying at this virtual time, ns (0 = never). */
  stopAtNs: number;
  /** Never answers this fraction of WRITE requests (0..1). */
  dropFraction: number;
  /** The server process dies at this time, ns: the connection is aborted (0 = never). */
  crashAtNs: number;
  /** With splice, keeps references to the request's pages this long after replying, ns. */
  spliceHoldNs: number;
}

export interface ServerConfig {
  /** A name for reports ("healthy", "stuck", ...). */
  name: string;
  threads: number;
  /** Service time per request, beyond the kernel-side costs of the cost model. */
  perRequest: LatencyDist;
  /** Extra service time per byte of payload, ns. */
  perByteNs: number;
  /** The server reads requests with splice(2): it asked to (spliceAsked) and libfuse's pipe could grow to its
   *  buffer (resolve.ts libfuseSplices()). */
  splice: boolean;
  spliceAsked: boolean;
  privileged: boolean;
  /** Where the server stores what it receives: "tmpfs" = shmem pages of the emulated machine, "external" = none. */
  backing: "tmpfs" | "external";
  /** attr_valid the server returns, ns: a writer with the writeback cache sends GETATTR once it has passed. */
  attrTimeoutNs: number;
  faults: ServerFaults;
}

export interface FuseConfig {
  maxPages: number;
  /** Bytes. */
  maxWrite: number;
  /** Bytes. */
  maxRead: number;
  maxBackground: number;
  congestionThreshold: number;
  writebackCache: boolean;
  /** fuse.large_folios: "auto" is the kernel's rule (kernel.ts folioOrder(): order 0, no release enables them), "on"
   *  forces maxFolioOrder (a what-if), "off" keeps order-0 page cache. */
  largeFolios: "auto" | "on" | "off";
  /** The folio order a file gets when large folios are forced on (the proposed patch's rule):
   *  ilog2(min(min(max_write, max_read) / 4096, max_pages)), capped by MAX_PAGECACHE_ORDER and fuse.max_folio_order. */
  maxFolioOrder: number;
  /** Request timeout in seconds, 0 = none (negotiated, or from the sysctls). */
  requestTimeoutS: number;
  /** Pages of the dedicated writeback area (the wb_area mechanism, when on) at the end of the Movable zone (or Normal). */
  wbAreaPages: number;
}

export interface SysctlConfig {
  dirtyRatio: number;
  dirtyBackgroundRatio: number;
  maxPagesLimit: number;
  defaultRequestTimeoutS: number;
  maxRequestTimeoutS: number;
  /** vm.compaction_proactiveness, 0..100 (kernel default 20): kcompactd's proactive compaction. */
  compactionProactiveness: number;
}

export interface BdiConfig {
  strictlimit: boolean;
  /** Percent of the dirty threshold this bdi may use (FUSE: 1). */
  maxRatio: number;
  /** Percent of the dirty threshold this bdi is always given (0 unless set). */
  minRatio: number;
  /** What-if: start background writeback when wb_dirty passes wb_bg_thresh during freerun (a post-6.18 fix). */
  wbBgStart: boolean;
}

/** What the dirty throttle's arithmetic depends on beyond memory: CONFIG_HZ and the online CPUs. */
export interface KernelConfig {
  hz: number;
  cpus: number;
  /** machine.free_high: "kernel" follows the run's kernel; a version forces that version's threshold (a what-if). */
  freeHigh: "kernel" | "6.15" | "6.16";
  /** machine.lru: lru_gen_enabled() (CONFIG_LRU_GEN_ENABLED) or the classic active/inactive lists. */
  lru: "classic" | "mglru";
}

/** An fio job (fio-job.ts has its fields) once the runner has named it; each job writes its own file. */
export interface WriterWorkload extends Omit<FioJob, "name" | "rate"> {
  kind: "fio";
  name: string;
  /** fio rate=: bytes per second per job, 0 = unlimited. */
  rateBps: number;
}

export interface ChurnWorkload {
  kind: "churn";
  name: string;
  /** movable: anon-like (LRU); unmovable: slab-like. */
  type: "movable" | "unmovable" | "reclaimable";
  order: number;
  /** Allocations per second of virtual time. */
  ratePerSec: number;
  /** Mean lifetime (exponential), ns. */
  lifetimeNs: number;
  /** The first allocation, ns after boot. */
  startNs: number;
}

export interface HighOrderWorkload {
  kind: "highorder";
  name: string;
  /** thp: order-9 movable with direct compaction; contig: alloc_contig_range of 2^order pages (CMA-like);
   *  gigantic: alloc_contig_range of order >= 10; offline: offline_pages() of a 2^order-page memory block of the top
   *  zone, retried until it completes. */
  type: "thp" | "contig" | "gigantic" | "offline";
  order: number;
  intervalNs: number;
  /** Free the allocation after this long, ns (0 = keep). */
  holdNs: number;
  /** The first attempt comes interval after this, ns. */
  startNs: number;
  /** thp: faults in a MADV_HUGEPAGE region (GFP_TRANSHUGE) or an ordinary one (GFP_TRANSHUGE_LIGHT). */
  madvise: boolean;
}

export type Workload = WriterWorkload | ChurnWorkload | HighOrderWorkload;

export interface RunConfig {
  /** Stop at this virtual time, ns; 0 = when every writer is done (and its data written back). */
  durationNs: number;
  seed: number;
  sampleIntervalNs: number;
  /** Run the invariant checker after every event (slow; tests set it). */
  checkInvariants: boolean;
  /** Keep real 4 KiB page contents in linear memory so copies are real memory.copy (small machines). */
  dataMode: boolean;
  /** The fio jobs run this many times back to back on the same mount (run.fio_runs); 1 when left out, so that a
   *  SimConfig written by hand before the field existed still runs. */
  fioRuns?: number;
}

export interface SimConfig {
  name: string;
  /** machine.kernel, or null: each policy runs on its default version (kernel.ts defaultKernel()). */
  kernel: Kernel | null;
  machine: MachineConfig;
  sysctl: SysctlConfig;
  bdi: BdiConfig;
  /** CONFIG_HZ and the CPU count (machine.hz, machine.cpus). */
  kernelConfig: KernelConfig;
  fuse: FuseConfig;
  policy: PolicyChoice;
  server: ServerConfig;
  workloads: Workload[];
  run: RunConfig;
}

/** A scenario resolved for `compare`: one SimConfig per (policy, server) pair is derived from `base`. */
export interface CompareConfig {
  base: SimConfig;
  policies: PolicyChoice[];
  servers: ServerConfig[];
}

// The scenario file format (DESIGN.md section 3), as one zod schema. User-facing names are snake_case like
// the kernel's sysctls and mount options; sizes and durations are strings with units (host/scenario/units.ts)
// and come out of the schema as bytes and nanoseconds. Every object is strict: an unknown key is an error.
// What one field cannot say alone (dma32 + movable <= memory, max_pages <= max_pages_limit, ...) is checked
// by host/scenario/resolve.ts, which turns the parsed file into the numeric SimConfig.
import { z } from "zod";
import { FALLBACK_POLICIES, MAX_NR_PAGES, MAX_MEMORY_TEXT } from "../core/machine-config.js";
import { MAX_PAGE_ORDER, PAGE_SIZE, pageblock_nr_pages } from "../core/constants.js";
import { LATENCY_KINDS, POLICIES } from "./sim-config.js";
import { WRITEBACK_MODES, MIGRATE_MODES, SPLICE_MODES, LARGE_FOLIO_MODES } from "./policy.js";
import { KERNELS } from "./kernel.js";
import { MAX_JOBS } from "../sim/layout.js";
import { show, checkDuration, checkSize, DURATION_FORM, DURATION_PATTERN, SIZE_FORM, SIZE_PATTERN, type DurationLimits, type SizeLimits } from "./units.js";
import { checkFioJob, checkFioJobFile, FIO_DEFAULTS, FIO_FALLOCATE, FIO_MAX_TIME_NS, FIO_RW, MAX_NUMJOBS, type FioJob } from "./fio-job.js";
import { expectSchema } from "./expect-schema.js";

/** One pageblock, the granule of every zone and area: 512 pages, 2 MiB. */
export const PAGEBLOCK_BYTES = pageblock_nr_pages * PAGE_SIZE;
/** The largest machine (MAX_NR_PAGES pages, 1 TiB). */
export const MAX_MEMORY_BYTES = MAX_NR_PAGES * PAGE_SIZE;
/** MAX_PAGECACHE_ORDER on x86-64 (include/linux/pagemap.h: the PMD order): mapping_set_folio_order_range()
 *  clamps a mapping's largest folio to it. */
export const MAX_PAGECACHE_ORDER = 9;
/** FUSE_TIMEOUT_TIMER_FREQ (fs/fuse/fuse_i.h): the timeout check runs every 15 s, and no timeout is shorter. */
export const FUSE_TIMEOUT_TIMER_FREQ_S = 15;
/** fuse_init_out carries max_pages, max_background, congestion_threshold and request_timeout as u16. */
export const U16_MAX = 65535;
/** Order of the largest contiguous range one instance can hold. */
export const MAX_CONTIG_ORDER = Math.floor(Math.log2(MAX_NR_PAGES));

/** A strict object whose unknown-key complaint lists the keys it allows (read back by issues.ts). */
function strict<S extends z.core.$ZodLooseShape>(shape: S) {
  const allowed = Object.keys(shape).join(", ");
  return z.strictObject(shape, { error: (iss) => (iss.code === "unrecognized_keys" ? `allowed: ${allowed}` : undefined) });
}

/** A size field: a number of bytes or a string with k/M/G/T; parses to bytes. */
function size(limits: SizeLimits = {}) {
  return z
    .unknown()
    .transform((v, ctx) => {
      if (v === undefined) {
        ctx.issues.push({ code: "custom", message: `missing; give a size: ${SIZE_FORM}`, input: v });
        return z.NEVER;
      }
      const r = checkSize(v, limits);
      if (r.ok) return r.value;
      ctx.issues.push({ code: "custom", message: r.problem, input: v });
      return z.NEVER;
    })
    .meta({
      anyOf: [
        { type: "integer", minimum: limits.min ?? 0, ...(limits.max !== undefined ? { maximum: limits.max } : {}), ...(limits.multipleOf ? { multipleOf: limits.multipleOf } : {}) },
        { type: "string", pattern: SIZE_PATTERN },
      ],
    });
}

/** A duration field: a string with ns/us/ms/s/min/h, or 0; parses to nanoseconds. */
function duration(limits: DurationLimits = {}) {
  return z
    .unknown()
    .transform((v, ctx) => {
      if (v === undefined) {
        ctx.issues.push({ code: "custom", message: `missing; give a duration: ${DURATION_FORM}`, input: v });
        return z.NEVER;
      }
      const r = checkDuration(v, limits);
      if (r.ok) return r.value;
      ctx.issues.push({ code: "custom", message: r.problem, input: v });
      return z.NEVER;
    })
    .meta({ anyOf: [...(limits.positive ? [] : [{ const: 0 }]), { type: "string", pattern: DURATION_PATTERN }] });
}

const intIn = (min: number, max: number) => z.int().min(min).max(max);
const policy = z.enum(POLICIES);

// ---- machine ---------------------------------------------------------------------------------------------

const zoneSize = (min: number) => size({ min, max: MAX_MEMORY_BYTES, multipleOf: PAGEBLOCK_BYTES, multipleOfWhy: "(one 512-page pageblock)" });

const sysctlSchema = strict({
  dirty_ratio: intIn(1, 100).default(20).describe("vm.dirty_ratio, percent of dirtyable memory"),
  dirty_background_ratio: intIn(0, 100).default(10).describe("vm.dirty_background_ratio, percent of dirtyable memory"),
  max_pages_limit: intIn(1, U16_MAX).default(256).describe("fs.fuse.max_pages_limit: the largest max_pages a server may negotiate"),
  default_request_timeout: intIn(0, U16_MAX).default(0).describe("fs.fuse.default_request_timeout, seconds (0 = none)"),
  max_request_timeout: intIn(0, U16_MAX).default(0).describe("fs.fuse.max_request_timeout, seconds (0 = none)"),
  compaction_proactiveness: intIn(0, 100).default(20).describe("vm.compaction_proactiveness: kcompactd's background compaction every 500 ms (kernel default 20; 0 = off)"),
  pipe_max_size: size({ min: 4096, max: 2 ** 31 }).prefault("1M").describe("fs.pipe-max-size: the largest pipe a process without CAP_SYS_RESOURCE may ask for (kernel default 1M); libfuse's receive pipe needs 2M (its 1 MiB + 4 KiB buffer rounded up), so an unprivileged server splices only when this is at least 2M"),
});

const bdiSchema = strict({
  strictlimit: z.boolean().default(true).describe("BDI_CAP_STRICTLIMIT, set by FUSE"),
  max_ratio: z.number().gt(0).max(100).default(1).describe("the bdi's share of the dirty threshold, percent (FUSE: 1)"),
  min_ratio: z.number().min(0).lt(100).default(0).describe("the share of the dirty threshold the bdi is always given, percent (bdi min_ratio, 0 unless set)"),
  wb_bg_start: z.boolean().default(false).describe("what-if: balance_dirty_pages() also starts background writeback while the writer free-runs once a strictlimit wb's dirty pages pass its background threshold, as Koong's \"mm: start background writeback based on per-wb threshold for strictlimit BDIs\" (mm-hotfixes, March 2026) does after 6.18; no kernel 6.1-6.18 has it"),
});

/** Kconfig's CONFIG_HZ choices (kernel/Kconfig.hz). */
const HZ_CHOICES = [100, 250, 300, 1000] as const;

/** A version field ("6.12"): a string. A JSON number is refused with the fix, since it drops trailing zeros (6.10 is
 *  the number 6.1); `--set machine.kernel=6.12` keeps its text (host/scenario/overrides.ts). */
function versionEnum<const T extends readonly [string, ...string[]]>(values: T) {
  return z.preprocess((v, ctx) => {
    if (typeof v !== "number") return v;
    ctx.issues.push({ code: "custom", message: `${v} is not allowed; give the version as a string, "${v}" (a number drops trailing zeros: 6.10 would read 6.1); allowed: ${values.join(", ")}`, input: v });
    return z.NEVER;
  }, z.enum(values));
}

const machineSchema = strict({
  memory: zoneSize(PAGEBLOCK_BYTES).prefault("16G").describe(`RAM, a multiple of 2M, at most ${MAX_MEMORY_TEXT}`),
  dma32: zoneSize(0).optional().describe("the DMA32 zone at the start of memory; default min(memory / 4, 4G), rounded down to 2M"),
  movable: zoneSize(0).prefault(0).describe("the Movable zone (kernelcore=/movablecore=) at the end of memory"),
  cma: zoneSize(0).prefault(0).describe("a CMA area at the end of the Normal zone"),
  kernel: versionEnum(KERNELS).optional().describe("the Linux version whose rules the run follows (the writeback path, the allocator fallback, reclaim); default: 6.15 for legacy-copy, 6.16 for the copy-free policies"),
  fallback: z.enum(FALLBACK_POLICIES as readonly ["claim-then-steal", "largest-steal"]).optional().describe("__rmqueue fallback: claim-then-steal is Linux 6.15+ and 6.12.28+ (stable), largest-steal 6.10-6.14 and 6.12.0-6.12.27; default: machine.kernel's"),
  mobility_grouping: z.boolean().default(true).describe("false emulates page_group_by_mobility_disabled"),
  pcp: z.boolean().default(true).describe("per-cpu page lists (per CPU of machine.cpus; high tuned between the low watermark and an eighth of the zone, split over the CPUs, as 6.7+ does); false = the boot pageset, pages go straight to the buddy lists"),
  thp: z.boolean().default(true).describe("transparent_hugepage enabled (always/madvise, as distributions ship): khugepaged raises min_free_kbytes; false = never (no THP workloads)"),
  hz: z.number().refine((v) => (HZ_CHOICES as readonly number[]).includes(v), { error: (i) => `${String(i.input)} is not allowed; CONFIG_HZ is one of ${HZ_CHOICES.join(", ")}` })
    .default(250).meta({ type: "integer", enum: [...HZ_CHOICES] }).describe("CONFIG_HZ (Kconfig's default 250): the tick the dirty throttle counts its pauses in"),
  free_high: versionEnum(["kernel", "6.15", "6.16"]).default("kernel").describe("the per-cpu lists' free_high threshold (free_frozen_page_commit()): \"kernel\" the run's kernel's; \"6.15\" (batch) or \"6.16\" (batch + high_min / 2) on any kernel from 6.12 (6.1 and 6.6 have free_factor instead), a what-if that lets the two writeback paths, which run different kernels, be compared on one allocator rule"),
  lru: z.enum(["classic", "mglru"]).default("classic").describe("the page-cache LRU reclaim works (CONFIG_LRU_GEN_ENABLED): \"classic\" the active/inactive lists (Kconfig's default; Debian's 6.1), \"mglru\" the multi-gen LRU (Debian's 6.12, Fedora, Arch), modelled from 6.12's mm/vmscan.c and so allowed from machine.kernel 6.12 on"),
  cpus: intIn(1, 8192).default(8).describe("online CPUs (nr_cpu_ids): each has its own per-cpu page lists (the run's contexts are placed on them), and they size ratelimit_pages and wb_stat_error() in the dirty throttle"),
  sysctl: sysctlSchema.prefault({}),
  bdi: bdiSchema.prefault({}),
});

// ---- fuse ------------------------------------------------------------------------------------------------

const fuseSchema = strict({
  max_pages: intIn(1, U16_MAX).default(256).describe("pages per request, at most machine.sysctl.max_pages_limit"),
  max_write: size({ min: PAGE_SIZE, max: 2 ** 32 - 1 }).prefault("1M").describe("bytes per WRITE request (the kernel raises anything below 4k to 4k)"),
  max_read: size({ min: PAGE_SIZE, max: 2 ** 32 - 1 }).prefault("1M").describe("the max_read mount option"),
  max_background: intIn(1, U16_MAX).default(12).describe("background requests in flight (FUSE_DEFAULT_MAX_BACKGROUND 12)"),
  congestion_threshold: intIn(1, U16_MAX).optional().describe("background requests at which the bdi counts as congested; default 3/4 of max_background (libfuse's do_init(), which also clamps it to max_background; where that gives 0, the kernel keeps its default 9)"),
  writeback_cache: z.boolean().default(true).describe("the writeback_cache mount option / FUSE_WRITEBACK_CACHE"),
  large_folios: z.preprocess((v, ctx) => {
    if (v === undefined || v === "auto" || typeof v === "boolean") return v;
    ctx.issues.push({ code: "custom", message: `${show(v)} is not allowed; allowed: "auto", true, false`, input: v });
    return z.NEVER;
  }, z.union([z.literal("auto"), z.boolean()])).default("auto").describe("large page-cache folios (default auto): auto = the kernel's rule (no released kernel gives FUSE files large folios: order 0); true forces the order of the proposed \"fuse: enable large folios\" patch, a what-if; false = order 0"),
  max_folio_order: intIn(0, MAX_PAGECACHE_ORDER).optional().describe("caps the folio order ilog2(min(min(max_write, max_read) / 4k, max_pages))"),
  request_timeout: duration({ wholeSeconds: true, maxNs: U16_MAX * 1e9 }).prefault(0).describe("the server's negotiated request timeout (6.15+); 0 = take the sysctls"),
  wb_area: zoneSize(0).prefault(0).describe("the writeback area's size (policy nocopy-wb-area, or policy.wb_area \"on\"): for folios under writeback; 0 = the bdi's dirty limit, rounded up to 2M"),
});

// ---- policy ----------------------------------------------------------------------------------------------

/** policy.timeout: "off", or whole seconds from FUSE_TIMEOUT_TIMER_FREQ (the kernel's check period) up. */
const policyTimeout = z
  .unknown()
  .transform((v, ctx) => {
    if (v === "off") return 0;
    const r = checkDuration(v, { wholeSeconds: true, maxNs: U16_MAX * 1e9 });
    if (!r.ok) ctx.issues.push({ code: "custom", message: `${r.problem} (or "off")`, input: v });
    else if (r.value > 0 && r.value < FUSE_TIMEOUT_TIMER_FREQ_S * 1e9)
      ctx.issues.push({ code: "custom", message: `${show(v)} is not allowed; use "off" or at least "${FUSE_TIMEOUT_TIMER_FREQ_S}s" (FUSE_TIMEOUT_TIMER_FREQ: the kernel raises shorter timeouts to its check period)`, input: v });
    else return r.value;
    return z.NEVER;
  })
  .meta({ anyOf: [{ const: "off" }, { const: 0 }, { type: "string", pattern: DURATION_PATTERN }] });

/** policy.wb_area: "off", "on" (fuse.wb_area's size) or a size. */
const policyWbArea = z
  .unknown()
  .transform((v, ctx) => {
    if (v === "off" || v === "on") return v;
    const r = checkSize(v, { min: PAGEBLOCK_BYTES, max: MAX_MEMORY_BYTES, multipleOf: PAGEBLOCK_BYTES, multipleOfWhy: "(one 512-page pageblock)" });
    if (r.ok) return r.value;
    ctx.issues.push({ code: "custom", message: `${r.problem} (or "off", "on")`, input: v });
    return z.NEVER;
  })
  .meta({ anyOf: [{ enum: ["off", "on"] }, { type: "integer", minimum: PAGEBLOCK_BYTES, multipleOf: PAGEBLOCK_BYTES }, { type: "string", pattern: SIZE_PATTERN }] });

/** A preset with mechanisms of its own (host/scenario/policy.ts; README, "Policies"). */
const policyObject = strict({
  preset: policy.default("nocopy").describe("the named policy whose mechanisms the others replace"),
  writeback: z.enum(WRITEBACK_MODES).optional().describe("copy: the temp-page copy (<= 6.15); copy-free: the folio stays under writeback (6.16+)"),
  migrate: z.enum(MIGRATE_MODES).optional().describe("a FUSE folio under writeback meets migration: kernel (-EBUSY, MIGRATE_SYNC waits), skip (never wait), cancel-if-not-spliced (cancel the writeback)"),
  splice: z.enum(SPLICE_MODES).optional().describe("an unprivileged server that splices: allow, or copy (it gets a copy instead)"),
  timeout: policyTimeout.optional().describe("the request timeout where the kernel's settings give none: \"off\" or at least 15s"),
  wb_area: policyWbArea.optional().describe("the writeback area: \"off\", \"on\" (fuse.wb_area's size) or a size"),
  large_folios: z.enum(LARGE_FOLIO_MODES).optional().describe("replaces fuse.large_folios: auto (the kernel's rule), on (a what-if), off"),
});
/** `policy` and `policies` entries: a preset's name, or a preset with mechanisms of its own. */
const policyChoice = z.union([policy, policyObject]);
export type ParsedPolicy = z.output<typeof policyChoice>;

// ---- server ----------------------------------------------------------------------------------------------

const latencySchema = z.discriminatedUnion("dist", [
  strict({ dist: z.literal("fixed"), mean: duration().prefault(0).describe("the service time") }),
  strict({ dist: z.literal("exponential"), mean: duration().describe("the mean service time") }),
  strict({ dist: z.literal("lognormal"), mean: duration().describe("the mean service time"), sigma: z.number().gt(0).max(10).describe("sigma of the underlying normal") }),
]);
// LATENCY_KINDS (sim-config.ts) and the union above list the same names: this fails to compile if they part.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const latencyKindsMatch: Same<(typeof LATENCY_KINDS)[number], z.output<typeof latencySchema>["dist"]> = true;
void latencyKindsMatch;

const faultFields = {
  slow: z.number().gt(0).max(1e6).describe("multiplies every service time (1 = healthy)"),
  stop_after_requests: intIn(0, Number.MAX_SAFE_INTEGER).describe("stop replying after this many requests (0 = never)"),
  stop_at: duration().describe("stop replying at this time (0 = never)"),
  drop_fraction: z.number().min(0).max(1).describe("never answer this fraction of WRITE requests"),
  crash_at: duration().describe("the server dies at this time; the connection is aborted (0 = never)"),
  splice_hold: duration().describe("with splice: keep the request's pages this long after replying (refused without splice)"),
};

const faultsSchema = strict({
  slow: faultFields.slow.default(1),
  stop_after_requests: faultFields.stop_after_requests.default(0),
  stop_at: faultFields.stop_at.prefault(0),
  drop_fraction: faultFields.drop_fraction.default(0),
  crash_at: faultFields.crash_at.prefault(0),
  splice_hold: faultFields.splice_hold.prefault(0),
});

const serverFields = {
  threads: intIn(1, 256).describe("most worker threads reading /dev/fuse (libfuse's -o max_threads: fuse_session_loop_mt() starts one, and another whenever every worker is busy; libfuse's default 10)"),
  per_request: latencySchema.describe("service time per request; an override in servers replaces it whole"),
  per_byte_ns: z.number().min(0).max(1e6).describe("service time per byte of payload, ns (0.1 = 10 GB/s)"),
  splice: z.boolean().describe("the server asks to read requests with splice(2) (their pages stay referenced); libfuse does so only when its pipe can hold its 1 MiB + 4 KiB buffer: as root (privileged), or with machine.sysctl.pipe_max_size at least 2M, else it reads(2)"),
  privileged: z.boolean().describe("the server runs with CAP_SYS_ADMIN (mounted by root)"),
  backing: z.enum(["tmpfs", "external"]).describe("where the server stores what it receives: tmpfs = shmem pages of this machine (passthrough_ll over tmpfs), external = a disk or network store that uses no local memory"),
  attr_timeout: duration().describe("attr_valid of the server's replies: with the writeback cache, a write(2) after it expired first sends a synchronous GETATTR (passthrough_ll: 1s; 0 = every write)"),
};

const serverSchema = strict({
  name: z.string().min(1).default("healthy").describe("the server's name in reports"),
  threads: serverFields.threads.default(10),
  per_request: serverFields.per_request.prefault({ dist: "fixed", mean: 0 }),
  per_byte_ns: serverFields.per_byte_ns.default(0),
  splice: serverFields.splice.default(false),
  privileged: serverFields.privileged.default(true),
  backing: serverFields.backing.default("tmpfs"),
  attr_timeout: serverFields.attr_timeout.prefault("1s"),
  faults: faultsSchema.prefault({}),
});

/** An entry of `servers`: merged over `server`, key by key (faults too); its key is the server's name. */
const serverOverrideSchema = strict({
  threads: serverFields.threads.optional(),
  per_request: serverFields.per_request.optional(),
  per_byte_ns: serverFields.per_byte_ns.optional(),
  splice: serverFields.splice.optional(),
  privileged: serverFields.privileged.optional(),
  backing: serverFields.backing.optional(),
  attr_timeout: serverFields.attr_timeout.optional(),
  faults: strict({
    slow: faultFields.slow.optional(),
    stop_after_requests: faultFields.stop_after_requests.optional(),
    stop_at: faultFields.stop_at.optional(),
    drop_fraction: faultFields.drop_fraction.optional(),
    crash_at: faultFields.crash_at.optional(),
    splice_hold: faultFields.splice_hold.optional(),
  }).optional(),
});

// ---- workloads -------------------------------------------------------------------------------------------

const workloadName = z.string().min(1).optional().describe("the workload's name in reports; default from its type");

/** The writer options an fio workload gives as JSON fields, unless it gives a `job` file instead. */
const FIO_FIELD_KEYS = ["rw", "bs", "size", "numjobs", "fsync", "end_fsync", "rate", "fallocate", "time_based", "runtime", "ramp_time", "invalidate"] as const;

const fioSchema = strict({
  type: z.literal("fio"),
  name: workloadName.describe("the workload's name; with job, the first job's name (default: the section names)"),
  job: z.string().optional().describe("an fio job file instead of the fields below: [section]s with rw, bs, size, numjobs, ioengine (sync/psync), fsync, end_fsync, fsync_on_close, rate, fallocate, time_based, runtime, ramp_time, invalidate, direct (0), group_reporting, name; or an fio command line with the same options (fio --name=a --rw=write --bs=128k ...)"),
  rw: z.enum(FIO_RW).optional().meta({ default: FIO_DEFAULTS.rw }).describe("write: sequential; randwrite: random offsets"),
  bs: size({ min: 1 }).optional().meta({ default: "4k" }).describe("bytes per write(2)"),
  size: size({ min: 1 }).optional().describe("bytes each job writes (to its own file); required unless job is given"),
  numjobs: intIn(1, MAX_NUMJOBS).optional().meta({ default: FIO_DEFAULTS.numjobs }).describe("parallel writers"),
  fsync: intIn(0, Number.MAX_SAFE_INTEGER).optional().meta({ default: FIO_DEFAULTS.fsync }).describe("fsync after this many writes (0 = never)"),
  end_fsync: z.boolean().optional().meta({ default: FIO_DEFAULTS.endFsync }).describe("fsync when the job ends"),
  rate: size({ min: 1 }).optional().describe("fio rate=: bytes per second each job may write (default: unlimited)"),
  fallocate: z.enum(FIO_FALLOCATE).optional().meta({ default: FIO_DEFAULTS.fallocate }).describe("fio fallocate=: how the file is laid out before the job starts; native/posix: fallocate() to its full size (fio's default), keep: allocated at size 0, truncate: ftruncate() only, none: empty"),
  time_based: z.boolean().optional().meta({ default: FIO_DEFAULTS.timeBased }).describe("fio time_based: at the end of the file go on from its start until runtime has passed (needs runtime, and size a multiple of bs)"),
  runtime: duration({ maxNs: FIO_MAX_TIME_NS }).optional().describe("fio runtime=: stop issuing writes once this much time has passed after the ramp (default: none)"),
  ramp_time: duration({ maxNs: FIO_MAX_TIME_NS }).optional().describe("fio ramp_time=: write for this long before counting (default: none)"),
  invalidate: z.boolean().optional().meta({ default: FIO_DEFAULTS.invalidate }).describe("fio invalidate=: posix_fadvise(DONTNEED) of the file where a time_based job wraps to its start"),
}).transform((w, ctx): { type: "fio"; name: string | undefined; jobs: FioJob[] } => {
  if (w.job !== undefined) {
    const both = FIO_FIELD_KEYS.find((k) => w[k] !== undefined);
    if (both) {
      ctx.issues.push({ code: "custom", message: `not allowed together with job; put ${both}= in the job file`, input: w[both], path: [both] });
      return z.NEVER;
    }
    // each [section] but [global] is a job: count them before parsing (the core holds MAX_JOBS writers)
    const sections = (w.job.match(/^\s*\[(?!global\])[^\]\n]*\]/gm) ?? []).length;
    if (sections > MAX_JOBS) {
      ctx.issues.push({ code: "custom", message: `${sections} job sections are not allowed; at most ${MAX_JOBS} fio jobs in all`, input: undefined, path: ["job"] });
      return z.NEVER;
    }
    const r = checkFioJobFile(w.job);
    if (!r.ok) {
      ctx.issues.push({ code: "custom", message: r.problem, input: w.job, path: ["job"] });
      return z.NEVER;
    }
    return { type: "fio", name: w.name, jobs: r.jobs };
  }
  if (w.size === undefined) {
    ctx.issues.push({ code: "custom", message: `missing; give a size (or a job file in job): ${SIZE_FORM}`, input: undefined, path: ["size"] });
    return z.NEVER;
  }
  const job: FioJob = {
    name: undefined,
    rw: w.rw ?? FIO_DEFAULTS.rw,
    bs: w.bs ?? FIO_DEFAULTS.bs,
    size: w.size,
    numjobs: w.numjobs ?? FIO_DEFAULTS.numjobs,
    fsync: w.fsync ?? FIO_DEFAULTS.fsync,
    endFsync: w.end_fsync ?? FIO_DEFAULTS.endFsync,
    rate: w.rate ?? FIO_DEFAULTS.rate,
    fallocate: w.fallocate ?? FIO_DEFAULTS.fallocate,
    timeBased: w.time_based ?? FIO_DEFAULTS.timeBased,
    runtimeNs: w.runtime ?? FIO_DEFAULTS.runtimeNs,
    rampNs: w.ramp_time ?? FIO_DEFAULTS.rampNs,
    invalidate: w.invalidate ?? FIO_DEFAULTS.invalidate,
  };
  const bad = checkFioJob(job);
  if (bad) {
    const at = job.bs > job.size ? "bs" : "time_based";
    ctx.issues.push({ code: "custom", message: bad, input: w[at], path: [at] });
    return z.NEVER;
  }
  return { type: "fio", name: w.name, jobs: [job] };
});

const churnSchema = strict({
  type: z.literal("churn"),
  name: workloadName,
  kind: z.enum(["movable", "unmovable", "reclaimable"]).describe("movable: anon-like (LRU); unmovable: slab-like; reclaimable: dentry/inode-like"),
  order: intIn(0, MAX_PAGE_ORDER).default(0).describe("allocation order, 0 to MAX_PAGE_ORDER (10)"),
  rate: z.number().gt(0).max(1e9).describe("allocations per second"),
  lifetime: duration({ positive: true }).describe("mean lifetime (exponential)"),
  start: duration().prefault(0).describe("the first allocation comes at this time (a memory hog started later)"),
});

const highorderSchema = strict({
  type: z.literal("highorder"),
  name: workloadName,
  kind: z.enum(["thp", "contig", "gigantic", "offline"]).describe("thp: movable with direct compaction; contig: alloc_contig_range (CMA-like); gigantic: alloc_contig_range of order >= 10; offline: offline_pages() of one memory block of the top zone (MIGRATE_SYNC, retried until it completes)"),
  order: intIn(0, MAX_CONTIG_ORDER).optional().describe("default 9 for thp and contig, 10 for gigantic, 15 (a 128 MiB memory block) for offline"),
  interval: duration({ positive: true }).describe("one attempt every interval"),
  hold: duration().prefault(0).describe("free the allocation after this long (0 = keep it)"),
  start: duration().prefault(0).describe("the first attempt comes one interval after this time"),
  madvise: z.boolean().default(true).describe("thp only: the faults are in a MADV_HUGEPAGE region (GFP_TRANSHUGE: direct reclaim and compaction under the default defrag=madvise); false: an ordinary region (GFP_TRANSHUGE_LIGHT: the free lists only, nothing woken)"),
});

const workloadSchema = z.discriminatedUnion("type", [fioSchema, churnSchema, highorderSchema]);

// ---- run -------------------------------------------------------------------------------------------------

const runSchema = strict({
  duration: duration().prefault(0).describe("stop at this virtual time; 0 = when every writer is done and its data written back"),
  seed: intIn(0, 2 ** 32 - 1).default(1),
  sample_interval: duration({ positive: true }).prefault("100ms").describe("time between samples of the time series"),
  check_invariants: z.boolean().default(false).describe("run the invariant checker after every event (slow)"),
  data_mode: z.boolean().default(false).describe("keep real 4 KiB page contents (small machines only)"),
  fio_runs: intIn(1, 100).default(1).describe("run the fio jobs this many times back to back on the same mount, as a benchmark script repeating fio does: each run opens its file anew (which drops its cached pages), writes it and closes it; the bdi's estimates carry over. The report gives each run's MiB/s; throughputMiBps is their mean"),
});

// ---- the file --------------------------------------------------------------------------------------------

export const scenarioSchema = strict({
  $schema: z.string().optional().describe("path or URL of this JSON Schema, for editors"),
  name: z.string().min(1).optional().describe("the scenario's name in reports; default the file name"),
  description: z.string().optional().describe("free text"),
  machine: machineSchema.prefault({}),
  fuse: fuseSchema.prefault({}),
  policy: policyChoice.default("nocopy").describe("the writeback policy of `fusewb run`: a preset's name, or { \"preset\", and mechanisms of its own }"),
  server: serverSchema.prefault({}),
  servers: z.record(z.string().min(1), serverOverrideSchema).optional().meta({ minProperties: 1 }).describe("fusewb compare: server variants, each merged over server"),
  policies: z.array(policyChoice).min(1).optional().meta({ uniqueItems: true }).describe("fusewb compare: the policies to compare (default all)"),
  workloads: z.array(workloadSchema).min(1).describe("what runs: fio writers, allocation churn, high-order allocation attempts"),
  run: runSchema.prefault({}),
  expect: expectSchema.optional().describe("fusewb check: what must hold in the reports of the scenario's runs, and its snapshot (README, Expectations)"),
}).meta({ title: "fusewb scenario", description: "A fusewb scenario (DESIGN.md section 3)" });

/** A scenario file as the schema parses it: units resolved to bytes and ns, defaults filled, names snake_case. */
export type ParsedScenario = z.output<typeof scenarioSchema>;
export type ParsedServer = ParsedScenario["server"];
export type ParsedServerOverride = z.output<typeof serverOverrideSchema>;
export type ParsedWorkload = ParsedScenario["workloads"][number];

// Scenario file → SimConfig / CompareConfig. The schema (schema.ts) checks each field and converts units; this
// file applies the rules between fields, takes the defaults that depend on other fields (the DMA32 zone, the
// congestion threshold, the folio order, the request timeout), and names things the way sim-config.ts wants.
// Every complaint is one InputError line: `<source>: <field.path>: <value> is not allowed; <what is>`.
import { InputError } from "../util/input-error.js";
import { validateMachineConfig, renameMachinePageFields, type MachineConfig, type MachinePageField } from "../core/machine-config.js";
import { PAGE_SIZE } from "../core/constants.js";
import { MAX_JOBS, MAX_WL } from "../sim/layout.js";
import { POLICIES, type CompareConfig, type FuseConfig, type PolicyChoice, type ServerConfig, type SimConfig, type Workload } from "./sim-config.js";
import { choiceName, policyContext, policyProblem, runPolicy, specOf, wbAreaOf } from "./policy.js";
import { formatIssue, formatPath, pickIssue } from "./issues.js";
import { parseJsonText } from "./json-text.js";
import { requireScenarioObject } from "./overrides.js";
import { formatSize, formatDuration } from "./units.js";
import { kernelRules, kernelsFor, runKernel, PUBLISHED_TABLE_KERNEL, type Kernel } from "./kernel.js";
import {
  FUSE_TIMEOUT_TIMER_FREQ_S,
  MAX_PAGECACHE_ORDER,
  PAGEBLOCK_BYTES,
  scenarioSchema,
  type ParsedPolicy,
  type ParsedScenario,
  type ParsedServer,
  type ParsedServerOverride,
} from "./schema.js";

import { MAX_CHECKS, MAX_VARIANTS, type ParsedExpect } from "./expect-schema.js";

export { applyOverrides } from "./overrides.js";

const GiB = 2 ** 30;

/** Throws the one-line InputError for a rule between fields. */
type Fail = (path: readonly PropertyKey[], text: string) => never;

function failer(source: string): Fail {
  return (path, text) => {
    throw new InputError(`${source}: ${formatPath(path)}: ${text}`);
  };
}

/** A size for a message, quoted as the user would write it: "4G". */
const q = (bytes: number) => `"${formatSize(bytes)}"`;

/** Entries of lists that are checked before the schema walks them: each validated entry costs work, and a
 *  file of 40,000 workloads must be refused at once, not after. */
const MAX_WORKLOAD_ENTRIES = MAX_JOBS + MAX_WL;
const MAX_SERVERS = 64;

function checkListSizes(obj: Record<string, unknown>, fail: Fail): void {
  const wl = obj.workloads;
  if (Array.isArray(wl) && wl.length > MAX_WORKLOAD_ENTRIES)
    fail(["workloads"], `${wl.length} entries are not allowed; at most ${MAX_JOBS} fio jobs and ${MAX_WL} churn or highorder workloads`);
  const servers = obj.servers;
  if (typeof servers === "object" && servers !== null && Object.keys(servers).length > MAX_SERVERS)
    fail(["servers"], `${Object.keys(servers).length} servers are not allowed; at most ${MAX_SERVERS}`);
  // names that are also Object.prototype's own keys would be dropped by the schema's record without a word
  for (const [at, names] of [[["servers"], servers], [["expect", "variants"], (obj.expect as Record<string, unknown> | undefined)?.variants]] as const)
    if (typeof names === "object" && names !== null)
      for (const k of ["__proto__", "constructor", "prototype"])
        if (Object.hasOwn(names, k)) fail([...at, k], `a name that is not allowed (an object's own key in JavaScript); name it otherwise`);
  const policies = obj.policies;
  if (Array.isArray(policies) && policies.length > POLICIES.length)
    fail(["policies"], `${policies.length} entries are not allowed; there are ${POLICIES.length} policies`);
  const expect = obj.expect as Record<string, unknown> | undefined;
  if (typeof expect === "object" && expect !== null) {
    if (Array.isArray(expect.checks) && expect.checks.length > MAX_CHECKS)
      fail(["expect", "checks"], `${expect.checks.length} entries are not allowed; at most ${MAX_CHECKS}`);
    const variants = expect.variants;
    if (typeof variants === "object" && variants !== null && Object.keys(variants).length > MAX_VARIANTS)
      fail(["expect", "variants"], `${Object.keys(variants).length} variants are not allowed; at most ${MAX_VARIANTS}`);
  }
}

function validate(obj: unknown, source: string): ParsedScenario {
  requireScenarioObject(obj, source);
  checkListSizes(obj, failer(source));
  const r = scenarioSchema.safeParse(obj, { reportInput: true });
  if (r.success) return r.data;
  const issue = pickIssue(r.error.issues);
  if (issue && issue.code === "invalid_type" && issue.path.length === 1 && issue.path[0] === "workloads" && issue.input === undefined)
    throw new InputError(`${source}: workloads: missing; give a list of what runs, e.g. [{ "type": "fio", "rw": "write", "bs": "1M", "size": "1G" }]`);
  throw new InputError(`${source}: ${issue ? formatIssue(issue) : "is not a valid scenario"}`);
}

/** The fields only `fusewb compare` reads are checked for every use of the file. */
function checkCompareFields(p: ParsedScenario, fail: Fail): void {
  const names = p.policies?.map((c) => choiceName(toChoice(c)));
  names?.forEach((name, i, all) => {
    if (all.indexOf(name) !== i) fail(["policies", i], `${JSON.stringify(p.policies![i])} is not allowed; it is listed twice${typeof p.policies![i] === "string" ? "" : ` (as ${name})`}`);
  });
  if (p.servers && Object.keys(p.servers).length === 0)
    fail(["servers"], `{} is not allowed; give at least one server, or leave servers out to compare server alone`);
  // splice_hold is how long a pipe keeps the pages after the reply: without splice there is no pipe
  const holdWithoutSplice = (hold: number): string => `"${formatDuration(hold)}" is not allowed without splice; it is how long the server's pipe holds spliced pages (give splice: true, or leave it out)`;
  if (p.server.faults.splice_hold > 0 && !p.server.splice) fail(["server", "faults", "splice_hold"], holdWithoutSplice(p.server.faults.splice_hold));
  for (const [name, o] of Object.entries(p.servers ?? {})) {
    const hold = o.faults?.splice_hold;
    if (hold !== undefined && hold > 0 && !mergeServer(p.server, name, o).splice) fail(["servers", name, "faults", "splice_hold"], holdWithoutSplice(hold));
  }
}

// mm: the zones are laid out DMA32, Normal, Movable (machine-config.ts).
function resolveMachine(m: ParsedScenario["machine"], fail: Fail): MachineConfig {
  // one machine.kernel selects the allocator's fallback too; an explicit fallback may not contradict it
  const kernelFallbacks = m.kernel === undefined ? undefined : kernelRules(m.kernel).fallbacks;
  const kernelFallback = kernelFallbacks?.[0];
  if (m.fallback !== undefined && kernelFallbacks !== undefined && !kernelFallbacks.includes(m.fallback))
    fail(["machine", "fallback"], `${JSON.stringify(m.fallback)} is not allowed with machine.kernel ${JSON.stringify(m.kernel)}; that kernel's __rmqueue fallback is ${JSON.stringify(kernelFallback)} (allowed: ${kernelFallbacks.join(", ")}; leave fallback out to take it)`);
  const dma32 = m.dma32 ?? Math.floor(Math.min(m.memory / 4, 4 * GiB) / PAGEBLOCK_BYTES) * PAGEBLOCK_BYTES;
  if (dma32 > m.memory) fail(["machine", "dma32"], `${q(dma32)} is not allowed; it is larger than machine.memory (${q(m.memory)})`);
  if (dma32 + m.movable > m.memory)
    fail(["machine", "movable"], `${q(m.movable)} is not allowed; dma32 (${q(dma32)}) + movable must not exceed machine.memory (${q(m.memory)})`);
  const normal = m.memory - dma32 - m.movable;
  if (normal + dma32 === 0)
    fail(["machine", "movable"], `${q(m.movable)} is not allowed; it leaves no DMA32 or Normal memory for unmovable allocations`);
  if (m.cma > normal)
    fail(["machine", "cma"], `${q(m.cma)} is not allowed; the CMA area lies in the Normal zone, which is ${q(normal)} (memory - dma32 - movable)`);
  const machine: MachineConfig = {
    dma32Pages: dma32 / PAGE_SIZE,
    normalPages: normal / PAGE_SIZE,
    movablePages: m.movable / PAGE_SIZE,
    cmaPages: m.cma / PAGE_SIZE,
    fallback: m.fallback ?? kernelFallback ?? "claim-then-steal",
    mobilityGrouping: m.mobility_grouping,
    pcp: m.pcp,
    thp: m.thp,
    // the run's kernel decides (simulator.ts machineFor()); machine.kernel when the scenario names one
    freeHighHighMin: m.kernel !== undefined && kernelRules(m.kernel).freeHighHighMin,
    pcpAutoTune: m.kernel === undefined || kernelRules(m.kernel).pcpAutoTune,
  };
  const problem = validateMachineConfig(machine);
  if (problem) {
    const { path, text } = machineProblemInScenarioTerms(problem);
    fail(path, text);
  }
  return machine;
}

/** validateMachineConfig speaks of MachineConfig fields in pages; say it with the scenario's fields. */
export function machineProblemInScenarioTerms(problem: string): { path: string[]; text: string } {
  const field: Readonly<Record<MachinePageField, string>> = { dma32Pages: "dma32", normalPages: "memory", movablePages: "movable", cmaPages: "cma" };
  const m = /^machine\.(\w+): (\d+) (.*)$/.exec(problem);
  const name = m ? (field as Readonly<Record<string, string>>)[m[1]!] : undefined;
  const rename = (text: string) => renameMachinePageFields(text, field);
  if (m && name) return { path: ["machine", name], text: `${m[2]} pages (${q(Number(m[2]) * PAGE_SIZE)}) ${rename(m[3]!)}` };
  return { path: ["machine"], text: rename(problem.replace(/^machine(\.\w+)?:\s*/, "")) };
}

// fs/fuse/inode.c: fuse_init_server_timeout().
function requestTimeoutS(negotiatedS: number, sysctl: ParsedScenario["machine"]["sysctl"]): number {
  let timeout = negotiatedS;
  if (!timeout && !sysctl.max_request_timeout && !sysctl.default_request_timeout) return 0;
  if (!timeout) timeout = sysctl.default_request_timeout;
  if (sysctl.max_request_timeout) timeout = timeout ? Math.min(sysctl.max_request_timeout, timeout) : sysctl.max_request_timeout;
  return Math.max(FUSE_TIMEOUT_TIMER_FREQ_S, timeout);
}

/** fs/fuse/inode.c: FUSE_DEFAULT_CONGESTION_THRESHOLD (FUSE_DEFAULT_MAX_BACKGROUND 12 * 3 / 4). */
const FUSE_DEFAULT_CONGESTION_THRESHOLD = 9;

/** The congestion threshold FUSE_INIT leaves: libfuse's do_init() clamps the server's to max_background and makes 0
 *  (not set) 3/4 of it; the kernel's process_init_limits() takes a value only if it is not 0, else keeps its default
 *  (so max_background 1 leaves 9). The caps it puts on a server without CAP_SYS_ADMIN depend on the server:
 *  fuseInitLimits(). */
function initCongestionThreshold(maxBackground: number, asked: number | undefined): number {
  const sent = Math.min(asked ?? 0, maxBackground) || Math.floor((maxBackground * 3) / 4);
  return sent || FUSE_DEFAULT_CONGESTION_THRESHOLD;
}

function resolveFuse(p: ParsedScenario, machine: MachineConfig, fail: Fail): FuseConfig {
  const f = p.fuse;
  const limit = p.machine.sysctl.max_pages_limit;
  if (f.max_pages > limit) fail(["fuse", "max_pages"], `${f.max_pages} is not allowed; use at most machine.sysctl.max_pages_limit (${limit})`);
  // fs/fuse/file.c: fuse_init_file_inode(); mapping_set_folio_order_range() clamps to MAX_PAGECACHE_ORDER.
  const folioPages = Math.min(Math.floor(Math.min(f.max_write, f.max_read) / PAGE_SIZE), f.max_pages);
  const maxFolioOrder = Math.min(Math.floor(Math.log2(folioPages)), MAX_PAGECACHE_ORDER, f.max_folio_order ?? MAX_PAGECACHE_ORDER);
  return {
    maxPages: f.max_pages,
    maxWrite: f.max_write,
    maxRead: f.max_read,
    maxBackground: f.max_background,
    congestionThreshold: initCongestionThreshold(f.max_background, f.congestion_threshold),
    writebackCache: f.writeback_cache,
    largeFolios: f.large_folios === "auto" ? "auto" : f.large_folios ? "on" : "off",
    maxFolioOrder,
    requestTimeoutS: requestTimeoutS(f.request_timeout / 1e9, p.machine.sysctl),
    wbAreaPages: wbAreaPages(p, machine, fail),
  };
}

/** The nocopy-wb-area area: as given, or (0) about the bdi's dirty limit, rounded up to whole pageblocks. */
function wbAreaPages(p: ParsedScenario, machine: MachineConfig, fail: Fail): number {
  const inMovable = machine.movablePages > 0;
  const roomPages = inMovable ? machine.movablePages : machine.normalPages - machine.cmaPages;
  const zone = inMovable ? "the Movable zone" : "the Normal zone outside CMA";
  const pagesPerBlock = PAGEBLOCK_BYTES / PAGE_SIZE;
  if (p.fuse.wb_area > 0) {
    if (p.fuse.wb_area / PAGE_SIZE > roomPages)
      fail(["fuse", "wb_area"], `${q(p.fuse.wb_area)} is not allowed; the area must fit in ${zone} (${q(roomPages * PAGE_SIZE)})`);
    return p.fuse.wb_area / PAGE_SIZE;
  }
  const { dirty_ratio } = p.machine.sysctl;
  const dirtyLimit = (p.machine.memory * dirty_ratio * p.machine.bdi.max_ratio) / 10000;
  const blocks = Math.max(1, Math.ceil(dirtyLimit / PAGEBLOCK_BYTES));
  return Math.min(blocks * pagesPerBlock, Math.floor(roomPages / pagesPerBlock) * pagesPerBlock);
}

/** libfuse 3 (lib/fuse_lowlevel.c fuse_session_receive_buf_int()) splices only while its pipe holds its whole
 *  buffer, se->bufsize = FUSE_MAX_MAX_PAGES (256) pages + FUSE_BUFFER_HEADER_SIZE (4 KiB): fcntl(F_SETPIPE_SZ)
 *  rounds that up to a power of two (fs/pipe.c round_pipe_size(): 2 MiB), and pipe_set_size() refuses a pipe
 *  above fs.pipe-max-size to a task without CAP_SYS_RESOURCE (-EPERM), after which libfuse reads(2) for good
 *  (can_grow = 0, goto fallback). */
export const LIBFUSE_PIPE_BYTES = 2 * 1024 * 1024;
export function libfuseSplices(splice: boolean, privileged: boolean, pipeMaxSize: number): boolean {
  return splice && (privileged || pipeMaxSize >= LIBFUSE_PIPE_BYTES);
}

function resolveServer(s: ParsedServer, pipeMaxSize: number): ServerConfig {
  const d = s.per_request;
  return {
    name: s.name,
    threads: s.threads,
    perRequest: { kind: d.dist, meanNs: d.mean, sigma: d.dist === "lognormal" ? d.sigma : 0 },
    perByteNs: s.per_byte_ns,
    splice: libfuseSplices(s.splice, s.privileged, pipeMaxSize),
    spliceAsked: s.splice,
    privileged: s.privileged,
    backing: s.backing,
    attrTimeoutNs: s.attr_timeout,
    faults: {
      slowFactor: s.faults.slow,
      stopAfterRequests: s.faults.stop_after_requests,
      stopAtNs: s.faults.stop_at,
      dropFraction: s.faults.drop_fraction,
      crashAtNs: s.faults.crash_at,
      spliceHoldNs: s.faults.splice_hold,
    },
  };
}

function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** `servers.<name>` merged over `server`: key by key, and faults key by key; per_request is one value. */
function mergeServer(base: ParsedServer, name: string, o: ParsedServerOverride): ParsedServer {
  const { faults, ...rest } = o;
  return { ...base, ...defined(rest), name, faults: { ...base.faults, ...(faults ? defined(faults) : {}) } };
}

const HIGHORDER_ORDERS = {
  thp: { default: 9, min: 2, max: MAX_PAGECACHE_ORDER, why: "THP and mTHP orders are 2 to 9 (up to the PMD order)" },
  contig: { default: 9, min: 0, max: Infinity, why: "" },
  gigantic: { default: 10, min: 10, max: Infinity, why: "gigantic ranges are order 10 or more" },
  // x86-64 memory blocks are 128 MiB (memory_block_size_bytes()) and more on large machines: at least a pageblock
  offline: { default: 15, min: 9, max: Infinity, why: "a memory block is at least one pageblock (order 9)" },
} as const;

function resolveWorkloads(p: ParsedScenario, machine: MachineConfig, fail: Fail): Workload[] {
  // the core's tables: every fio job is a writer with its own file, every other workload a slot (layout.ts)
  const jobs = p.workloads.reduce((s, w) => s + (w.type === "fio" ? w.jobs.reduce((t, j) => t + j.numjobs, 0) : 0), 0);
  if (jobs > MAX_JOBS) fail(["workloads"], `${jobs} fio jobs in all (numjobs counted) are not allowed; at most ${MAX_JOBS}`);
  const others = p.workloads.filter((w) => w.type !== "fio").length;
  if (others > MAX_WL) fail(["workloads"], `${others} churn and highorder workloads are not allowed; at most ${MAX_WL}`);
  const out: Workload[] = [];
  const named = new Map<string, string>();
  const largestZone = Math.max(machine.dma32Pages, machine.normalPages, machine.movablePages);
  const name = (given: string | undefined, fallback: string, path: readonly PropertyKey[]): string => {
    if (given !== undefined) {
      const other = named.get(given);
      if (other !== undefined) fail(path, `${JSON.stringify(given)} is not allowed; ${other} has that name already, and names are unique`);
      named.set(given, formatPath(path.slice(0, 2)));
      return given;
    }
    let n = fallback;
    for (let k = 2; named.has(n); k++) n = `${fallback}-${k}`;
    named.set(n, formatPath(path.slice(0, 2)));
    return n;
  };
  p.workloads.forEach((w, i) => {
    if (w.type === "fio") {
      // The JSON name names the first job; the others keep their section names (fio allows repeats).
      w.jobs.forEach((job, j) => {
        const given = j === 0 ? w.name : undefined;
        const path = ["workloads", i, given === undefined ? "job" : "name"];
        out.push({ kind: "fio", name: name(given, job.name ?? "fio", path), rw: job.rw, bs: job.bs, size: job.size, numjobs: job.numjobs, fsync: job.fsync, endFsync: job.endFsync, rateBps: job.rate, fallocate: job.fallocate, timeBased: job.timeBased, runtimeNs: job.runtimeNs, rampNs: job.rampNs, invalidate: job.invalidate });
      });
    } else if (w.type === "churn") {
      out.push({ kind: "churn", name: name(w.name, `churn-${w.kind}`, ["workloads", i, "name"]), type: w.kind, order: w.order, ratePerSec: w.rate, lifetimeNs: w.lifetime, startNs: w.start });
    } else {
      const rule = HIGHORDER_ORDERS[w.kind];
      const order = w.order ?? rule.default;
      if (order < rule.min || order > rule.max) fail(["workloads", i, "order"], `${order} is not allowed; ${rule.why}`);
      if (w.kind === "thp" && !machine.thp)
        fail(["workloads", i, "kind"], `"thp" is not allowed with machine.thp false (transparent_hugepage/enabled=never: no THP faults); use contig, or set machine.thp true`);
      if (2 ** order > largestZone)
        fail(["workloads", i, "order"], `${order} is not allowed; 2^${order} pages (${q(2 ** order * PAGE_SIZE)}) do not fit in the largest zone (${q(largestZone * PAGE_SIZE)})`);
      if (!w.madvise && w.kind !== "thp") fail(["workloads", i, "madvise"], `false is not allowed with kind ${w.kind}; only THP faults have a region to madvise (allowed: true)`);
      out.push({ kind: "highorder", name: name(w.name, w.kind, ["workloads", i, "name"]), type: w.kind, order, intervalNs: w.interval, holdNs: w.hold, startNs: w.start, madvise: w.madvise });
    }
  });
  if (p.run.duration === 0 && !out.some((w) => w.kind === "fio"))
    fail(["run", "duration"], `0 (until the writers are done) is not allowed without a fio workload; give a duration, e.g. "30s"`);
  return out;
}

/** A `policy` or `policies` entry as SimConfig holds it: a preset's name, or a spec (policy.ts). */
function toChoice(pp: ParsedPolicy): PolicyChoice {
  if (typeof pp === "string") return pp;
  return {
    preset: pp.preset,
    ...(pp.writeback !== undefined ? { writeback: pp.writeback } : {}),
    ...(pp.migrate !== undefined ? { migrate: pp.migrate } : {}),
    ...(pp.splice !== undefined ? { splice: pp.splice } : {}),
    ...(pp.timeout !== undefined ? { timeoutS: pp.timeout / 1e9 } : {}),
    ...(pp.wb_area !== undefined ? { wbArea: pp.wb_area === "off" ? false : pp.wb_area === "on" ? true : pp.wb_area } : {}),
    ...(pp.large_folios !== undefined ? { largeFolios: pp.large_folios } : {}),
  };
}

/** Where a policy that will run was given: `policy`, `policies.<i>`, or (--policy) `policy`. */
function policyPath(p: ParsedScenario, choice: PolicyChoice): PropertyKey[] {
  const name = choiceName(choice);
  const i = p.policies?.findIndex((c) => choiceName(toChoice(c)) === name) ?? -1;
  return i >= 0 && choiceName(toChoice(p.policy)) !== name ? ["policies", i] : ["policy"];
}

/** The rules of the policies that will run: their mechanisms' combination, machine.kernel (the temp-page copy
 *  is <= 6.15, copy-free 6.16+), and room for a writeback area. */
function checkPolicies(p: ParsedScenario, policies: readonly PolicyChoice[], machine: MachineConfig, fuse: FuseConfig, fail: Fail): void {
  const kernel = p.machine.kernel;
  for (const choice of policies) {
    const at = typeof choice === "string" ? ["policy"] : policyPath(p, choice);
    const problem = policyProblem(specOf(choice), policyContext(fuse));
    if (problem) fail([...at, problem.field], problem.text);
    const { name, mechanisms: m } = runPolicy(specOf(choice), policyContext(fuse));
    const allowed = kernelsFor(m.writeback);
    if (kernel !== undefined && !allowed.includes(kernel))
      fail(["machine", "kernel"], `${JSON.stringify(kernel)} is not allowed with policy ${name}; ${m.writeback === "copy" ? "the temp-page copy is Linux 6.15 and earlier" : `copy-free writeback is Linux 6.16 and later, or ${PUBLISHED_TABLE_KERNEL} as the published fio table's tree (a what-if)`} (allowed: ${allowed.join(", ")})`);
    const k = runKernel(kernel ?? null, m.writeback);
    if (p.machine.free_high !== "kernel" && !kernelRules(k).pcpAutoTune)
      fail(["machine", "free_high"], `${JSON.stringify(p.machine.free_high)} is not allowed on kernel ${k}; its per-cpu lists have no free_count (6.1's free_factor rule) (allowed: kernel)`);
    if (p.machine.lru === "mglru" && !kernelRules(k).mglru)
      fail(["machine", "lru"], `"mglru" is not allowed on kernel ${k}; the multi-gen LRU is modelled from 6.12's mm/vmscan.c (6.1's differs) (allowed: classic)`);
    const area = wbAreaOf(specOf(choice));
    if (typeof area === "number") {
      const room = machine.movablePages > 0 ? machine.movablePages : machine.normalPages - machine.cmaPages;
      if (area / PAGE_SIZE > room) fail([...at, "wb_area"], `${q(area)} is not allowed; the area must fit in ${machine.movablePages > 0 ? "the Movable zone" : "the Normal zone outside CMA"} (${q(room * PAGE_SIZE)})`);
    } else if (area && fuse.wbAreaPages === 0)
      fail(["fuse", "wb_area"], `0 is not allowed with policy ${name}; there is no Movable or Normal memory to hold the area`);
  }
}

function resolveParsed(p: ParsedScenario, source: string, policies: readonly PolicyChoice[]): SimConfig {
  const fail = failer(source);
  const machine = resolveMachine(p.machine, fail);
  // mm/page-writeback.c: __bdi_set_min_ratio() refuses a min_ratio above the bdi's max_ratio
  if (p.machine.bdi.min_ratio > p.machine.bdi.max_ratio)
    fail(["machine", "bdi", "min_ratio"], `${p.machine.bdi.min_ratio} is not allowed; it is above machine.bdi.max_ratio (${p.machine.bdi.max_ratio})`);
  const fuse = resolveFuse(p, machine, fail);
  checkPolicies(p, policies, machine, fuse, fail);
  const sysctl = p.machine.sysctl;
  return {
    name: p.name ?? defaultName(source),
    kernel: p.machine.kernel ?? null,
    machine,
    sysctl: {
      dirtyRatio: sysctl.dirty_ratio,
      dirtyBackgroundRatio: sysctl.dirty_background_ratio,
      maxPagesLimit: sysctl.max_pages_limit,
      defaultRequestTimeoutS: sysctl.default_request_timeout,
      maxRequestTimeoutS: sysctl.max_request_timeout,
      compactionProactiveness: sysctl.compaction_proactiveness,
    },
    bdi: { strictlimit: p.machine.bdi.strictlimit, maxRatio: p.machine.bdi.max_ratio, minRatio: p.machine.bdi.min_ratio, wbBgStart: p.machine.bdi.wb_bg_start },
    kernelConfig: { hz: p.machine.hz, cpus: p.machine.cpus, freeHigh: p.machine.free_high, lru: p.machine.lru },
    fuse,
    policy: toChoice(p.policy),
    server: resolveServer(p.server, sysctl.pipe_max_size),
    workloads: resolveWorkloads(p, machine, fail),
    run: {
      durationNs: p.run.duration,
      seed: p.run.seed,
      sampleIntervalNs: p.run.sample_interval,
      checkInvariants: p.run.check_invariants,
      dataMode: p.run.data_mode,
      fioRuns: p.run.fio_runs,
    },
  };
}

/** "scenarios/default.json" → "default"; the name of a scenario that gives none. */
function defaultName(source: string): string {
  const base = source.split(/[\\/]/).pop() ?? source;
  return base.replace(/\.json$/i, "") || "scenario";
}

/** The scenario's `policy` and `policies` (validated), for callers that pick the policies to run. */
export function scenarioPolicies(obj: unknown, source = "scenario"): { policy: PolicyChoice; policies: PolicyChoice[] | undefined } {
  const p = validate(obj, source);
  checkCompareFields(p, failer(source));
  return { policy: toChoice(p.policy), policies: p.policies?.map(toChoice) };
}

/** The scenario's `expect` section (validated with the rest of the file), for `fusewb check`. */
export function scenarioExpect(obj: unknown, source = "scenario"): ParsedExpect | undefined {
  const p = validate(obj, source);
  checkCompareFields(p, failer(source));
  return p.expect;
}

/** A scenario object (already JSON-parsed, overrides applied) → the config of one run. The rules that depend
 *  on the policy are checked for `policies` (default: the scenario's `policy`), the ones that will run: a
 *  machine need not suit a policy nobody runs on it. */
export function resolveScenario(obj: unknown, source = "scenario", policies?: readonly PolicyChoice[]): SimConfig {
  const p = validate(obj, source);
  checkCompareFields(p, failer(source));
  return resolveParsed(p, source, policies ?? [toChoice(p.policy)]);
}

/** A scenario object → the configs of `fusewb compare`: `policies` × `servers` (each merged over `server`);
 *  `only` (--policy) replaces the scenario's policies. */
export function resolveCompare(obj: unknown, source = "scenario", only?: readonly PolicyChoice[]): CompareConfig {
  const p = validate(obj, source);
  checkCompareFields(p, failer(source));
  const policies = only ? [...only] : p.policies?.map(toChoice) ?? [...POLICIES];
  const base = resolveParsed(p, source, policies);
  const overrides = Object.entries(p.servers ?? {});
  const servers = overrides.length === 0 ? [base.server] : overrides.map(([name, o]) => resolveServer(mergeServer(p.server, name, o), p.machine.sysctl.pipe_max_size));
  return { base, policies, servers };
}

/** JSON text of a scenario file → the config of one run. */
export function parseScenario(text: string, source = "scenario"): SimConfig {
  return resolveScenario(parseJsonText(text, source), source);
}

/** JSON text of a scenario file → the configs of `fusewb compare`. */
export function parseCompare(text: string, source = "scenario"): CompareConfig {
  return resolveCompare(parseJsonText(text, source), source);
}

export { parseJsonText };

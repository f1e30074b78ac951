// The scenario format (host/scenario/schema.ts, resolve.ts): the shipped scenarios, the numbers they resolve
// to, overrides, the JSON Schema file, and a corpus of malformed scenarios that must each fail with one line.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readdirSync, readFileSync } from "node:fs";
import { applyOverrides, machineProblemInScenarioTerms, parseCompare, parseScenario, resolveCompare, resolveScenario } from "../host/scenario/resolve.js";
import { defaultMachineConfig, validateMachineConfig } from "../host/core/machine-config.js";
import { scenarioJsonSchemaText } from "../host/scenario/json-schema.js";
import { POLICIES } from "../host/scenario/sim-config.js";
import { folioOrder, freeHighHighMin, runKernel, whatIfs } from "../host/scenario/kernel.js";
import { InputError } from "../host/util/input-error.js";

const GiB = 2 ** 30;
const MiB = 2 ** 20;
const scenario = (name: string) => readFileSync(new URL(`../scenarios/${name}`, import.meta.url), "utf8");
const fio = { type: "fio", bs: "1M", size: "1G" };

test("default.json is the patch's benchmark (DESIGN 1.2)", () => {
  const c = parseScenario(scenario("default.json"), "scenarios/default.json");
  assert.is(c.name, "default");
  assert.is(c.policy, "nocopy");
  // fio --rw=write --bs=1M --size=2G --numjobs=2: each job writes its own 2 GiB file.
  assert.equal(c.workloads, [{ kind: "fio", name: "seq-write", rw: "write", bs: 1048576, size: 2147483648, numjobs: 2, fsync: 0, endFsync: false, rateBps: 0, fallocate: "native", timeBased: false, runtimeNs: 0, rampNs: 0, invalidate: true }]);
  // 16 GiB = 4194304 pages; DMA32 = min(16G / 4, 4G) = 4G = 1048576 pages; the rest is Normal.
  assert.equal(c.machine, { dma32Pages: 1048576, normalPages: 3145728, movablePages: 0, cmaPages: 0, fallback: "claim-then-steal", mobilityGrouping: true, pcp: true, thp: true, freeHighHighMin: false, pcpAutoTune: true });
  // ilog2(min(1M / 4k, 256)) = ilog2(256) = 8; FUSE_DEFAULT_MAX_BACKGROUND 12, threshold 12 * 3 / 4 = 9.
  assert.is(c.fuse.maxFolioOrder, 8);
  // ... but no released kernel gives FUSE files large folios
  assert.is(folioOrder(c.fuse, runKernel(c.kernel, "copy-free")), 0);
  assert.is(c.fuse.maxBackground, 12);
  assert.is(c.fuse.congestionThreshold, 9);
  assert.is(c.fuse.maxPages, 256);
  assert.is(c.fuse.maxWrite, MiB);
  assert.ok(c.fuse.writebackCache);
  assert.is(c.fuse.requestTimeoutS, 0);
  // vm.compaction_proactiveness: the kernel default 20 (mm/compaction.c: sysctl_compaction_proactiveness)
  assert.equal(c.sysctl, { dirtyRatio: 20, dirtyBackgroundRatio: 10, maxPagesLimit: 256, defaultRequestTimeoutS: 0, maxRequestTimeoutS: 0, compactionProactiveness: 20 });
  // fuse_bdi_init(): BDI_CAP_STRICTLIMIT and bdi_set_max_ratio(bdi, 1); min_ratio stays 0. CONFIG_HZ is Kconfig's
  // default (HZ_250); 8 CPUs unless the scenario says otherwise.
  assert.equal(c.bdi, { strictlimit: true, maxRatio: 1, minRatio: 0, wbBgStart: false });
  assert.equal(c.kernelConfig, { hz: 250, cpus: 8, freeHigh: "kernel", lru: "classic" });
  assert.equal(c.server.perRequest, { kind: "fixed", meanNs: 2000, sigma: 0 });
  // the published setup ran passthrough_ll -o max_threads=4 (libfuse's own default would be 10)
  assert.is(c.server.threads, 4);
  // root's passthrough_ll receives WRITEs with splice(2): libfuse sets FUSE_CAP_SPLICE_READ for a .write_buf
  // filesystem, and root may grow the pipe past pipe-max-size (fs/pipe.c: pipe_set_size(), CAP_SYS_RESOURCE)
  assert.ok(c.server.privileged && c.server.splice);
  // 0 = run until the writers are done.
  assert.equal(c.run, { durationNs: 0, seed: 1, sampleIntervalNs: 100e6, checkInvariants: false, dataMode: false, fioRuns: 1 });
  const compare = parseCompare(scenario("default.json"));
  assert.equal(compare.policies, ["legacy-copy", "nocopy"]);
  assert.equal(compare.servers, [c.server]);
});

test("bad-server.json: five server behaviours, all seven policies, a loaded 8G machine", () => {
  const compare = parseCompare(scenario("bad-server.json"), "scenarios/bad-server.json");
  assert.equal(compare.policies, [...POLICIES]);
  assert.equal(compare.servers.map((s) => s.name), ["healthy", "slow", "stuck", "lossy", "crashing"]);
  const by = Object.fromEntries(compare.servers.map((s) => [s.name, s]));
  assert.is(by.slow!.faults.slowFactor, 20);
  assert.is(by.stuck!.faults.stopAtNs, 10e9);
  assert.is(by.lossy!.faults.dropFraction, 0.05);
  assert.is(by.crashing!.faults.crashAtNs, 10e9);
  // Every variant keeps what it does not override: unprivileged, splicing (its pipe-max-size is 2M), lognormal
  // service times.
  for (const s of compare.servers) {
    assert.ok(s.splice && s.spliceAsked && !s.privileged, s.name);
    assert.equal(s.perRequest, { kind: "lognormal", meanNs: 20000, sigma: 0.5 });
  }
  assert.equal(by.healthy!.faults, { slowFactor: 1, stopAfterRequests: 0, stopAtNs: 0, dropFraction: 0, crashAtNs: 0, spliceHoldNs: 0 });
  const base = compare.base;
  // 8 GiB: DMA32 = 8G / 4 = 2G = 524288 pages.
  assert.equal([base.machine.dma32Pages, base.machine.normalPages], [524288, 1572864]);
  assert.is(base.run.durationNs, 40e9);
  assert.is(base.bdi.maxRatio, 50);
  assert.equal(base.workloads.map((w) => `${w.kind}:${w.name}`), ["fio:writer", "churn:anon", "churn:slab", "highorder:thp", "highorder:contig"]);
  const [writer, anon, slab, thp, contig] = base.workloads;
  assert.equal(writer, { kind: "fio", name: "writer", rw: "write", bs: MiB, size: 4096 * MiB, numjobs: 2, fsync: 0, endFsync: false, rateBps: 128 * MiB, fallocate: "native", timeBased: false, runtimeNs: 0, rampNs: 0, invalidate: true });
  assert.ok(anon?.kind === "churn" && anon.type === "movable" && anon.order === 2 && anon.ratePerSec === 45000);
  assert.ok(slab?.kind === "churn" && slab.type === "unmovable");
  assert.ok(thp?.kind === "highorder" && thp.type === "thp" && thp.order === 9 && thp.intervalNs === 100e6);
  assert.ok(contig?.kind === "highorder" && contig.type === "contig" && contig.intervalNs === 250e6);
  // nocopy-wb-area is compared, so the area is sized: 8G * 20 % * 50 % = 819.2M, rounded up to 410 pageblocks.
  assert.is(base.fuse.wbAreaPages, 410 * 512);
});

test("a scenario needs nothing but its workloads", () => {
  const c = resolveScenario({ workloads: [fio] });
  assert.is(c.name, "scenario");
  assert.is(c.policy, "nocopy");
  assert.is(c.machine.dma32Pages + c.machine.normalPages, 16 * GiB / 4096);
  assert.equal(c.workloads, [{ kind: "fio", name: "fio", rw: "write", bs: MiB, size: GiB, numjobs: 1, fsync: 0, endFsync: false, rateBps: 0, fallocate: "native", timeBased: false, runtimeNs: 0, rampNs: 0, invalidate: true }]);
  assert.equal(c.server.name, "healthy");
  assert.equal(resolveCompare({ workloads: [fio] }).policies, [...POLICIES]);
});

test("DMA32 defaults to min(memory / 4, 4G), rounded down to a pageblock", () => {
  const dma32 = (memory: string) => resolveScenario({ machine: { memory }, workloads: [fio] }).machine.dma32Pages;
  assert.is(dma32("64G"), 4 * GiB / 4096);
  assert.is(dma32("8G"), 2 * GiB / 4096);
  // 6M / 4 = 1.5M, less than one 2M pageblock.
  assert.is(dma32("6M"), 0);
  // 10M / 4 = 2.5M → one pageblock.
  assert.is(dma32("10M"), 512);
});

test("the forced folio order follows max_write, max_read and max_pages, capped", () => {
  // the proposed patch's rule (fuse.large_folios: true on a copy-free kernel)
  const order = (fuse: object, sysctl: object = {}) => {
    const c = resolveScenario({ machine: { sysctl }, fuse: { large_folios: true, ...fuse }, workloads: [fio] });
    return folioOrder(c.fuse, "6.16");
  };
  assert.is(order({}), 8); // 1M max_write and max_read, 256 pages
  assert.is(order({ max_write: "128k" }), 5); // 32 pages
  assert.is(order({ max_read: "64k" }), 4); // 16 pages
  assert.is(order({ max_pages: 32 }), 5);
  assert.is(order({ max_write: "100k" }), 4); // 25 pages → ilog2 = 4
  assert.is(order({ max_folio_order: 2 }), 2);
  assert.is(order({ large_folios: false }), 0);
  // 4M and 1024 pages would be order 10; mapping_set_folio_order_range() clamps to MAX_PAGECACHE_ORDER 9.
  assert.is(order({ max_write: "4M", max_read: "4M", max_pages: 1024 }, { max_pages_limit: 1024 }), 9);
});

test("large folios by the kernel's rule: released kernels give FUSE files none; forced on, a run is a what-if", () => {
  const fuse = (f: object) => resolveScenario({ fuse: f, workloads: [fio] }).fuse;
  // auto: order 0 on every modelled kernel, with or without the writeback cache (fuse_init_file_inode() sets no
  // folio order range in 6.1 ... 7.2)
  for (const k of ["6.1", "6.15", "6.16", "6.18"] as const)
    for (const writeback_cache of [true, false]) assert.is(folioOrder(fuse({ writeback_cache }), k), 0);
  assert.equal(whatIfs(fuse({}), "6.16"), []);
  // true forces the proposed patch's order: allowed on the copy-free kernels, and named as a what-if
  assert.is(folioOrder(fuse({ large_folios: true }), "6.16"), 8);
  assert.match(whatIfs(fuse({ large_folios: true, writeback_cache: false }), "6.18")[0]!, /no released kernel/);
  assert.match(whatIfs(fuse({ large_folios: true }), "6.16")[0]!, /keeps them off with the writeback cache/);
  assert.is(folioOrder(fuse({ large_folios: true }), "6.15"), 0, "the temp-page copy never has large folios");
  assert.equal(whatIfs(fuse({ large_folios: true }), "6.15"), []);
});

test("machine.free_high: the run's kernel's free_high threshold, or a version's as a what-if", () => {
  const kc = (machine: object) => resolveScenario({ machine, workloads: [fio] }).kernelConfig.freeHigh;
  assert.is(kc({}), "kernel");
  assert.throws(() => kc({ free_high: 6.15 }), /machine\.free_high: 6\.15 is not allowed; give the version as a string, "6\.15"/, "a version in a file is a string");
  assert.is(kc((applyOverrides({ machine: {} }, ["machine.free_high=6.15"]) as { machine: object }).machine), "6.15", "--set machine.free_high=6.15 keeps its text");
  assert.is(kc({ free_high: "6.16" }), "6.16");
  assert.throws(() => kc({ free_high: "6.1" }), /machine\.free_high: "6\.1" is not allowed; did you mean "6\.15"\? allowed: kernel, 6\.15, 6\.16/);
  // each kernel's own: 6.15 batch, 6.16 on batch + high_min / 2
  assert.equal([freeHighHighMin("6.15", "kernel"), freeHighHighMin("6.16", "kernel"), freeHighHighMin("6.18", "kernel")], [false, true, true]);
  assert.equal(whatIfs(resolveScenario({ workloads: [fio] }).fuse, "6.16", undefined, "6.16"), [], "a version's own rule is no what-if");
  assert.match(whatIfs(resolveScenario({ workloads: [fio] }).fuse, "6.16", undefined, "6.15")[0]!, /free_high threshold of 6\.15 .* on 6\.16/);
  assert.match(whatIfs(resolveScenario({ workloads: [fio] }).fuse, "6.15", undefined, "6.16")[0]!, /on 6\.15, which has 6\.15's batch/);
});

test("machine.kernel selects the rules of one version: each policy names the versions it stands for", () => {
  const c = (machine: object, policy = "nocopy") => resolveScenario({ machine, policy, workloads: [fio] });
  assert.is(c({}).kernel, null);
  assert.is(runKernel(c({}).kernel, "copy"), "6.15");
  assert.is(runKernel(c({}).kernel, "copy-free"), "6.16");
  // 6.12.28+ (Debian's 6.12.118) took 6.15's claim-then-steal through stable; 6.12.0-6.12.27 may still be chosen
  assert.is(c({ kernel: "6.12" }, "legacy-copy").machine.fallback, "claim-then-steal", "6.12.118's fallback");
  assert.is(c({ kernel: "6.12", fallback: "largest-steal" }, "legacy-copy").machine.fallback, "largest-steal");
  assert.is(c({ kernel: "6.1" }, "legacy-copy").machine.fallback, "largest-steal", "6.10-6.14's, standing for 6.1's");
  assert.is(c({ kernel: "6.18" }).machine.fallback, "claim-then-steal");
  assert.throws(() => c({ kernel: "6.1" }), /machine\.kernel: "6\.1" is not allowed with policy nocopy; copy-free writeback is Linux 6\.16 and later, or 6\.12 as the published fio table's tree \(a what-if\) \(allowed: 6\.12, 6\.16, 6\.18\)/);
  assert.throws(() => c({ kernel: "6.15" }), /allowed: 6\.12, 6\.16, 6\.18/);
  // copy-free on 6.12, the published fio table's tree, runs 6.12's rules and is named a what-if
  assert.is(c({ kernel: "6.12" }).machine.fallback, "claim-then-steal");
  const folios = { largeFolios: "auto", writebackCache: true, maxFolioOrder: 8 } as const;
  assert.match(whatIfs(folios, "6.12", undefined, "kernel", "copy-free").join(), /copy-free writeback on 6\.12 .*the published fio table/);
  assert.equal(whatIfs(folios, "6.12", undefined, "kernel", "copy"), []);
  assert.equal(whatIfs(folios, "6.16", undefined, "kernel", "copy-free"), []);
  assert.throws(() => c({ kernel: "6.18" }, "legacy-copy"), /allowed: 6\.1, 6\.6, 6\.12, 6\.15/);
  assert.throws(() => c({ kernel: "6.1", fallback: "claim-then-steal" }, "legacy-copy"), /machine\.fallback: "claim-then-steal" is not allowed with machine\.kernel "6\.1"; .*\(allowed: largest-steal;/);
  assert.throws(() => c({ kernel: "6.15", fallback: "largest-steal" }, "legacy-copy"), /machine\.fallback: "largest-steal" is not allowed with machine\.kernel "6\.15"/);
  // compare checks every policy it will run
  assert.throws(() => resolveCompare({ machine: { kernel: "6.16" }, workloads: [fio] }), /not allowed with policy legacy-copy/);
});

test("congestion threshold as FUSE_INIT leaves it: libfuse's do_init(), then process_init_limits()", () => {
  const fuse = (f: object) => resolveScenario({ fuse: f, workloads: [fio] }).fuse;
  assert.is(fuse({ max_background: 64 }).congestionThreshold, 48); // 3/4 of max_background
  assert.is(fuse({ max_background: 64, congestion_threshold: 10 }).congestionThreshold, 10);
  assert.is(fuse({ max_background: 4, congestion_threshold: 10 }).congestionThreshold, 4); // libfuse clamps it
  // libfuse sends 1 * 3 / 4 = 0, which the kernel takes as "not set": FUSE_DEFAULT_CONGESTION_THRESHOLD stays
  assert.is(fuse({ max_background: 1 }).congestionThreshold, 9);
});

test("request timeout as fs/fuse/inode.c: fuse_init_server_timeout()", () => {
  const timeout = (request_timeout: string | number, sysctl: object) => resolveScenario({ machine: { sysctl }, fuse: { request_timeout }, workloads: [fio] }).fuse.requestTimeoutS;
  assert.is(timeout(0, {}), 0); // nothing configured
  assert.is(timeout(0, { default_request_timeout: 60 }), 60); // the server negotiates none: the default
  assert.is(timeout("120s", { max_request_timeout: 60 }), 60); // capped by the max
  assert.is(timeout(0, { max_request_timeout: 90 }), 90); // the max applies even when nothing else does
  assert.is(timeout("2min", {}), 120);
  assert.is(timeout("5s", {}), 15); // never below FUSE_TIMEOUT_TIMER_FREQ (15 s)
});

test("servers are merged over server key by key; per_request is replaced whole", () => {
  const c = resolveCompare({
    server: { threads: 8, per_request: { dist: "lognormal", mean: "10us", sigma: 1 }, faults: { slow: 2, stop_at: "1s" } },
    servers: { base: {}, quick: { per_request: { dist: "fixed", mean: "1us" }, faults: { slow: 1 } } },
    workloads: [fio],
  });
  const [base, quick] = c.servers;
  assert.is(base!.name, "base");
  assert.equal(base!.perRequest, { kind: "lognormal", meanNs: 10000, sigma: 1 });
  assert.is(quick!.threads, 8);
  assert.equal(quick!.perRequest, { kind: "fixed", meanNs: 1000, sigma: 0 });
  assert.equal([quick!.faults.slowFactor, quick!.faults.stopAtNs], [1, 1e9]);
});

test("workload names: defaults from the type, made unique", () => {
  const c = resolveScenario({
    workloads: [fio, fio, { type: "churn", kind: "movable", rate: 10, lifetime: "1s" }, { type: "highorder", kind: "gigantic", interval: "1s" }],
  });
  assert.equal(c.workloads.map((w) => w.name), ["fio", "fio-2", "churn-movable", "gigantic"]);
  const gigantic = c.workloads[3];
  assert.ok(gigantic?.kind === "highorder" && gigantic.order === 10);
});

test("applyOverrides sets dotted paths, parsing JSON values and keeping other text", () => {
  const obj = JSON.parse(scenario("default.json")) as unknown;
  const varied = applyOverrides(obj, ["fuse.max_pages=32", "server.threads=8", "workloads.0.bs=4k", "policy=legacy-copy", "server.faults.slow=2.5", "fuse.writeback_cache=false"]);
  const c = resolveScenario(varied);
  assert.is(c.fuse.maxPages, 32);
  assert.is(c.fuse.maxFolioOrder, 5);
  assert.is(c.server.threads, 8);
  assert.is(c.server.faults.slowFactor, 2.5);
  assert.is(c.fuse.writebackCache, false);
  assert.is(c.policy, "legacy-copy");
  assert.ok(c.workloads[0]?.kind === "fio" && c.workloads[0].bs === 4096);
  // The original is untouched.
  assert.is(resolveScenario(obj).fuse.maxPages, 256);
  // A value that is not JSON stays text, and then must validate like any other.
  assert.throws(() => resolveScenario(applyOverrides(obj, ["server.threads=many"])), (e: Error) => e.message === 'scenario: server.threads: "many" is not allowed; use a number');
  for (const bad of ["x", "=1", "policy.x=1", "workloads.3.bs=1", "a..b=1", "__proto__.polluted=1"])
    assert.throws(() => applyOverrides(obj, [bad]), (e: Error) => e instanceof InputError && e.message.startsWith(`override ${JSON.stringify(bad)}: `) && !e.message.includes("\n"), bad);
  assert.is(({} as Record<string, unknown>).polluted, undefined);
});

test("validateMachineConfig's last word is said in the scenario's field names", () => {
  // The scenario's own checks come first, so these MachineConfigs are built by hand.
  const say = (c: object) => machineProblemInScenarioTerms(validateMachineConfig({ ...defaultMachineConfig, ...c }) ?? "");
  const cma = say({ normalPages: 512, cmaPages: 1024 });
  assert.equal(cma.path, ["machine", "cma"]);
  assert.match(cma.text, /^1024 pages \("4M"\) /);
  const none = say({});
  assert.equal(none.path, ["machine"]);
  assert.not.match(none.text, /Pages\b/);
});

test("scenarios/scenario.schema.json is the generated JSON Schema (see host/scenario/json-schema.ts)", () => {
  assert.fixture(scenario("scenario.schema.json"), scenarioJsonSchemaText());
});

// Each malformed scenario, and the field (or place) its one-line message must name. Files that are not JSON at
// all live in bad-json-syntax/: `uvu test scenario` loads every file whose path matches "scenario", and a .json
// file there must at least parse.
const badScenarios: Record<string, string> = {
  "bad-scenarios/unknown-policy.json": 'policy: "fast" is not allowed; allowed: legacy-copy, nocopy,',
  "bad-scenarios/policy-typo.json": 'policy: "nocpy" is not allowed; did you mean "nocopy"?',
  "bad-scenarios/policy-wrong-type.json": "policy: 3",
  "bad-scenarios/negative-size.json": 'machine.memory: "-1G" is not a size',
  "bad-scenarios/negative-number-size.json": "workloads.0.size: -5 is not a size",
  "bad-scenarios/dma32-over-memory.json": "machine.dma32",
  "bad-scenarios/memory-not-pageblock-multiple.json": "machine.memory: \"1001M\" is not allowed; use a multiple of 2M",
  "bad-scenarios/memory-over-1t.json": "machine.memory: \"2T\" is not allowed; use at most 1T",
  "bad-scenarios/memory-zero.json": "machine.memory: 0",
  "bad-scenarios/movable-too-big.json": "machine.movable",
  "bad-scenarios/movable-only.json": "machine.movable",
  "bad-scenarios/cma-over-normal.json": "machine.cma",
  "bad-scenarios/unknown-fallback.json": "machine.fallback",
  "bad-scenarios/unknown-top-key.json": 'workload: unknown key; did you mean "workloads"?',
  "bad-scenarios/unknown-machine-key.json": "machine.memroy: unknown key",
  "bad-scenarios/unknown-fault-key.json": "server.faults.stall: unknown key; allowed here: slow,",
  "bad-scenarios/threads-as-string.json": "server.threads",
  "bad-scenarios/bool-as-string.json": "fuse.writeback_cache",
  "bad-scenarios/pcp-not-boolean.json": 'machine.pcp: "off" is not allowed; use true or false',
  "bad-scenarios/empty-workloads.json": "workloads: [] is not allowed",
  "bad-scenarios/no-workloads.json": "workloads: missing",
  "bad-scenarios/workloads-not-a-list.json": "workloads",
  "bad-scenarios/duration-without-unit.json": "run.duration: 30 is not a duration",
  "bad-scenarios/duration-bad-unit.json": "run.duration",
  "bad-scenarios/duration-fraction-of-ns.json": "server.per_request.mean",
  "bad-scenarios/zero-interval.json": "workloads.1.interval",
  "bad-scenarios/unknown-latency-dist.json": 'server.per_request.dist: "gauss" is not allowed; allowed: fixed, exponential, lognormal',
  "bad-scenarios/lognormal-without-sigma.json": "server.per_request.sigma: missing",
  "bad-scenarios/sigma-on-fixed.json": "server.per_request.sigma: unknown key",
  "bad-scenarios/numjobs-zero.json": "workloads.0.numjobs: 0",
  "bad-scenarios/bs-zero.json": "workloads.0.bs: 0",
  "bad-scenarios/bs-bad-unit.json": 'workloads.0.bs: "3X" is not a size; use bytes or a number with k, M, G, T (powers of 1024), e.g. "4k"',
  "bad-scenarios/bs-over-size.json": "workloads.0.bs",
  "bad-scenarios/size-fraction-of-byte.json": "workloads.0.bs",
  "bad-scenarios/threads-zero.json": "server.threads: 0",
  "bad-scenarios/max-pages-over-limit.json": "fuse.max_pages: 512",
  "bad-scenarios/max-pages-over-raised-limit.json": "fuse.max_pages: 2048",
  "bad-scenarios/request-timeout-fraction.json": "fuse.request_timeout",
  "bad-scenarios/drop-fraction-over-one.json": "server.faults.drop_fraction",
  "bad-scenarios/unknown-workload-type.json": 'workloads.0.type: "dd" is not allowed; allowed: fio, churn, highorder',
  "bad-scenarios/workload-without-type.json": "workloads.0.type: missing",
  "bad-scenarios/fio-job-and-fields.json": "workloads.0.bs: not allowed together with job",
  "bad-scenarios/fio-job-bad-ioengine.json": "workloads.0.job: line 3: ioengine=libaio",
  "bad-scenarios/fio-without-size.json": "workloads.0.size: missing",
  "bad-scenarios/duplicate-policies.json": "policies.2",
  "bad-scenarios/empty-servers.json": "servers",
  "bad-scenarios/server-override-name.json": "servers.slow.name: unknown key",
  "bad-scenarios/thp-order-too-big.json": "workloads.1.order",
  "bad-scenarios/thp-workload-with-thp-off.json": 'workloads.1.kind: "thp" is not allowed with machine.thp false',
  "bad-scenarios/proactiveness-over-100.json": "machine.sysctl.compaction_proactiveness: 101",
  "bad-scenarios/gigantic-larger-than-zone.json": "workloads.1.order",
  "bad-scenarios/churn-order-over-max.json": "workloads.1.order",
  "bad-scenarios/churn-without-duration.json": "run.duration",
  "bad-scenarios/duplicate-workload-names.json": "workloads.1.name",
  "bad-scenarios/seed-negative.json": "run.seed",
  "bad-scenarios/dirty-ratio-over-100.json": "machine.sysctl.dirty_ratio",
  "bad-scenarios/hz-not-a-choice.json": "machine.hz: 200 is not allowed; CONFIG_HZ is one of 100, 250, 300, 1000",
  "bad-scenarios/kernel-as-number.json": "machine.kernel: 6.1 is not allowed; give the version as a string, \"6.1\" (a number drops trailing zeros: 6.10 would read 6.1)",
  "bad-scenarios/scenario-is-a-list.json": "a list is not a scenario; a scenario is a JSON object",
  "bad-scenarios/server-named-proto.json": "servers.__proto__: a name that is not allowed",
  "bad-scenarios/min-ratio-above-max.json": "machine.bdi.min_ratio: 5 is not allowed; it is above machine.bdi.max_ratio (1)",
  "bad-scenarios/max-write-below-page.json": "fuse.max_write",
  "bad-scenarios/wb-area-too-big.json": "fuse.wb_area",
  "bad-scenarios/max-folio-order-over-pmd.json": "fuse.max_folio_order",
  "bad-scenarios/quoted-number.json": "machine.sysctl.max_pages_limit",
  "bad-scenarios/splice-hold-without-splice.json": 'server.faults.splice_hold: "1ms" is not allowed without splice',
  "bad-scenarios/fallocate-unknown.json": 'workloads.0.fallocate: "yes" is not allowed; allowed: none, native, posix, keep, truncate',
  "bad-scenarios/fio-runs-zero.json": "run.fio_runs: 0 is not allowed; use at least 1",
  "bad-json-syntax/json-missing-comma.json": "line 4, column 3: JSON syntax error",
  "bad-json-syntax/json-trailing-comma.json": "line 5, column 3: JSON syntax error",
  "bad-json-syntax/json-comment.json": "line 2, column 3: JSON syntax error: comments",
  "bad-json-syntax/json-single-quotes.json": "line 2, column 3: JSON syntax error: strings need double quotes",
  "bad-json-syntax/json-truncated.json": "line 4, column 1: JSON syntax error",
  "bad-scenarios/top-level-array.json": "is not a scenario",
  "bad-json-syntax/empty-file.json": "empty file",
};

const corpus = new URL("./corpus/", import.meta.url);

test("every malformed scenario in the corpus is listed here, and the other way round", () => {
  const files = ["bad-scenarios", "bad-json-syntax"].flatMap((d) => readdirSync(new URL(`${d}/`, corpus)).filter((f) => f.endsWith(".json")).map((f) => `${d}/${f}`));
  assert.ok(files.filter((f) => f.startsWith("bad-scenarios/")).length >= 30);
  assert.equal(files.sort(), Object.keys(badScenarios).sort());
});

for (const [path, expected] of Object.entries(badScenarios)) {
  const file = path.slice(path.indexOf("/") + 1);
  test(`bad scenario ${path}: one line, no stack, names the field`, () => {
    const text = readFileSync(new URL(path, corpus), "utf8");
    // parseCompare reads the same file and must refuse it the same way.
    for (const parse of [parseScenario, parseCompare]) {
      let error: unknown;
      try {
        parse(text, file);
      } catch (e) {
        error = e;
      }
      assert.instance(error, InputError, `${parse.name} accepted ${file}`);
      const message = (error as InputError).message;
      assert.ok(message.startsWith(`${file}: `), message);
      assert.not.match(message, /\n/);
      assert.not.match(message, /\bat .*:\d+:\d+/);
      assert.ok(message.includes(expected), `${message}\n  should contain: ${expected}`);
    }
  });
}


test("libfuse splices only when its pipe can hold its 1 MiB + 4 KiB buffer: root, or fs.pipe-max-size of 2M", () => {
  // fuse_session_receive_buf_int(): fcntl(F_SETPIPE_SZ, 1 MiB + 4 KiB) asks for 2 MiB (round_pipe_size()), which
  // pipe_set_size() refuses above pipe-max-size without CAP_SYS_RESOURCE; libfuse then reads for good
  const bad = JSON.parse(scenario("bad-server.json")) as { machine: { sysctl: Record<string, unknown> } };
  bad.machine.sysctl.pipe_max_size = "1M"; // the kernel's default
  for (const s of resolveCompare(bad, "bad-server, default pipe-max-size").servers) assert.ok(!s.splice && s.spliceAsked, s.name);
  bad.machine.sysctl.pipe_max_size = "2M";
  for (const s of resolveCompare(bad, "bad-server").servers) assert.ok(s.splice, s.name);
  // root grows the pipe whatever pipe-max-size says (default.json: privileged, pipe-max-size left at 1M)
  const root = parseCompare(scenario("default.json")).base.server;
  assert.ok(root.privileged && root.splice);
});

test.run();

// The SimConfig as the core's config words (assembly/sim/config.ts): the scenario parameters, the policy's
// mechanisms, the writer jobs, the memory workloads and the cost model, written into linear memory before sim_init().
import type { SimConfig } from "../scenario/sim-config.js";
import type { CoreExports } from "../core/wasm.js";
import type { CostModel } from "./cost-model.js";
import { InputError } from "../util/input-error.js";
import { folioOrder, kernelRules, runKernel } from "../scenario/kernel.js";
import { runPolicyOf } from "../scenario/policy.js";
import { fuseInitLimits } from "../scenario/fuse-init.js";
import {
  CFG, CFG_WORDS, JOB, JOB_WORDS, MAX_JOBS, MAX_WL, WL, WL_KIND, WL_WORDS, WL_KIND_INDEX, COST_NAMES, WRITEBACK_MODE_INDEX,
  MIGRATE_INDEX, SPLICE_INDEX, LATENCY_INDEX, LAYOUT_OF,
} from "./layout.js";

export function writeConfigWords(core: CoreExports, config: SimConfig, costs: CostModel): void {
  const { mechanisms: mech } = runPolicyOf(config);
  const kernel = runKernel(config.kernel, mech.writeback);
  const jobs = config.workloads.flatMap((w) => (w.kind === "fio" ? Array.from({ length: w.numjobs }, () => w) : []));
  if (jobs.length > MAX_JOBS) throw new InputError(`workloads: ${jobs.length} fio jobs in all; at most ${MAX_JOBS}`);
  const mem = (): ArrayBuffer => core.memory.buffer;
  const cfg = new Float64Array(mem(), core.cfg_ptr(), CFG_WORDS);
  const f = config.fuse, s = config.server, flt = s.faults;
  const set = (k: keyof typeof CFG, v: number | boolean): void => { cfg[CFG[k]] = typeof v === "boolean" ? (v ? 1 : 0) : v; };
  // the policy's mechanisms (assembly/sim/mechanisms.ts decodes them once at init)
  set("WRITEBACK_MODE", WRITEBACK_MODE_INDEX[mech.writeback]);
  set("MIGRATE_WRITEBACK", MIGRATE_INDEX[mech.migrate]);
  set("SPLICE_UNPRIVILEGED", SPLICE_INDEX[mech.splice]);
  set("REQUEST_TIMEOUT_S", mech.timeoutS);
  set("WB_AREA_PAGES", mech.wbAreaPages);
  set("MAX_FOLIO_ORDER", folioOrder({ largeFolios: mech.largeFolios, maxFolioOrder: f.maxFolioOrder }, kernel));
  set("SEED", config.run.seed);
  set("DURATION_NS", config.run.durationNs);
  set("SAMPLE_INTERVAL_NS", config.run.sampleIntervalNs);
  set("CHECK_INVARIANTS", config.run.checkInvariants);
  set("DATA_MODE", config.run.dataMode);
  set("FIO_RUNS", config.run.fioRuns ?? 1);
  set("DIRTY_RATIO", config.sysctl.dirtyRatio);
  set("DIRTY_BACKGROUND_RATIO", config.sysctl.dirtyBackgroundRatio);
  set("COMPACTION_PROACTIVENESS", config.sysctl.compactionProactiveness);
  set("STRICTLIMIT", config.bdi.strictlimit);
  set("BDI_MAX_RATIO", config.bdi.maxRatio);
  set("BDI_MIN_RATIO", config.bdi.minRatio);
  set("WB_BG_START", config.bdi.wbBgStart);
  set("HZ", config.kernelConfig.hz);
  set("NR_CPUS", config.kernelConfig.cpus);
  set("MAX_PAGES", f.maxPages);
  set("MAX_WRITE", f.maxWrite);
  // process_init_limits(): the caps a server without CAP_SYS_ADMIN gets
  const m = config.machine, limits = fuseInitLimits(f, s.privileged, m.dma32Pages + m.normalPages + m.movablePages);
  set("MAX_BACKGROUND", limits.maxBackground);
  set("CONGESTION_THRESHOLD", limits.congestionThreshold);
  set("WRITEBACK_CACHE", f.writebackCache);
  set("SERVER_THREADS", s.threads);
  set("LATENCY_KIND", LATENCY_INDEX[s.perRequest.kind]);
  set("LATENCY_MEAN_NS", s.perRequest.meanNs);
  set("LATENCY_SIGMA", s.perRequest.sigma);
  set("PER_BYTE_NS", s.perByteNs);
  set("SPLICE", s.splice);
  set("PRIVILEGED", s.privileged);
  set("ATTR_TIMEOUT_NS", s.attrTimeoutNs);
  set("SERVER_BACKING", s.backing === "tmpfs");
  set("FUSE_WRITEPAGE", kernelRules(kernel).fuseWritepage);
  set("FUSE_REQ_SIZE", kernelRules(kernel).fuseReqSize);
  set("WB_THRESH_CONSOLIDATED", kernelRules(kernel).wbThreshBump === "consolidated");
  set("WB_ACCT", kernelRules(kernel).wbAcct);
  set("RECLAIM_612", kernelRules(kernel).reclaim612);
  set("LRU_GEN", config.kernelConfig.lru === "mglru");
  set("UNDO_ISOLATE_MOVABLE", kernelRules(kernel).undoIsolateMovable);
  set("BDP_BEFORE_WRITE_BEGIN", kernelRules(kernel).bdpBeforeWriteBegin);
  set("SLOW_FACTOR", flt.slowFactor);
  set("STOP_AFTER_REQUESTS", flt.stopAfterRequests);
  set("STOP_AT_NS", flt.stopAtNs);
  set("DROP_FRACTION", flt.dropFraction);
  set("CRASH_AT_NS", flt.crashAtNs);
  set("SPLICE_HOLD_NS", flt.spliceHoldNs);
  set("NR_JOBS", jobs.length);
  const jobArr = new Float64Array(mem(), core.jobs_ptr(), MAX_JOBS * JOB_WORDS);
  jobs.forEach((w, j) => {
    jobArr[j * JOB_WORDS + JOB.BS] = w.bs;
    jobArr[j * JOB_WORDS + JOB.SIZE] = w.size;
    jobArr[j * JOB_WORDS + JOB.RANDOM] = w.rw === "randwrite" ? 1 : 0;
    jobArr[j * JOB_WORDS + JOB.FSYNC_EVERY] = w.fsync;
    jobArr[j * JOB_WORDS + JOB.END_FSYNC] = w.endFsync ? 1 : 0;
    jobArr[j * JOB_WORDS + JOB.RATE] = w.rateBps;
    jobArr[j * JOB_WORDS + JOB.FALLOCATE] = LAYOUT_OF[w.fallocate];
    jobArr[j * JOB_WORDS + JOB.TIME_BASED] = w.timeBased ? 1 : 0;
    jobArr[j * JOB_WORDS + JOB.RUNTIME_NS] = w.runtimeNs;
    jobArr[j * JOB_WORDS + JOB.RAMP_NS] = w.rampNs;
    jobArr[j * JOB_WORDS + JOB.INVALIDATE] = w.invalidate ? 1 : 0;
  });
  const memWl = config.workloads.filter((w) => w.kind !== "fio");
  if (memWl.length > MAX_WL) throw new InputError(`workloads: ${memWl.length} churn/highorder workloads; at most ${MAX_WL}`);
  set("NR_WL", memWl.length);
  const wlArr = new Float64Array(mem(), core.workloads_ptr(), MAX_WL * WL_WORDS);
  memWl.forEach((w, i) => {
    const at = i * WL_WORDS;
    const [rateOrInterval, lifetimeOrHold] = w.kind === "churn" ? [w.ratePerSec, w.lifetimeNs] : w.kind === "highorder" ? [w.intervalNs, w.holdNs] : [0, 0];
    wlArr[at + WL.KIND] = w.kind === "highorder" && w.type === "thp" && !w.madvise ? WL_KIND.THP_NOMADVISE : WL_KIND_INDEX[w.type];
    wlArr[at + WL.ORDER] = w.order;
    wlArr[at + WL.RATE_OR_INTERVAL] = rateOrInterval;
    wlArr[at + WL.LIFETIME_OR_HOLD] = lifetimeOrHold;
    wlArr[at + WL.START] = w.startNs;
  });
  const costArr = new Float64Array(mem(), core.cost_ptr(), COST_NAMES.length);
  COST_NAMES.forEach((name, i) => { costArr[i] = costs[name]; });
}

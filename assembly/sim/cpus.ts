// The CPU each context of a run is on: the per-cpu page lists it allocates from and frees to (this_cpu_ptr() in
// mm/page_alloc.c). The kernel's scheduler places tasks and moves them; the model pins each context to a CPU of
// its own, in this order, wrapping round machine.cpus: the fio jobs, the flusher (bdi_wq is unbound: its kworker
// is placed like a task), the server's workers, kswapd, kcompactd, then each churn or high-order workload. Timer
// work (samples, FUSE's timeout check, the bandwidth work) runs on CPU 0, and vmstat_update() on every CPU.
// So a legacy temp page is allocated on the flusher's CPU and freed on the worker's that ends its request
// (fuse_dev_write() -> fuse_request_end() -> fuse_writepage_end()), as on a real machine.
import { param, CFG_NR_JOBS, CFG_SERVER_THREADS, CFG_NR_CPUS } from "./config";
import { set_this_cpu } from "../mm/pcp";

export const CTX_TIMER: u32 = 0;
export const CTX_WRITER: u32 = 1;
export const CTX_FLUSHER: u32 = 2;
export const CTX_SERVER: u32 = 3;
export const CTX_KSWAPD: u32 = 4;
export const CTX_KCOMPACTD: u32 = 5;
export const CTX_WORKLOAD: u32 = 6;

/** The CPU of context `kind` number `i` (writer j, server worker t, workload i), before folding onto the kept
 *  CPUs (set_this_cpu() folds). */
export function context_cpu(kind: u32, i: u32): u32 {
  const jobs = <u32>param(CFG_NR_JOBS), workers = <u32>param(CFG_SERVER_THREADS);
  if (kind == CTX_WRITER) return i;
  if (kind == CTX_FLUSHER) return jobs;
  if (kind == CTX_SERVER) return jobs + 1 + i;
  if (kind == CTX_KSWAPD) return jobs + 1 + workers;
  if (kind == CTX_KCOMPACTD) return jobs + 2 + workers;
  if (kind == CTX_WORKLOAD) return jobs + 3 + workers + i;
  return 0;
}

/** The kind of the running context (CTX_*). */
export let current_kind: u32 = CTX_TIMER;

/** The CPU the running context is on (smp_processor_id(): context_cpu() folded onto machine.cpus). */
export let current_cpu: u32 = 0;

/** machine.cpus, read once a run (cpus_init(), from sim_init()), not at every event's run_on(). */
let nr_cpus: u32 = 1;
export function cpus_init(): void { nr_cpus = <u32>max<f64>(param(CFG_NR_CPUS), 1); }

/** The running context is `kind` number `i`. */
@inline export function run_on(kind: u32, i: u32): void {
  current_kind = kind;
  const cpu = context_cpu(kind, i);
  current_cpu = cpu % nr_cpus;
  set_this_cpu(cpu);
}

/** A user task (a fio job, a libfuse worker, a workload's process), not a kernel thread: the flusher is a kworker
 *  (PF_KTHREAD | PF_WQ_WORKER), kswapd and kcompactd are kthreads, timer work runs in softirq or kworkers. */
export function current_is_user_task(): bool {
  return current_kind == CTX_WRITER || current_kind == CTX_SERVER || current_kind == CTX_WORKLOAD;
}

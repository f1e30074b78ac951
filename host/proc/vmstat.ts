// A /proc/vmstat-style view (mm/vmstat.c: vmstat_show(), "%s %lu\n"): the counters the kernel has, under its
// names and in its order (vmstat_text[]), then the emulator's own counters under their names.
import type { ZoneView } from "../core/allocator-model.js";

/** Name → value, in print order. */
export type VmstatView = [name: string, value: number][];

/** The simulator's counters by name (Simulator.stats()); a missing one counts 0. */
export type StatCounters = Readonly<Record<string, number>>;

// Kernel name ← how to get it from our counters. The emulator counters these consume are not repeated below.
const KERNEL: readonly { name: string; from: readonly string[]; value: (st: StatCounters) => number }[] = [
  { name: "nr_dirty", from: ["nr_dirty"], value: (st) => st.nr_dirty ?? 0 },
  { name: "nr_writeback", from: ["nr_writeback"], value: (st) => st.nr_writeback ?? 0 },
  { name: "nr_writeback_temp", from: ["nr_writeback_temp"], value: (st) => st.nr_writeback_temp ?? 0 },
  { name: "nr_written", from: ["pages_written_back"], value: (st) => st.pages_written_back ?? 0 },
  { name: "pgmigrate_success", from: ["pgmigrate_success"], value: (st) => st.pgmigrate_success ?? 0 },
  { name: "pgmigrate_fail", from: ["pgmigrate_fail"], value: (st) => st.pgmigrate_fail ?? 0 },
  { name: "compact_migrate_scanned", from: ["compact_migrate_scanned"], value: (st) => st.compact_migrate_scanned ?? 0 },
  { name: "compact_free_scanned", from: ["compact_free_scanned"], value: (st) => st.compact_free_scanned ?? 0 },
  { name: "compact_stall", from: ["compact_stall"], value: (st) => st.compact_stall ?? 0 },
  { name: "compact_fail", from: ["compact_fail"], value: (st) => st.compact_fail ?? 0 },
  { name: "compact_success", from: ["compact_success"], value: (st) => st.compact_success ?? 0 },
  { name: "thp_fault_alloc", from: ["thp_success"], value: (st) => st.thp_success ?? 0 },
  { name: "thp_fault_fallback", from: ["thp_attempts"], value: (st) => (st.thp_attempts ?? 0) - (st.thp_success ?? 0) },
];

/** nr_free_pages and nr_free_cma from the zones, the kernel's counters from `stats`, then every other counter. */
export function vmstatView(zones: readonly ZoneView[], stats: StatCounters): VmstatView {
  const view: VmstatView = [
    ["nr_free_pages", zones.reduce((s, z) => s + z.nrFreePages, 0)],
    ["nr_free_cma", zones.reduce((s, z) => s + z.nrFreeCmaPages, 0)],
  ];
  const used = new Set<string>();
  for (const k of KERNEL) {
    view.push([k.name, k.value(stats)]);
    k.from.forEach((n) => used.add(n));
  }
  for (const [name, value] of Object.entries(stats)) if (!used.has(name)) view.push([name, value]);
  return view;
}

export function formatVmstat(view: VmstatView): string {
  return view.map(([name, value]) => `${name} ${value}\n`).join("");
}

export function vmstatJson(view: VmstatView): Record<string, number> {
  return Object.fromEntries(view);
}

// A /proc/vmstat-style view (mm/vmstat.c: vmstat_show(), "%s %lu\n"): the counters the kernel has, under its
// names and in its order (vmstat_text[]), then the emulator's own counters under their names.
import type { ZoneView } from "../core/allocator-model.js";

/** Name → value, in print order. */
export type VmstatView = [name: string, value: number][];

/** The simulator's counters by name (Simulator.stats()); a missing one counts 0. */
export type StatCounters = Readonly<Record<string, number>>;

// Kernel name <- how to get it from our counters, in vmstat_text[]'s order (mm/vmstat.c, 6.15). Each is counted
// where mm/ counts it (README "Reports"); the emulator counters these consume are not repeated below. ZONE_DMA
// is folded into DMA32 (no allocstall_dma); all reclaim is file reclaim (no swap), so pgscan_file and
// pgsteal_file are the kswapd + direct sums and the anon ones are not printed.
const one = (name: string): { name: string; from: readonly string[]; value: (st: StatCounters) => number } =>
  ({ name, from: [name], value: (st) => st[name] ?? 0 });
const KERNEL: readonly { name: string; from: readonly string[]; value: (st: StatCounters) => number }[] = [
  { name: "nr_inactive_file", from: ["nr_file_lru"], value: (st) => (st.nr_file_lru ?? 0) - (st.nr_active_file ?? 0) },
  one("nr_active_file"),
  one("nr_dirty"),
  one("nr_writeback"),
  one("nr_writeback_temp"),
  { name: "nr_written", from: ["pages_written_back"], value: (st) => st.pages_written_back ?? 0 },
  one("allocstall_dma32"),
  one("allocstall_normal"),
  one("allocstall_movable"),
  one("pgactivate"),
  one("pgdeactivate"),
  one("pgrefill"),
  one("pgsteal_kswapd"),
  one("pgsteal_direct"),
  one("pgscan_kswapd"),
  one("pgscan_direct"),
  { name: "pgscan_file", from: [], value: (st) => (st.pgscan_kswapd ?? 0) + (st.pgscan_direct ?? 0) },
  { name: "pgsteal_file", from: [], value: (st) => (st.pgsteal_kswapd ?? 0) + (st.pgsteal_direct ?? 0) },
  one("pageoutrun"),
  one("pgrotated"),
  one("pgmigrate_success"),
  one("pgmigrate_fail"),
  one("compact_migrate_scanned"),
  one("compact_free_scanned"),
  one("compact_isolated"),
  one("compact_stall"),
  one("compact_fail"),
  one("compact_success"),
  one("compact_daemon_wake"),
  one("compact_daemon_migrate_scanned"),
  one("compact_daemon_free_scanned"),
  { name: "thp_fault_alloc", from: ["thp_fault_alloc", "thp_success"], value: (st) => st.thp_fault_alloc ?? 0 },
  { name: "thp_fault_fallback", from: ["thp_fault_fallback", "thp_attempts"], value: (st) => st.thp_fault_fallback ?? 0 },
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

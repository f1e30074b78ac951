// Time series for the report's charts, derived from a run's samples (Simulator.samples(): one row per sample
// interval, columns from host/sim/layout.ts SAMPLE_COLUMNS). Columns this file does not know are charted too,
// as plain numbers, so a column the core adds later (e.g. thp_success_pct) shows up without a change here.

/** One sample row: t_ns and bytes_written, then counters. A plain record so extra columns type-check. */
export type SampleRow = Readonly<Record<string, number>>;

export interface MetricSeries {
  key: string;
  title: string;
  unit: string;
  /** [virtual seconds, value] */
  points: [number, number][];
}

interface MetricInfo { title: string; unit: string; }

/** Known columns, in the order the report shows them; "throughput" is derived from bytes_written. */
const KNOWN: Readonly<Record<string, MetricInfo>> = {
  throughput: { title: "Modelled write throughput (mean over 1/50 of the run)", unit: "MiB/s" },
  nr_dirty: { title: "nr_dirty", unit: "pages" },
  nr_writeback: { title: "nr_writeback", unit: "pages" },
  nr_writeback_temp: { title: "nr_writeback_temp (FUSE temp pages)", unit: "pages" },
  free_pageblocks: { title: "Free high-order memory (free blocks of order ≥ 9)", unit: "pageblocks" },
  thp_success_pct: { title: "THP allocation success", unit: "%" },
  nr_free_pages: { title: "nr_free_pages", unit: "pages" },
  active_background: { title: "FUSE background requests in flight", unit: "requests" },
};

/** Columns that are axes or inputs, not series of their own. */
const NOT_CHARTED = new Set(["t_ns", "bytes_written"]);

/** Runs are sampled at ~200 points (snapshots.ts) and writes land in whole write(2) calls, so the rate over a
 *  single interval jumps between 0 and several times the mean. The rate over a window of about 1/50 of the
 *  run reads like fio's bandwidth log. */
const THROUGHPUT_WINDOWS = 50;

/** MiB/s: the bytes_written delta over the time delta across a window of `window` sample intervals, plotted
 *  at the window's end (a rate read from two counter samples is the mean over the span between them). */
export function throughputSeries(samples: readonly SampleRow[], window = Math.max(1, Math.round(samples.length / THROUGHPUT_WINDOWS))): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 1; i < samples.length; i++) {
    const a = samples[Math.max(0, i - window)]!, b = samples[i]!;
    const dt = ((b.t_ns ?? 0) - (a.t_ns ?? 0)) / 1e9;
    if (dt > 0) out.push([(b.t_ns ?? 0) / 1e9, ((b.bytes_written ?? 0) - (a.bytes_written ?? 0)) / 2 ** 20 / dt]);
  }
  return out;
}

/** Every series a run's samples give, known ones first in KNOWN's order, then unknown columns as found. */
export function metricSeries(samples: readonly SampleRow[]): MetricSeries[] {
  const columns: string[] = [];
  for (const row of samples)
    for (const [k, v] of Object.entries(row))
      if (typeof v === "number" && !NOT_CHARTED.has(k) && !columns.includes(k)) columns.push(k);
  const known = Object.keys(KNOWN);
  const keys = [
    ...known.filter((k) => k === "throughput" ? samples.some((r) => "bytes_written" in r) : columns.includes(k)),
    ...columns.filter((k) => !known.includes(k)),
  ];
  return keys.map((key) => {
    const info = KNOWN[key] ?? { title: key, unit: "" };
    const points: [number, number][] = key === "throughput"
      ? throughputSeries(samples)
      : samples.filter((r) => typeof r[key] === "number").map((r) => [(r.t_ns ?? 0) / 1e9, r[key]!]);
    return { key, title: info.title, unit: info.unit, points };
  });
}

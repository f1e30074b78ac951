// `fusewb sweep --plot` / `fusewb merge --plot`: modelled throughput against the first varied field, one line
// per combination of the other varied fields and policy, as an SVG line chart (host/report/charts.ts).
import type { SweepLine } from "./run-job.js";
import { renderLineChart, RUN_COLOURS, type ChartSeries } from "../report/charts.js";
import { InputError } from "../util/input-error.js";

const show = (v: unknown): string => (typeof v === "string" ? v : JSON.stringify(v));

export function sweepPlotSvg(lines: readonly SweepLine[]): string {
  const withReport = lines.filter((l) => l.report !== undefined);
  const xField = Object.keys(withReport[0]?.vary ?? {})[0];
  if (xField === undefined) throw new InputError("--plot: the sweep varies nothing; give --vary path=v1,v2,... (the first one is the x axis)");
  const bad = withReport.find((l) => typeof l.vary[xField] !== "number");
  if (bad) throw new InputError(`--plot: ${xField}=${show(bad.vary[xField])} is not allowed on the x axis; the first --vary field must have numeric values`);
  const policies = new Set(withReport.map((l) => l.policy));
  const groups = new Map<string, [number, number][]>();
  for (const l of withReport) {
    const rest = Object.entries(l.vary).filter(([k]) => k !== xField).map(([k, v]) => `${k}=${show(v)}`);
    const name = [...rest, ...(policies.size > 1 ? [l.policy] : [])].join(", ") || l.policy;
    const points = groups.get(name) ?? [];
    points.push([l.vary[xField] as number, l.report!.modelled.throughputMiBps]);
    groups.set(name, points);
  }
  const series: ChartSeries[] = [...groups].map(([name, points], i) => ({
    name, colour: RUN_COLOURS[i % RUN_COLOURS.length]!, points: points.sort((a, b) => a[0] - b[0]),
  }));
  return renderLineChart({ title: `Modelled write throughput against ${xField}`, xLabel: xField, yLabel: "MiB/s", series, width: 640, height: 300 }) + "\n";
}

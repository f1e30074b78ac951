// The summary at a glance, under `run`'s rows and `compare`'s decision table: one line per run with its
// throughput as a bar (scaled to the fastest run) and a verdict that names what went wrong, if anything:
// corrupt or silently lost data and hangs first (red), data lost with an error and OOM kills (yellow).
// Coloured only on a terminal, and never when NO_COLOR is set (no-color.org).
import type { RunReport } from "../sim/report.js";

export type Level = "ok" | "warn" | "bad";

const SGR: Record<Level | "bar" | "dim", string> = { ok: "32", warn: "33", bad: "31", bar: "36", dim: "2" };

/** Colour when the stream is a terminal and NO_COLOR is unset or empty. */
export function useColour(stream: { isTTY?: boolean } = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(stream.isTTY) && !env.NO_COLOR;
}

/** What a run's report says went wrong, worst first; "ok" when nothing did. */
export function verdicts(r: RunReport): { level: Level; text: string }[] {
  const out: { level: Level; text: string }[] = [];
  const i = r.integrity, m = r.modelled, h = r.highOrder;
  if (i.corrupt > 0) out.push({ level: "bad", text: `CORRUPT ${i.corrupt} pages` });
  if (i.writesLostSilently > 0) out.push({ level: "bad", text: `lost silently ${i.writesLostSilently} pages` });
  if (m.hangs > 0) out.push({ level: "bad", text: m.hangs > 1 ? `${m.hangs} writers hang` : "1 writer hangs" });
  const syncWaits = h.contigHangs + h.offline.hangs;
  if (syncWaits > 0) out.push({ level: "bad", text: syncWaits > 1 ? `${syncWaits} MIGRATE_SYNC waits never end` : "1 MIGRATE_SYNC wait never ends" });
  if (i.writesLost > 0) out.push({ level: "warn", text: `lost ${i.writesLost} pages to an abort (reported)` });
  if (m.oomKills.total > 0) out.push({ level: "warn", text: `${m.oomKills.total} OOM kill${m.oomKills.total > 1 ? "s" : ""}` });
  if (r.interrupted) out.push({ level: "warn", text: "interrupted" });
  return out.length > 0 ? out : [{ level: "ok", text: "ok" }];
}

const EIGHTHS = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];

/** `value` of `max` as a bar `width` cells wide, in eighths of a cell. */
export function bar(value: number, max: number, width: number): string {
  const eighths = max > 0 ? Math.round((Math.max(0, value) / max) * width * 8) : 0;
  return "█".repeat(Math.floor(eighths / 8)) + EIGHTHS[eighths % 8]!;
}

export function formatGlance(reports: readonly RunReport[], opts: { colour: boolean; width?: number }): string {
  if (reports.length === 0) return "";
  const paint = (code: string, text: string): string => (opts.colour ? `\x1b[${code}m${text}\x1b[0m` : text);
  const width = opts.width ?? 30;
  const max = Math.max(...reports.map((r) => r.modelled.throughputMiBps));
  const showServer = new Set(reports.map((r) => r.server)).size > 1;
  const label = (r: RunReport): string => (showServer ? `${r.policy}  ${r.server}` : r.policy);
  const labelWidth = Math.max(...reports.map((r) => label(r).length));
  const mibWidth = Math.max(5, ...reports.map((r) => r.modelled.throughputMiBps.toFixed(0).length));
  const lines = [paint(SGR.dim, `${"".padEnd(labelWidth)}  ${"MiB/s".padStart(mibWidth)}  ${"".padEnd(width)}  verdict`)];
  for (const r of reports) {
    const b = bar(r.modelled.throughputMiBps, max, width);
    const v = verdicts(r).map((x) => paint(SGR[x.level], x.text)).join(", ");
    lines.push(`${label(r).padEnd(labelWidth)}  ${r.modelled.throughputMiBps.toFixed(0).padStart(mibWidth)}  ${paint(SGR.bar, b)}${" ".repeat(width - [...b].length)}  ${v}`);
  }
  return lines.join("\n") + "\n";
}

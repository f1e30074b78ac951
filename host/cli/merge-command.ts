// `fusewb merge <shard outputs...>`: the JSON lines of every shard of a sweep, as one stream in index order
// (byte for byte what the unsharded sweep prints), or --table.
import type { Command } from "./command.js";
import { InputError } from "../util/input-error.js";
import { readInputFile, writeOutputFile, checkOutputPath } from "../util/files.js";
import { mergeShards } from "../sweep/merge.js";
import { formatSweepTable } from "../sweep/table.js";
import { sweepPlotSvg } from "../sweep/plot.js";
import { lineFailed } from "../sweep/run-job.js";

function readShard(path: string): { source: string; text: string } {
  return { source: path === "-" ? "stdin" : path, text: readInputFile(path, "shard") };
}

export const mergeCommand: Command = {
  name: "merge",
  usage: "merge <shard.jsonl|->... [--table] [--out file] [--plot file.svg]",
  summary: "combine the JSON lines of sweep shards into one stream sorted by index (an error if a run is missing or twice)",
  options: {
    table: { type: "boolean", help: "print a table of the key metrics instead of JSON lines" },
    out: { type: "string", help: "write the merged JSON lines to this file" },
    plot: { type: "string", help: "write an SVG chart of MiB/s against the first varied field (numeric), a line per other combination" },
    json: { type: "boolean", help: "print JSON lines (the default)" },
  },
  run(args, values) {
    if (args.length === 0) throw new InputError("merge: give the shard outputs to merge (files, or - for standard input)");
    if (values.json && values.table) throw new InputError("merge: --json and --table exclude each other");
    if (values.out !== undefined) checkOutputPath("--out", values.out as string);
    if (values.plot !== undefined) checkOutputPath("--plot", values.plot as string);
    const merged = mergeShards(args.map(readShard));
    const text = merged.lines.map((l) => l + "\n").join("");
    if (values.out !== undefined) writeOutputFile("--out", values.out as string, text);
    if (values.table) process.stdout.write(formatSweepTable(merged.parsed));
    else if (values.out === undefined && values.plot === undefined) process.stdout.write(text);
    if (values.plot !== undefined) writeOutputFile("--plot", values.plot as string, sweepPlotSvg(merged.parsed));
    return merged.parsed.some(lineFailed) ? 1 : 0;
  },
};

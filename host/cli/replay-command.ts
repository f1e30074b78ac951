// `fusewb replay <trace>`: apply an allocation trace from boot, print /proc/pagetypeinfo and /proc/buddyinfo.
import { parseTrace } from "../replay/trace.js";
import { replayTrace } from "../replay/replay.js";
import { replayJson, replayText } from "../replay/report.js";
import { WasmAllocator } from "../core/wasm-allocator.js";
import { coreModuleSync } from "../core/load-node.js";
import { InputError } from "../util/input-error.js";
import { readInputFile } from "../util/files.js";
import type { Command } from "./command.js";


export const replayCommand: Command = {
  name: "replay",
  usage: "replay <trace|-> [--json]",
  summary: "apply an alloc/free trace from boot; print /proc/pagetypeinfo then /proc/buddyinfo",
  options: {
    json: { type: "boolean", help: "print JSON: pagetypeinfo.{blocks,mixed,free}, buddyinfo.<Zone>, failed, zones" },
  },
  run(args, values) {
    if (args.length !== 1) throw new InputError("replay: give exactly one trace file (or - for standard input)");
    const trace = parseTrace(readInputFile(args[0]!, "trace"));
    const model = new WasmAllocator(trace.machine, coreModuleSync());
    const { failed } = replayTrace(trace, model);
    const broken = model.checkInvariants();
    if (broken) {
      process.stderr.write(`fusewb: ${broken}\n`);
      return 1;
    }
    const zones = model.zones();
    process.stdout.write(values.json ? JSON.stringify(replayJson(zones, failed), null, 2) + "\n" : replayText(zones, failed));
    return 0;
  },
};

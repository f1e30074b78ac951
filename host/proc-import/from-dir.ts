// `--from-proc <dir>`: read buddyinfo and pagetypeinfo from a directory (a copy of /proc, or /proc itself).
import { join } from "node:path";
import { InputError } from "../util/input-error.js";
import { readInputFile } from "../util/files.js";
import type { MachineConfig } from "../core/machine-config.js";
import { parseProcSnapshot } from "./parse.js";
import { machineFromSnapshot, type ProcMachine } from "./machine.js";

function readProcFile(dir: string, name: string): string {
  try {
    return readInputFile(join(dir, name), "proc");
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const hint = message.endsWith("EACCES") ? " (/proc/pagetypeinfo is readable by root only: copy it with sudo)" : "";
    throw new InputError(`--from-proc: ${message}${hint}`);
  }
}

/** The machine and census of a real machine's memory, from `<dir>/buddyinfo` and `<dir>/pagetypeinfo`. */
export function machineFromProc(dir: string, base: Partial<Pick<MachineConfig, "fallback" | "mobilityGrouping" | "pcp" | "thp">> = {}): ProcMachine {
  const snap = parseProcSnapshot(readProcFile(dir, "buddyinfo"), readProcFile(dir, "pagetypeinfo"), dir);
  return machineFromSnapshot(snap, base, dir);
}

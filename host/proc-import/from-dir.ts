// `--from-proc <dir>`: read buddyinfo and pagetypeinfo from a directory (a copy of /proc, or /proc itself).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { InputError } from "../util/input-error.js";
import type { MachineConfig } from "../core/machine-config.js";
import { parseProcSnapshot } from "./parse.js";
import { machineFromSnapshot, type ProcMachine } from "./machine.js";

function readProcFile(dir: string, name: string): string {
  try {
    return readFileSync(join(dir, name), "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    const hint = code === "EACCES" ? " (/proc/pagetypeinfo is readable by root only: copy it with sudo)" : "";
    throw new InputError(`--from-proc: cannot read ${join(dir, name)}: ${code}${hint}`);
  }
}

/** The machine and census of a real machine's memory, from `<dir>/buddyinfo` and `<dir>/pagetypeinfo`. */
export function machineFromProc(dir: string, base: Partial<Pick<MachineConfig, "fallback" | "mobilityGrouping" | "pcp" | "thp">> = {}): ProcMachine {
  const snap = parseProcSnapshot(readProcFile(dir, "buddyinfo"), readProcFile(dir, "pagetypeinfo"), dir);
  return machineFromSnapshot(snap, base, dir);
}

// Instantiates the WASM core from a compiled module. No Node-only import here: browsers use this too.

import { CORE_EXPORT_NAMES, type CoreExports, type DebugCoreExports } from "../gen/core-exports.js";

/** The core's exports (assembly/index.ts), typed from the core's declarations (host/gen/core-exports.ts). */
export type { CoreExports, DebugCoreExports };

/** Exports that return an address in linear memory. WASM gives them as i32, which JS reads signed: above 2 GiB
 *  (arrays made after the struct pages of a machine over ~680 GiB) they would be negative, so they are read unsigned. */
const POINTER_EXPORTS = [
  "pageblock_types_ptr", "batch_buffer", "batch_results_ptr", "zone_view_ptr", "samples_ptr", "integrity_ptr",
  "cfg_ptr", "jobs_ptr", "cost_ptr", "workloads_ptr", "stats_ptr", "pageblock_map_fill", "bdi_stats_fill",
  "slab_stats_fill", "census_ptr",
] as const;

/** An AssemblyScript string: UTF-16LE, its byte length in the word before it. */
function readAsString(memory: WebAssembly.Memory, ptr: number): string {
  if (ptr === 0) return "";
  const bytes = new Uint32Array(memory.buffer, ptr - 4, 1)[0] ?? 0;
  return String.fromCharCode(...new Uint16Array(memory.buffer, ptr, bytes >>> 1));
}

/** A new instance of the core: one per emulated machine (the core keeps its state in module globals). */
export function instantiateCore(module: WebAssembly.Module): CoreExports {
  let memory: WebAssembly.Memory | undefined;
  const imports = {
    env: {
      abort(msg: number, file: number, line: number, col: number): never {
        const where = memory ? `${readAsString(memory, msg)} in ${readAsString(memory, file)}` : "abort";
        throw new Error(`WASM core aborted: ${where}:${line}:${col}`);
      },
    },
  };
  const instance = new WebAssembly.Instance(module, imports);
  const core = instance.exports;
  if (!isCore(core)) {
    const missing = CORE_EXPORT_NAMES.find((name) => !(name in core));
    throw new Error(`WASM core is missing export ${missing}: rebuild with npm run build:wasm`);
  }
  // pointer-returning exports read unsigned (POINTER_EXPORTS); the rest as the instance gives them
  const unsigned: WebAssembly.Exports & CoreExports = { ...core };
  for (const name of POINTER_EXPORTS) {
    const f = core[name] as (...a: number[]) => number;
    (unsigned as Record<string, unknown>)[name] = (...args: number[]): number => f(...args) >>> 0;
  }
  memory = unsigned.memory;
  return unsigned;
}

/** The instance exports everything CoreExports names (the build generated both from the same core). */
function isCore(e: WebAssembly.Exports): e is WebAssembly.Exports & CoreExports {
  return CORE_EXPORT_NAMES.every((name) => name in e);
}

/** The core as the debug build (build/debug.wasm) exports it: the test hooks too. */
export function debugCore(core: CoreExports): DebugCoreExports {
  if (!isDebugCore(core)) throw new Error(`this needs the debug core (build/debug.wasm): coreModuleSync("debug")`);
  return core;
}
function isDebugCore(core: CoreExports): core is CoreExports & DebugCoreExports {
  return "harness_init" in core && "debug_plant_fault" in core;
}

// Instantiates the WASM core from a compiled module. No Node-only import here: browsers use this too.

/** The core's exports (assembly/index.ts). Every value is a number; pointers index `memory`. */
export interface CoreExports {
  memory: WebAssembly.Memory;
  mm_init(dma32: number, normal: number, movable: number, cma: number, flags: number): void;
  mm_nr_pages(): number;
  mm_bytes_per_page(): number;
  pageblock_types_ptr(): number;
  batch_buffer(n: number): number;
  batch_apply(n: number): number;
  batch_results_ptr(): number;
  check_invariants(): number;
  invariant_pfn(): number;
  fill_zone_view(zone: number): void;
  zone_view_ptr(): number;
  state_digest(): number;
  free_list_walk(zone: number, order: number, mt: number, dst: number, max: number): number;
  pcp_list_walk(zone: number, pindex: number, dst: number, max: number): number;
  drain_all_pages(): void;
}

const required: readonly (keyof CoreExports)[] = [
  "memory", "mm_init", "mm_nr_pages", "mm_bytes_per_page", "pageblock_types_ptr", "batch_buffer", "batch_apply", "batch_results_ptr",
  "check_invariants", "invariant_pfn", "fill_zone_view", "zone_view_ptr", "state_digest", "free_list_walk",
  "pcp_list_walk", "drain_all_pages",
];

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
  const exports = instance.exports as Record<string, unknown>;
  for (const name of required) {
    if (!(name in exports)) throw new Error(`WASM core is missing export ${name}: rebuild with npm run build:wasm`);
  }
  const unsigned: Record<string, unknown> = { ...exports };
  for (const name of POINTER_EXPORTS) {
    const f = exports[name];
    if (typeof f === "function") unsigned[name] = (...args: number[]): number => (f as (...a: number[]) => number)(...args) >>> 0;
  }
  const core = unsigned as unknown as CoreExports;
  memory = core.memory;
  return core;
}

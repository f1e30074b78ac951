// A second binaryen pass over build/release.wasm (run by `npm run build:wasm` after asc): asc optimizes with
// binaryen's flexible inlining limit at 70, so the small per-folio and per-page steps of the writeback paths
// (folio_start_writeback_block(), folio_end_writeback_block(), the request's and the stats' setters, ...) stay calls;
// in V8's wasm code each call costs a frame, a stack check and the spill of every live value. Re-optimizing with
// the limit at 300 (and loops allowed, as asc allows them) inlines them: the default job's event loop, measured in a
// process that has run it before, takes 3 % less time copy-free and 5 % less legacy (134 -> 130 ms, 183 -> 175 ms).
// The limit for a function with one caller stays asc's 200: binaryen's default (none) inlines every event handler
// into sim_run(), which gained 7 % in a warm process but lost 20 % in the first run of a process (a CLI run): a run
// is one sim_run() call, V8 swaps in a function's optimized code only at its next call, so sim_run()'s inlined
// handlers ran in the baseline tier all run long (and a handler kept out of line became one 18 KB function that
// took long to optimize). With 200 the first run costs what it did. Inlining changes no result: the reports are
// byte-identical. The features are the ones asc enables by default.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
const wasmOpt = fileURLToPath(new URL("../node_modules/binaryen/bin/wasm-opt", import.meta.url));
execFileSync(process.execPath, [
  wasmOpt, "build/release.wasm",
  "--enable-bulk-memory", "--enable-sign-ext", "--enable-mutable-globals", "--enable-nontrapping-float-to-int",
  "-O3", "--inline-functions-with-loops", "--flexible-inline-max-function-size", "300",
  "--one-caller-inline-max-function-size", "200", // asc's own limit: see above
  "--input-source-map", "build/release.wasm.map", "--output-source-map", "build/release.wasm.map",
  "--output-source-map-url", "./release.wasm.map", // as asc wrote it
  "-o", "build/release.wasm",
], { cwd: root, stdio: "inherit" });

// Node-side loading of the compiled core from build/ (the browser fetches the same file).
import { readFile } from "node:fs/promises";
import { readFileSync } from "node:fs";

export type CoreTarget = "release" | "debug";

function wasmUrl(target: CoreTarget): URL {
  // host/core/ and dist/core/ are both two levels below the package root
  return new URL(`../../build/${target}.wasm`, import.meta.url);
}

const cache = new Map<CoreTarget, WebAssembly.Module>();

/** The compiled core module, compiled once per process and target. */
export function coreModuleSync(target: CoreTarget = "release"): WebAssembly.Module {
  let m = cache.get(target);
  if (!m) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(wasmUrl(target));
    } catch {
      throw new Error(`build/${target}.wasm not found: run npm run build:wasm (npm ci does it)`);
    }
    m = new WebAssembly.Module(new Uint8Array(bytes));
    cache.set(target, m);
  }
  return m;
}

export async function coreModule(target: CoreTarget = "release"): Promise<WebAssembly.Module> {
  const cached = cache.get(target);
  if (cached) return cached;
  const m = await WebAssembly.compile(new Uint8Array(await readFile(wasmUrl(target))));
  cache.set(target, m);
  return m;
}

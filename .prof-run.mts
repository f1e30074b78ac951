import { readFileSync } from "node:fs";
import { resolveScenario } from "./host/scenario/resolve.js";
import { runScenario } from "./host/sim/run-scenario.js";
const policy = process.argv[2] ?? "nocopy";
const raw = JSON.parse(readFileSync("/work/main/scenarios/default.json", "utf8"));
const module = new WebAssembly.Module(readFileSync(process.env.WASM ?? "/tmp/prof/release.wasm"));
for (let i = 0; i < 6; i++) {
  const r = runScenario(resolveScenario({ ...raw, policy }, "p"), { module, timing: true });
  console.log(policy, r.emulator!.loopMs, r.emulator!.wallMs);
}

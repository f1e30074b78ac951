// The embedding API (host/index.ts, "fusewb"; host/node.ts, "fusewb/node"): an emulator stepped from outside
// gives the same report as `fusewb run`, and the default entry imports nothing a browser cannot load.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createEmulator, formatBuddyinfo, machineFromProcText, InputError } from "../host/index.js";
import { loadCoreModule, machineFromProc } from "../host/node.js";
import { resolveScenario } from "../host/scenario/resolve.js";
import { runScenario } from "../host/sim/run-scenario.js";

const scenario = {
  name: "tiny",
  machine: { memory: "256M" },
  fuse: { max_pages: 32, max_write: "128k", writeback_cache: true },
  policy: "nocopy",
  server: { name: "s", threads: 2, per_request: { dist: "fixed", mean: "5us" } },
  workloads: [{ type: "fio", rw: "write", bs: "64k", size: "8M", numjobs: 1 }],
  run: { duration: "0", seed: 11 },
};

test("step() to the end gives the report runScenario() gives, byte for byte", async () => {
  const module = await loadCoreModule();
  const emu = await createEmulator(scenario, { module });
  let steps = 0, last = 0;
  for (;;) {
    const s = emu.step(50);
    assert.ok(s.events <= 50 && s.virtualNs >= last, "at most maxEvents, time never goes back");
    last = s.virtualNs;
    steps++;
    if (s.done) break;
  }
  assert.ok(steps > 3, `${steps} steps`); // the run has a few hundred events
  assert.equal(emu.step(50), { done: true, virtualNs: last, events: 0 }); // a finished run stays finished
  const direct = runScenario(resolveScenario(scenario, "scenario"), { module, timing: false });
  assert.is(JSON.stringify(emu.report()), JSON.stringify(direct));
  assert.is(emu.counters().bytes_written, 8 * 2 ** 20);
});

test("views: zones, /proc text and JSON, counters, mid-run", async () => {
  const emu = await createEmulator(resolveScenario(scenario, "scenario"), { module: await loadCoreModule(), policy: "legacy-copy" });
  assert.is(emu.config.policy, "legacy-copy");
  emu.step(100);
  const views = emu.procViews();
  assert.is(views.buddyinfo, formatBuddyinfo(emu.zones()));
  assert.match(views.pagetypeinfo, /^Page block order: 9\n/);
  assert.match(views.vmstat, /^nr_free_pages \d+\n/);
  assert.is(views.json.vmstat.nr_free_pages, emu.zones().reduce((s, z) => s + z.nrFreePages, 0));
  assert.is(views.json.vmstat.nr_writeback_temp, emu.counters().nr_writeback_temp);
  assert.is(emu.checkInvariants(), null);
  const report = emu.runToCompletion();
  assert.ok(report.modelled.synced && report.integrity.corrupt === 0);
});

test("createEmulator: the compiled core comes from the caller; a bad scenario is one InputError line", async () => {
  try {
    await createEmulator(scenario);
    assert.unreachable("no module in Node");
  } catch (e) {
    assert.match((e as Error).message, /pass \{ module \} \(in Node: import \{ loadCoreModule \} from "fusewb\/node"\)/);
  }
  const bytes = readFileSync(new URL("../build/release.wasm", import.meta.url));
  assert.ok((await createEmulator(scenario, { wasm: bytes })).step(10).events > 0);
  try {
    await createEmulator({ ...scenario, fuse: { max_pages: "many" } }, { module: await loadCoreModule() });
    assert.unreachable("bad scenario");
  } catch (e) {
    // by name: under tsx's CommonJS mode the lazily imported scenario parser may hold its own copy of the class
    assert.is((e as Error).name, InputError.name);
    assert.match((e as Error).message, /^scenario: fuse\.max_pages: /);
  }
});

test("fromProc: the run starts from a real machine's memory", async () => {
  const corpus = new URL("./corpus/proc/small/", import.meta.url);
  const pm = machineFromProcText(readFileSync(new URL("buddyinfo", corpus), "utf8"), readFileSync(new URL("pagetypeinfo", corpus), "utf8"));
  assert.equal(machineFromProc(fileURLToPath(corpus)).census, pm.census);
  const emu = await createEmulator(scenario, { module: await loadCoreModule(), fromProc: pm });
  const zones = emu.zones();
  assert.equal(zones.map((z) => z.managedPages), [pm.machine.dma32Pages, pm.machine.normalPages, pm.machine.movablePages]);
  for (const c of pm.census) assert.equal(zones.find((z) => z.startPfn === [0, pm.machine.dma32Pages, pm.machine.dma32Pages + pm.machine.normalPages][c.zone])!.freeCount, c.free);
  emu.step(1000);
  assert.is(emu.checkInvariants(), null);
});

test("host/index.ts imports nothing Node-only and no bare module statically (browsers load it as is)", () => {
  const seen = new Set<string>();
  const bare: string[] = [];
  const walk = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/^(import|export)\s(?!type\b)[^;]*?\sfrom\s+"([^"]+)"/gms)) {
      const spec = m[2]!;
      if (spec.startsWith(".")) walk(resolve(dirname(file), spec.replace(/\.js$/, ".ts")));
      else bare.push(`${file}: ${spec}`);
    }
  };
  const index = fileURLToPath(new URL("../host/index.ts", import.meta.url));
  walk(index);
  assert.ok(seen.size > 10, `${seen.size} files`);
  assert.equal(bare, []);
});

test.run();

// --from-proc: a real machine's /proc/buddyinfo and /proc/pagetypeinfo → an emulated machine whose views show
// the same numbers. The expected numbers are read from the input text here with a plain split, independently
// of host/proc-import/parse.ts; ZONE_DMA is folded into DMA32, so DMA32's expected counts are the sums.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync, mkdtempSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { machineFromProc } from "../host/proc-import/from-dir.js";
import { machineFromProcText } from "../host/proc-import/machine.js";
import { parseProcSnapshot } from "../host/proc-import/parse.js";
import { wasmAllocatorFromCensus } from "../host/core/from-census.js";
import { WasmAllocator } from "../host/core/wasm-allocator.js";
import { coreModuleSync } from "../host/core/load-node.js";
import { formatBuddyinfo } from "../host/proc/index.js";
import { GFP_HIGHUSER_MOVABLE, GFP_KERNEL, MIGRATE_TYPES, OP_ALLOC, OP_FREE, migratetype_names, pageblock_order } from "../host/core/constants.js";
import { throwsInput } from "./helpers/throws-input.js";
import { cli } from "./helpers/cli.js";
import { tinyScenario } from "./helpers/tiny-scenario.js";
import { tmpdir } from "node:os";
import { join } from "node:path";

const CORPUS = new URL("./corpus/proc/", import.meta.url);
const dir = (name: string): string => new URL(`${name}/`, CORPUS).pathname;
const read = (name: string, file: string): string => readFileSync(new URL(`${name}/${file}`, CORPUS), "utf8");

/** zone → type → per-order free counts, and zone → type → blocks, straight from the text; DMA summed into DMA32. */
function expected(name: string): { free: Map<string, Map<string, number[]>>; blocks: Map<string, Map<string, number>> } {
  const fold = (zone: string): string => (zone === "DMA" ? "DMA32" : zone);
  const free = new Map<string, Map<string, number[]>>();
  const blocks = new Map<string, Map<string, number>>();
  const header = read(name, "pagetypeinfo").split("\n").find((l) => l.startsWith("Number of blocks type"))!;
  const blockTypes = header.replace("Number of blocks type", "").trim().split(/\s+/);
  let inBlocks = false;
  for (const line of read(name, "pagetypeinfo").split("\n")) {
    if (line.startsWith("Number of blocks type")) { inBlocks = true; continue; }
    if (line.startsWith("Number of mixed")) inBlocks = false;
    const words = line.replace(/,/g, " ").trim().split(/\s+/);
    if (words[0] !== "Node") continue;
    const zone = fold(words[3]!);
    if (words[4] === "type") {
      const row = free.get(zone) ?? new Map<string, number[]>();
      const old = row.get(words[5]!) ?? new Array<number>(11).fill(0);
      row.set(words[5]!, words.slice(6).map((w, o) => Number(w) + old[o]!));
      free.set(zone, row);
    } else if (inBlocks) {
      const row = blocks.get(zone) ?? new Map<string, number>();
      words.slice(4).forEach((w, k) => row.set(blockTypes[k]!, (row.get(blockTypes[k]!) ?? 0) + Number(w)));
      blocks.set(zone, row);
    }
  }
  return { free, blocks };
}

/** Free lists of one model as pfn → "order mt", to look for pairs that __free_one_page() would have merged. */
function unmergedBuddies(model: WasmAllocator): string | null {
  const buddies = new Map<number, { order: number; mt: number }>();
  for (const line of model.freeLists()) {
    const [head, pfns] = line.split(": ");
    const [, order, mt] = head!.split(" ").map(Number);
    for (const p of pfns!.split(" ")) buddies.set(Number(p), { order: order!, mt: mt! });
  }
  const types = model.pageblockTypes();
  const mergeable = (mt: number): boolean => mt < 3;
  for (const [pfn, b] of buddies) {
    if (b.order >= 10) continue;
    const other = buddies.get(pfn ^ (1 << b.order));
    if (!other || other.order !== b.order) continue;
    if (b.order >= pageblock_order) {
      const mt = types[pfn >> pageblock_order]!, bmt = types[(pfn ^ (1 << b.order)) >> pageblock_order]!;
      if (mt !== bmt && (!mergeable(mt) || !mergeable(bmt))) continue; // __free_one_page() keeps these apart
    }
    return `free buddies at ${pfn} and ${pfn ^ (1 << b.order)} (order ${b.order}) would have merged`;
  }
  return null;
}

for (const name of ["this-machine", "small"]) {
  test(`${name}: the rebuilt machine shows the snapshot's free counts per (type, order) and its block census`, () => {
    const pm = machineFromProc(dir(name));
    const model = wasmAllocatorFromCensus(pm.machine, pm.census, coreModuleSync("debug"));
    assert.is(model.checkInvariants(), null);
    assert.is(unmergedBuddies(model), null);
    const want = expected(name);
    const zones = model.zones();
    assert.equal(zones.map((z) => z.name), [...want.blocks.keys()]);
    for (const z of zones) {
      for (let mt = 0; mt < MIGRATE_TYPES; mt++) {
        const type = migratetype_names[mt]!;
        // a type the kernel did not print (no CMA column without CONFIG_CMA) holds nothing
        assert.equal(z.freeCount[mt], want.free.get(z.name)!.get(type) ?? new Array<number>(11).fill(0), `${z.name} ${type} free`);
        assert.is(z.blocks[mt], want.blocks.get(z.name)!.get(type) ?? 0, `${z.name} ${type} blocks`);
      }
      // each zone is exactly its census's pageblocks
      assert.is(z.managedPages, [...want.blocks.get(z.name)!.values()].reduce((s, n) => s + n, 0) * 512);
    }
    // buddyinfo lines of the zones that are not folded come out character for character
    const input = read(name, "buddyinfo").split("\n").filter((l) => l && !/zone\s+DMA(32)? /.test(l));
    const output = formatBuddyinfo(zones).split("\n").filter((l) => l && !/zone\s+DMA32 /.test(l));
    assert.equal(output, input);
  });
}

test("this-machine: DMA is folded into DMA32, and the note says so", () => {
  const pm = machineFromProc(dir("this-machine"));
  assert.ok(pm.notes.some((n) => /zone DMA \(\d+ pageblocks?\) is folded into DMA32/.test(n)));
  const want = expected("this-machine");
  const pages = (zone: string): number => [...(want.blocks.get(zone)?.values() ?? [])].reduce((s, n) => s + n, 0) * 512;
  assert.equal([pm.machine.dma32Pages, pm.machine.normalPages, pm.machine.movablePages], [pages("DMA32"), pages("Normal"), pages("Movable")]);
});

test("small: CMA at the end of Normal, HIGHATOMIC reserve accounted, and the rebuilt machine allocates and frees", () => {
  const pm = machineFromProc(dir("small"));
  assert.is(pm.machine.cmaPages, 2 * 512); // the Normal zone's 2 CMA blocks
  const model = wasmAllocatorFromCensus(pm.machine, pm.census, coreModuleSync("debug"));
  const normal = model.zones().find((z) => z.name === "Normal")!;
  assert.is(normal.nrReservedHighatomic, 512); // one HighAtomic block
  const types = model.pageblockTypes();
  const normalBlocks = Array.from(types.subarray(normal.startPfn >> 9, (normal.startPfn + normal.managedPages) >> 9));
  assert.equal(normalBlocks.slice(-2), [4, 4]); // the CMA area is the zone's last blocks
  // a few hundred allocations and frees on the rebuilt state keep every invariant
  const ops: number[] = [];
  for (let i = 0; i < 200; i++) ops.push(OP_ALLOC, i % 3 === 0 ? GFP_KERNEL : GFP_HIGHUSER_MOVABLE, i % 4);
  const pfns = model.apply(Int32Array.from(ops));
  const frees: number[] = [];
  pfns.forEach((pfn, i) => { if (pfn >= 0) frees.push(OP_FREE, pfn, i % 4); });
  assert.ok(frees.length > 0);
  assert.ok(Array.from(model.apply(Int32Array.from(frees))).every((r) => r === 0));
  assert.is(model.checkInvariants(), null);
});


const smallBuddy = read("small", "buddyinfo");
const smallPti = read("small", "pagetypeinfo");

test("bad snapshots: one line each", () => {
  throwsInput(() => machineFromProcText(smallBuddy + "Node 1, zone   Normal      0 0 0 0 0 0 0 0 0 0 0\n", smallPti), /line 5: node 1 is not allowed; fusewb emulates one NUMA node/);
  throwsInput(() => machineFromProcText(smallBuddy.replace("Movable", "HighMem"), smallPti), /zone "HighMem" is not allowed; allowed: DMA, DMA32, Normal, Movable/);
  throwsInput(() => machineFromProcText(smallBuddy, smallPti.replace("Page block order: 9", "Page block order: 13")), /page block order 13 is not allowed/);
  throwsInput(() => machineFromProcText(smallBuddy, smallPti.replace("type  Reclaimable", "type      Reserve")), /migratetype "Reserve" is not allowed/);
  throwsInput(() => machineFromProcText(smallBuddy, "Page block order: 9\n"), /no "Number of blocks type" table/);
});

test("a census the blocks cannot host: order-10 buddies need aligned pairs of their type's blocks", () => {
  // Normal has 1 Reclaimable block: it cannot hold an order-10 buddy (two blocks)
  const pti = smallPti.replace(/(zone\s+Normal, type\s+Reclaimable(?:\s+\d+){10})\s+0 /, "$1      1 ");
  assert.ok(pti !== smallPti);
  throwsInput(() => {
    const pm = machineFromProcText(smallBuddy, pti);
    wasmAllocatorFromCensus(pm.machine, pm.census, coreModuleSync("release"));
  }, /^census: zone Normal: 1 free Reclaimable buddies of order 10 need as many aligned pairs of Reclaimable pageblocks/);
  // 300 order-0 Isolate buddies need 300 allocated siblings: more than one block of 512 pages holds
  const crowded = smallPti.replace(/(zone\s+Normal, type\s+Isolate)\s+2 /, "$1    300 ");
  throwsInput(() => {
    const pm = machineFromProcText(smallBuddy, crowded);
    wasmAllocatorFromCensus(pm.machine, pm.census, coreModuleSync("release"));
  }, /^census: zone Normal: 300 free Isolate buddies of order 0 do not fit in its 1 Isolate pageblocks/);
});

test("a free list past pagetypeinfo's 100000 walk cap takes buddyinfo's total less the other types", () => {
  const buddy = smallBuddy.replace(/(zone\s+Normal)\s+12 /, "$1 100012 ");
  const pti = smallPti.replace(/(zone\s+Normal, type\s+Movable)\s+5 /, "$1 >100000 ");
  const snap = parseProcSnapshot(buddy, pti);
  const normal = snap.zones.find((z) => z.name === "Normal")!;
  // buddyinfo's 100012 order-0 buddies less the other types' 0 + 3 + 1 + 1 + 2 = 7
  assert.is(normal.free[1]![0], 100005);
  assert.ok(snap.notes.some((n) => /Movable order 0 was ">100000"; 100005 from buddyinfo's total/.test(n)));
});

test("run --from-proc --html: the captured run boots from the census as the plain run does, and writes the report", async () => {
  const tmp = mkdtempSync(join(tmpdir(), "fusewb-proc-html-"));
  try {
    // 4 MiB fits the small snapshot's free memory (a few thousand free pages)
    const scenario = { ...tinyScenario(1), policies: undefined, workloads: [{ type: "fio", rw: "write", bs: "64k", size: "4M", numjobs: 1 }] };
    const file = join(tmp, "s.json"), html = join(tmp, "r.html");
    writeFileSync(file, JSON.stringify(scenario));
    const plain = await cli(["run", file, "--from-proc", dir("small"), "--json", "--no-timing"]);
    const captured = await cli(["run", file, "--from-proc", dir("small"), "--json", "--no-timing", "--html", html]);
    const fresh = await cli(["run", file, "--json", "--no-timing"]);
    assert.is(plain.code, 0, plain.stderr);
    assert.is(captured.code, 0, captured.stderr);
    assert.ok(existsSync(html), "the HTML report was written");
    // the same run: the capture only looks between batches, and --json drops its samples without --samples
    assert.is(captured.stdout, plain.stdout);
    // and not the fresh boot of the scenario's own 256 MiB machine
    assert.is.not(fresh.stdout, plain.stdout);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test.run();

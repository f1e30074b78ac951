// Differential test of the multi-gen LRU (assembly/fs/lru.ts, lru_gen.ts, lru_gen_reclaim.ts) against the plain
// reference (host/reference/mglru.ts) on random sequences of writes (each page at once under writeback), server
// answers and direct reclaims: after every step the sequence numbers, every generation's folios in list order, and
// the reclaim counters agree. Seeded (fast-check), so every run checks the same sequences.
import { test } from "uvu";
import * as assert from "uvu/assert";
import fc from "fast-check";
import { mmHarness, NONE } from "./helpers/harness.js";
import { GFP_KERNEL } from "../host/core/constants.js";
import { MglruRef } from "../host/reference/mglru.js";

const NORMAL = 1, DMA32 = 0;
const FILE_PAGES = 1024;
type Op = { kind: "write"; n: number } | { kind: "answer" } | { kind: "reclaim" };
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 96 }).map((n): Op => ({ kind: "write", n })) },
  { weight: 2, arbitrary: fc.constant<Op>({ kind: "answer" }) },
  { weight: 3, arbitrary: fc.constant<Op>({ kind: "reclaim" }) },
);

function runOps(ops: Op[]): void {
  const t = mmHarness({ memory: "64M", thp: false, pcp: false, lru: "mglru" }, {}, "nocopy", `${FILE_PAGES * 4}k`);
  const ref = new MglruRef();
  let next = 0;
  const wasmLists = (): number[][] => {
    const out: number[][] = [];
    for (let seq = t.h.harness_lru_gen_seq(1); seq <= t.h.harness_lru_gen_seq(0); seq++) {
      const l: number[] = [];
      for (let k = 0; ; k++) {
        const id = t.h.harness_lru_gen_entry(seq % 4, NORMAL, k) >>> 0;
        if (id === NONE) break;
        l.push(id);
      }
      assert.is(t.h.harness_lru_gen_entry(seq % 4, DMA32, 0) >>> 0, NONE, "every page-cache page is in Normal");
      out.push(l);
    }
    return out;
  };
  ops.forEach((op, step) => {
    const where = `step ${step} (${JSON.stringify(op)}) of ${JSON.stringify(ops)}`;
    if (op.kind === "write") {
      const n = Math.min(op.n, FILE_PAGES - next);
      for (let i = next; i < next + n; i++) { t.h.harness_do_write(0, i * 4096, 4096); ref.write(i); }
      next += n;
      for (let w = t.h.harness_writeback(0); w > 0; w = t.h.harness_writeback(0));
      assert.is(t.stat("nr_dirty"), 0, `${where}: every page written is under writeback`);
    } else if (op.kind === "answer") {
      for (let r = t.h.harness_server_read() >>> 0; r !== NONE; r = t.h.harness_server_read() >>> 0) t.h.harness_server_reply(r);
      ref.answerAll();
    } else {
      assert.is(t.mm.harness_try_to_free_pages(GFP_KERNEL, 0), ref.tryToFreePages(), `${where}: pages reclaimed`);
    }
    assert.equal([t.h.harness_lru_gen_seq(0), t.h.harness_lru_gen_seq(1)], [ref.maxSeq, ref.minSeq], `${where}: max_seq, min_seq`);
    assert.equal(wasmLists(), ref.lists(), `${where}: the generations, tail first`);
    const s = ref.stats;
    assert.equal(
      [t.stat("pgscan_direct"), t.stat("pgsteal_direct"), t.stat("pgactivate"), t.stat("pgrotated"), t.stat("allocstall_normal")],
      [s.pgscan_direct, s.pgsteal_direct, s.pgactivate, s.pgrotated, s.allocstall],
      `${where}: pgscan_direct, pgsteal_direct, pgactivate, pgrotated, allocstall_normal`,
    );
  });
  t.ok();
}

test("MGLRU: the core's generations and direct reclaim match the reference on random sequences", () => {
  fc.assert(fc.property(fc.array(opArb, { minLength: 1, maxLength: 40 }), (ops) => { runOps(ops); }), { seed: 20261206, numRuns: 60 });
});

test.run();

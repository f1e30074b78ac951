// The fi->writepages rb-tree (assembly/fuse/rbtree.ts) against a plain TS model of the ranges, with the
// red-black checker run after every operation, through the debug core's hooks (assembly/fuse/rbtree_exports.ts).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { coreModuleSync } from "../host/core/load-node.js";
import { debugCore, instantiateCore, type DebugCoreExports } from "../host/core/wasm.js";
import { Prng } from "../host/util/prng.js";
import { RB_COLOR, RB_ERR, RB_FIELD } from "../host/gen/contract.js";

const NONE = 0xffffffff;

// rb_check() codes, rb_poke() fields and node colors, as the core declares them (host/gen/contract.ts)
const ERR = RB_ERR, F = RB_FIELD, RED = RB_COLOR.RED, BLACK = RB_COLOR.BLACK;

let rb!: DebugCoreExports;

test.before(() => {
  // the debug core exports the tree's hooks (assembly/fuse/rbtree_exports.ts); a fresh instance per file
  rb = debugCore(instantiateCore(coreModuleSync("debug")));
});

// u32 results come back from WASM as signed i32
const find = (i: number, s: number, e: number) => rb.rbtree_find(i, s, e) >>> 0;
const insert = (i: number, s: number, e: number, v: number) => rb.rbtree_insert(i, s, e, v) >>> 0;
const erase = (i: number, s: number) => rb.rbtree_erase(i, s) !== 0;
const peek = (n: number, f: number) => rb.rbtree_peek(n, f) >>> 0;

function rootNode(inode: number): number {
  // any node, then up the parent links
  for (let s = 0; s < 1 << 16; s++) {
    let n = rb.rbtree_node_of(inode, s) >>> 0;
    if (n === NONE) continue;
    while (peek(n, F.PARENT) !== NONE) n = peek(n, F.PARENT);
    return n;
  }
  return NONE;
}

/** Inserts [10i, 10i+9] for i in order; returns the starts. */
function build(inode: number, order: number[]): number[] {
  for (const i of order) assert.is(insert(inode, 10 * i, 10 * i + 9, 100 + i), NONE);
  assert.is(rb.rbtree_check(inode), 0);
  return order.map((i) => 10 * i);
}

test("insert into an empty tree", () => {
  rb.rbtree_init(4, 1);
  assert.is(rb.rbtree_count(0), 0);
  assert.is(rb.rbtree_height(0), 0);
  assert.is(rb.rbtree_check(0), 0);
  assert.is(find(0, 0, 1000), NONE);
  assert.is(rb.rbtree_last_visits(), 0);
  assert.is(insert(0, 5, 8, 42), NONE);
  assert.is(rb.rbtree_last_visits(), 0);
  assert.is(rb.rbtree_count(0), 1);
  assert.is(rb.rbtree_total(), 1);
  assert.is(rb.rbtree_height(0), 1);
  assert.is(rb.rbtree_check(0), 0);
  const n = rootNode(0);
  assert.is(peek(n, F.COLOR), BLACK, "the root is black");
  assert.is(find(0, 5, 5), 42);
  assert.is(rb.rbtree_last_visits(), 1);
  // inodes beyond the initial capacity: empty, and the root array grows on insert
  assert.is(rb.rbtree_count(1000), 0);
  assert.is(find(1000, 0, 10), NONE);
  assert.not(erase(1000, 0));
  assert.is(insert(1000, 5, 8, 43), NONE);
  assert.is(find(1000, 6, 6), 43);
  assert.is(find(0, 5, 8), 42, "other inodes are untouched by the growth");
  assert.is(rb.rbtree_total(), 2);
});

test("an overlapping insert returns the value already present and inserts nothing", () => {
  rb.rbtree_init(16, 4);
  build(1, [3, 1, 5]); // [30,39] [10,19] [50,59]
  assert.is(insert(1, 35, 35, 7), 103, "inside");
  assert.is(insert(1, 25, 30, 7), 103, "touching the start");
  assert.is(insert(1, 39, 45, 7), 103, "touching the end");
  assert.is(insert(1, 0, 1000, 7), 103, "covering all: the root is met first");
  assert.is(insert(1, 15, 15, 7), 101);
  assert.is(insert(1, 59, 59, 7), 105);
  assert.is(rb.rbtree_count(1), 3);
  assert.is(rb.rbtree_total(), 3);
  assert.is(rb.rbtree_check(1), 0);
  // the gaps are free
  assert.is(insert(1, 20, 29, 7), NONE);
  assert.is(insert(1, 40, 49, 8), NONE);
  assert.is(rb.rbtree_count(1), 5);
  assert.is(rb.rbtree_check(1), 0);
});

test("find at range edges (end is inclusive)", () => {
  rb.rbtree_init(16, 4);
  build(2, [1, 3]); // [10,19] [30,39]
  assert.is(find(2, 9, 9), NONE);
  assert.is(find(2, 10, 10), 101);
  assert.is(find(2, 19, 19), 101);
  assert.is(find(2, 20, 20), NONE);
  assert.is(find(2, 20, 29), NONE);
  assert.is(find(2, 29, 29), NONE);
  assert.is(find(2, 29, 30), 103);
  assert.is(find(2, 39, 39), 103);
  assert.is(find(2, 40, 0xffffffff), NONE);
  assert.is(find(2, 0, 9), NONE);
  assert.is(find(2, 0, 10), 101);
  // the largest page index
  assert.is(insert(2, 0xfffffff0, 0xffffffff, 9), NONE);
  assert.is(find(2, 0xffffffff, 0xffffffff), 9);
  assert.is(find(2, 0xffffffef, 0xffffffef), NONE);
  assert.is(rb.rbtree_check(2), 0);
});

test("erase of the root with two children", () => {
  rb.rbtree_init(16, 4);
  build(3, [1, 0, 2]); // root [10,19], children [0,9] and [20,29]
  let r = rootNode(3);
  assert.is(peek(r, F.START), 10);
  assert.is.not(peek(r, F.LEFT), NONE);
  assert.is.not(peek(r, F.RIGHT), NONE);
  assert.ok(erase(3, 10));
  assert.is(rb.rbtree_last_visits(), 2, "the root, then the successor");
  assert.is(rb.rbtree_check(3), 0);
  assert.is(rb.rbtree_count(3), 2);
  assert.is(rb.rbtree_total(), 2);
  assert.is(find(3, 10, 19), NONE);
  assert.is(find(3, 5, 5), 100);
  assert.is(find(3, 25, 25), 102);
  r = rootNode(3);
  assert.is(peek(r, F.START), 20, "the successor took the root's place");
  assert.is(peek(r, F.COLOR), BLACK);
  // erase by a start that is inside a range but is not its start: nothing
  assert.not(erase(3, 5));
  assert.is(rb.rbtree_count(3), 2);
  // a bigger tree: erase the root until empty
  rb.rbtree_init(16, 4);
  const starts = build(3, Array.from({ length: 31 }, (_, i) => i));
  for (let k = starts.length; k > 0; k--) {
    r = rootNode(3);
    assert.ok(erase(3, peek(r, F.START)));
    assert.is(rb.rbtree_check(3), 0);
    assert.is(rb.rbtree_count(3), k - 1);
  }
  assert.is(rb.rbtree_height(3), 0);
  assert.is(rb.rbtree_total(), 0);
  // freed nodes are reused
  build(3, [0, 1, 2]);
  assert.is(rb.rbtree_total(), 3);
});

test("rb_check catches each kind of corruption", () => {
  const fresh = () => {
    rb.rbtree_init(16, 2);
    build(0, [0, 1, 2, 3, 4, 5, 6, 7]); // ascending: leaves red nodes on the right spine
    return (s: number) => rb.rbtree_node_of(0, s) >>> 0;
  };
  let node = fresh();
  const leaves: number[] = [];
  const reds: number[] = [];
  for (let i = 0; i < 8; i++) {
    const n = node(10 * i);
    if (peek(n, F.LEFT) === NONE && peek(n, F.RIGHT) === NONE) leaves.push(i);
    if (peek(n, F.COLOR) === RED) reds.push(i);
  }
  assert.ok(leaves.length > 1 && reds.length > 0);

  node = fresh();
  rb.rbtree_poke(node(0), F.START, 75); // leftmost leaf now sorts after the root
  rb.rbtree_poke(node(0), F.END, 75);
  assert.is(rb.rbtree_check(0), ERR.ORDER);

  node = fresh();
  rb.rbtree_poke(node(0), F.END, 10); // [0,10] meets [10,19]
  assert.is(rb.rbtree_check(0), ERR.OVERLAP);

  node = fresh();
  rb.rbtree_poke(node(30), F.END, 25);
  assert.is(rb.rbtree_check(0), ERR.RANGE);

  node = fresh();
  {
    // a red node under a red non-root parent
    const leaf = node(10 * leaves[leaves.length - 1]!);
    const p = peek(leaf, F.PARENT);
    assert.is.not(peek(p, F.PARENT), NONE);
    rb.rbtree_poke(leaf, F.COLOR, RED);
    rb.rbtree_poke(p, F.COLOR, RED);
    assert.is(rb.rbtree_check(0), ERR.RED_RED);
  }

  node = fresh();
  rb.rbtree_poke(node(10 * reds[0]!), F.COLOR, BLACK); // one more black on the paths through it
  assert.is(rb.rbtree_check(0), ERR.BLACK_HEIGHT);

  node = fresh();
  rb.rbtree_poke(node(10 * leaves[0]!), F.PARENT, NONE);
  assert.is(rb.rbtree_check(0), ERR.PARENT);

  fresh();
  rb.rbtree_poke(0, F.COUNT, 9);
  assert.is(rb.rbtree_check(0), ERR.COUNT);

  fresh();
  rb.rbtree_poke(rootNode(0), F.COLOR, RED);
  assert.is(rb.rbtree_check(0), ERR.RED_ROOT);

  node = fresh();
  rb.rbtree_poke(node(10 * leaves[0]!), F.LEFT, 9999); // beyond the pool
  assert.is(rb.rbtree_check(0), ERR.LINK);

  node = fresh();
  assert.ok(erase(0, 70));
  rb.rbtree_poke(node(10 * leaves[0]!), F.LEFT, rb.rbtree_total()); // the freed node
  assert.is(rb.rbtree_check(0), ERR.LINK);
});

interface Range { start: number; end: number; value: number }

test("50,000 random inserts, erases and finds over 8 inodes against a model", () => {
  const INODES = 8;
  const SPAN = 1 << 17; // page indices per file: room for about a thousand 1..256-page requests
  const rng = new Prng(0x5eed1234);
  rb.rbtree_init(16, 2); // small, so both pools grow during the run
  const model: Range[][] = Array.from({ length: INODES }, () => []);
  let value = 1;
  let maxCount = 0;
  let inserted = 0, refused = 0, erased = 0, missedErase = 0, hits = 0, misses = 0;
  const overlapping = (m: Range[], s: number, e: number) => m.filter((r) => r.start <= e && s <= r.end);

  for (let op = 0; op < 50_000; op++) {
    const inode = rng.below(INODES);
    const m = model[inode]!;
    const k = rng.below(100);
    const start = rng.below(SPAN);
    const end = start + rng.below(256); // 1..256 pages
    const heightBefore = rb.rbtree_height(inode);
    const ctx = `op ${op} inode ${inode}`;
    if (k < 50) {
      const v = value++;
      const got = insert(inode, start, end, v);
      const hit = overlapping(m, start, end);
      if (hit.length === 0) {
        assert.is(got, NONE, `${ctx}: insert [${start},${end}]`);
        m.push({ start, end, value: v });
        inserted++;
      } else {
        assert.ok(hit.some((r) => r.value === got), `${ctx}: insert returned ${got}, overlaps ${JSON.stringify(hit)}`);
        refused++;
      }
      assert.ok(rb.rbtree_last_visits() <= heightBefore, `${ctx}: insert visits`);
    } else if (k < 78) {
      // mostly a range in flight; sometimes a page that starts none
      const pick = m.length > 0 && rng.below(10) < 8 ? rng.below(m.length) : -1;
      const s = pick >= 0 ? m[pick]!.start : start;
      const idx = m.findIndex((r) => r.start === s);
      assert.is(erase(inode, s), idx >= 0, `${ctx}: erase ${s}`);
      if (idx >= 0) { m.splice(idx, 1); erased++; } else missedErase++;
      assert.ok(rb.rbtree_last_visits() <= heightBefore, `${ctx}: erase visits`);
    } else {
      const got = find(inode, start, end);
      const hit = overlapping(m, start, end);
      if (hit.length === 0) { assert.is(got, NONE, `${ctx}: find [${start},${end}]`); misses++; }
      else { assert.ok(hit.some((r) => r.value === got), `${ctx}: find returned ${got}`); hits++; }
      assert.ok(rb.rbtree_last_visits() <= heightBefore, `${ctx}: find visits`);
    }
    const check = rb.rbtree_check(inode);
    if (check !== 0) assert.unreachable(`${ctx}: rb_check ${check}`);
    const n = m.length;
    assert.is(rb.rbtree_count(inode), n, `${ctx}: count`);
    const h = rb.rbtree_height(inode);
    if (h > 2 * Math.log2(n + 1)) assert.unreachable(`${ctx}: height ${h} for ${n} nodes`);
    if (n > maxCount) maxCount = n;
    if ((op & 1023) === 0) assert.is(rb.rbtree_total(), model.reduce((a, x) => a + x.length, 0), `${ctx}: total`);
  }
  assert.is(rb.rbtree_total(), model.reduce((a, x) => a + x.length, 0));
  for (let i = 0; i < INODES; i++) {
    assert.is(rb.rbtree_check(i), 0);
    for (const r of model[i]!) {
      assert.is(find(i, r.start, r.start), r.value);
      assert.is(find(i, r.end, r.end), r.value);
    }
  }
  // every branch was exercised, and the trees got deep enough to rebalance
  assert.ok(inserted > 5000 && refused > 1000 && erased > 5000 && missedErase > 100 && hits > 1000 && misses > 100,
    JSON.stringify({ inserted, refused, erased, missedErase, hits, misses }));
  assert.ok(maxCount >= 200, `largest tree ${maxCount}`);
  console.log(`  random: ${JSON.stringify({ inserted, refused, erased, missedErase, hits, misses, maxCount })}`);
});

/** Mean and max nodes visited by a one-page find of every range, and by a miss. */
function findCost(n: number, order: number[]): { mean: number; max: number; miss: number; height: number } {
  rb.rbtree_init(16, 1);
  for (const i of order) assert.is(insert(0, 32 * i, 32 * i + 31, i), NONE);
  assert.is(rb.rbtree_count(0), n);
  assert.is(rb.rbtree_check(0), 0);
  let sum = 0, max = 0;
  for (let i = 0; i < n; i++) {
    assert.is(find(0, 32 * i + 7, 32 * i + 7), i);
    const v = rb.rbtree_last_visits();
    sum += v;
    if (v > max) max = v;
  }
  find(0, 32 * n + 5, 32 * n + 5);
  return { mean: sum / n, max, miss: rb.rbtree_last_visits(), height: rb.rbtree_height(0) };
}

test("nodes visited by a find in trees of 12 and 1000 requests", () => {
  const rng = new Prng(7);
  for (const n of [12, 1000]) {
    const asc = Array.from({ length: n }, (_, i) => i);
    const shuffled = asc.slice();
    for (let i = n - 1; i > 0; i--) {
      const j = rng.below(i + 1);
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    const a = findCost(n, asc);
    const r = findCost(n, shuffled);
    for (const c of [a, r]) {
      assert.ok(c.max <= c.height && c.height <= 2 * Math.log2(n + 1));
      assert.ok(c.mean >= Math.log2(n + 1) - 1);
    }
    const f = (c: typeof a) => `mean ${c.mean.toFixed(2)} max ${c.max} miss ${c.miss} height ${c.height}`;
    console.log(`  find, ${n} nodes: ascending inserts ${f(a)}; random inserts ${f(r)}`);
  }
});

test.run();

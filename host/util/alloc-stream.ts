// Seeded random streams of alloc/free operations, shared by the differential test and the benchmark.
import { Prng } from "./prng.js";
import {
  OP_ALLOC, OP_FREE, OP_VMSTAT_REFRESH, ALLOC_FAILED, GFP_HIGHUSER_MOVABLE, __GFP_MOVABLE, GFP_KERNEL, GFP_KERNEL_RECLAIMABLE,
  GFP_ATOMIC,
} from "../core/constants.js";

export interface StreamOptions {
  seed: number;
  /** Pages of the machine: the stream aims to keep between 30 % and ~100 % of them allocated. */
  nrPages: number;
  /** Weights of orders 0..10. */
  orderWeights?: readonly number[];
  /** Fraction of frees that name no live allocation (to exercise EINVAL). */
  badFreeRate?: number;
  /** Fraction of the machine's pages at which the stream turns from filling to draining (default 0.97). */
  maxFill?: number;
  /** Every this many operations, one (OP_VMSTAT_REFRESH, 0, 0): a second passing for the per-cpu lists'
   *  high (default 0: never). It draws nothing from the seeded generator. */
  refreshEvery?: number;
}

// Mostly small orders as in a real workload, some THP-sized and MAX_PAGE_ORDER requests.
const defaultOrderWeights = [40, 8, 6, 6, 4, 3, 2, 2, 2, 3, 1];
// GFP masks: page cache/anon (LRU), movable non-LRU, kernel, slab-like reclaimable, atomic.
const gfps = [GFP_HIGHUSER_MOVABLE, __GFP_MOVABLE, GFP_KERNEL, GFP_KERNEL_RECLAIMABLE, GFP_ATOMIC];
const gfpWeights = [50, 5, 25, 15, 5];

/**
 * Produces operations one at a time and learns the results, so the live set follows what the allocator
 * really returned. Use next() to get (op, a, b), then result(r) with what the model answered.
 */
export class AllocStream {
  private readonly rng: Prng;
  private readonly live: { pfn: number; order: number }[] = [];
  private livePages = 0;
  private pending: { op: number; order: number; index: number } | null = null;
  private filling = true;
  private count = 0;

  constructor(private readonly opts: StreamOptions) {
    this.rng = new Prng(opts.seed);
  }

  next(): [number, number, number] {
    const { nrPages, refreshEvery } = this.opts;
    this.count++;
    if (refreshEvery && this.count % refreshEvery === 0) {
      this.pending = null;
      return [OP_VMSTAT_REFRESH, 0, 0];
    }
    if (this.livePages > nrPages * (this.opts.maxFill ?? 0.97)) this.filling = false;
    if (this.livePages < nrPages * 0.3) this.filling = true;
    const allocate = this.live.length === 0 || this.rng.next() < (this.filling ? 0.7 : 0.3);
    if (allocate) {
      const order = this.rng.weighted(this.opts.orderWeights ?? defaultOrderWeights);
      const gfp = gfps[this.rng.weighted(gfpWeights)]!;
      this.pending = { op: OP_ALLOC, order, index: -1 };
      return [OP_ALLOC, gfp, order];
    }
    if (this.rng.next() < (this.opts.badFreeRate ?? 0.01)) {
      this.pending = { op: OP_FREE, order: 0, index: -1 };
      return [OP_FREE, this.rng.below(nrPages + 8), this.rng.below(11)];
    }
    const index = this.rng.below(this.live.length);
    const a = this.live[index]!;
    this.pending = { op: OP_FREE, order: a.order, index };
    return [OP_FREE, a.pfn, a.order];
  }

  result(r: number): void {
    const p = this.pending;
    this.pending = null;
    if (!p) return;
    if (p.op === OP_ALLOC && r !== ALLOC_FAILED) {
      this.live.push({ pfn: r, order: p.order });
      this.livePages += 1 << p.order;
    } else if (p.op === OP_FREE && p.index >= 0 && r === 0) {
      const last = this.live.pop()!;
      if (p.index < this.live.length) this.live[p.index] = last;
      this.livePages -= 1 << p.order;
    }
  }

  /** A fixed batch for benchmarks: n operations answered by running them on `model`, recorded. */
  static record(opts: StreamOptions, n: number, run: (op: Int32Array) => Int32Array): Int32Array {
    const s = new AllocStream(opts);
    const ops = new Int32Array(n * 3);
    for (let i = 0; i < n; i++) {
      const [op, a, b] = s.next();
      ops.set([op, a, b], i * 3);
      s.result(run(new Int32Array([op, a, b]))[0]!);
    }
    return ops;
  }
}

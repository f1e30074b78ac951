// A plain reference of the multi-gen LRU's file generations and of direct reclaim over them (mm/vmscan.c and
// include/linux/mm_inline.h, Debian's 6.12.118), the oracle of test/differential-mglru.test.ts for the WASM core
// (assembly/fs/lru.ts, lru_gen.ts, lru_gen_reclaim.ts). Small on purpose: one zone, order-0 folios of one file,
// each clean or under writeback (never left dirty), no pipes, try_to_free_pages(GFP_KERNEL, 0) on a 6.12+ kernel
// (the memcg_full_walk sweep). Lists are arrays, the tail (oldest) first.

const MIN_NR_GENS = 2;
const MAX_NR_GENS = 4;
const MIN_LRU_BATCH = 64;
const MAX_LRU_BATCH = 4096;
const DEF_PRIORITY = 12;
const SWAP_CLUSTER_MAX = 32;

interface Folio { writeback: boolean; reclaim: boolean; active: boolean }

export class MglruRef {
  maxSeq = MIN_NR_GENS + 1;
  minSeq = 0;
  /** Per generation, the folios' file indices, tail first. */
  readonly gens: number[][] = [[], [], [], []];
  readonly folios = new Map<number, Folio>();
  readonly stats = { pgscan_direct: 0, pgsteal_direct: 0, pgactivate: 0, pgrotated: 0, allocstall: 0 };
  private nrReclaimed = 0;
  private priority = DEF_PRIORITY;

  private gen(seq: number): number { return seq % MAX_NR_GENS; }
  private nrGens(): number { return this.maxSeq - this.minSeq + 1; }
  private pages(gen: number): number { return this.gens[gen]!.length; }

  /** lru_gen_add_folio() of folio `id`: at the head, or the tail when `reclaiming` (folio_rotate_reclaimable()). */
  private add(id: number, reclaiming: boolean): void {
    const f = this.folios.get(id)!;
    let seq: number;
    if (f.active) seq = this.maxSeq;
    else if (f.reclaim && f.writeback) seq = this.maxSeq - 1;
    else if (reclaiming || this.minSeq + MIN_NR_GENS >= this.maxSeq) seq = this.minSeq;
    else seq = this.minSeq + 1;
    f.active = false;
    const list = this.gens[this.gen(seq)]!;
    if (reclaiming) list.unshift(id); else list.push(id);
  }

  /** A write(2) of a new page, at once under writeback (the test starts writeback after every write). */
  write(id: number): void {
    this.folios.set(id, { writeback: true, reclaim: false, active: false });
    this.add(id, false);
  }

  /** The server answers every WRITE in flight: folio_end_writeback() in index order; a reclaim-marked folio loses the
   *  mark and rotates to the oldest generation's tail (lru_move_tail(): del, clear active, add_tail). */
  answerAll(): void {
    for (const id of [...this.folios.keys()].sort((a, b) => a - b)) {
      const f = this.folios.get(id)!;
      if (!f.writeback) continue;
      if (f.reclaim) {
        f.reclaim = false;
        for (const l of this.gens) { const i = l.indexOf(id); if (i >= 0) l.splice(i, 1); }
        f.active = false;
        this.add(id, true);
        this.stats.pgrotated++;
      }
      f.writeback = false;
    }
  }

  private tryToIncMinSeq(): boolean {
    let seq = this.minSeq;
    while (seq + MIN_NR_GENS <= this.maxSeq && this.pages(this.gen(seq)) === 0) seq++;
    if (seq === this.minSeq) return false;
    this.minSeq = seq;
    return true;
  }

  private incMaxSeq(): void {
    if (this.nrGens() === MAX_NR_GENS) {
      // inc_min_seq(): every folio of the oldest generation to the tail of the next, one by one from the tail
      const old = this.gens[this.gen(this.minSeq)]!, next = this.gens[this.gen(this.minSeq + 1)]!;
      while (old.length) next.unshift(old.shift()!);
      this.minSeq++;
    }
    this.maxSeq++;
  }

  /** get_nr_to_scan() with should_run_aging() (6.12): -1 after aging. */
  private nrToScan(): number {
    if (this.minSeq + MIN_NR_GENS > this.maxSeq) {
      if (this.priority === DEF_PRIORITY) return 0;
      this.incMaxSeq();
      return -1;
    }
    let total = 0, young = 0, old = 0;
    for (let seq = this.minSeq; seq <= this.maxSeq; seq++) {
      const n = this.pages(this.gen(seq));
      total += n;
      if (seq === this.maxSeq) young += n;
      else if (seq + MIN_NR_GENS === this.maxSeq) old += n;
    }
    const aging = !(this.minSeq + MIN_NR_GENS < this.maxSeq) && (young * MIN_NR_GENS > total || old * (MIN_NR_GENS + 2) < total);
    if (!aging || this.priority === DEF_PRIORITY) return Math.floor(total / 2 ** this.priority);
    this.incMaxSeq();
    return -1;
  }

  /** evict_folios(): returns pages scanned. With no pipes every clean folio taken is freed on the first pass, so the
   *  kernel's retry of clean folios never has anything to do here. */
  private evict(): number {
    const taken: number[] = [];
    if (this.nrGens() !== MIN_NR_GENS) {
      const list = this.gens[this.gen(this.minSeq)]!;
      let remaining = MAX_LRU_BATCH;
      while (list.length) {
        taken.push(list.shift()!);
        if (--remaining === 0 || taken.length >= MIN_LRU_BATCH) break;
      }
      this.stats.pgscan_direct += taken.length;
    }
    let scanned = taken.length;
    if (this.tryToIncMinSeq()) scanned++;
    if (this.nrGens() === MIN_NR_GENS) scanned = 0;
    for (const id of taken) {
      const f = this.folios.get(id)!;
      if (f.writeback) {
        // shrink_folio_list(): PG_reclaim and activate_locked; evict_folios() puts it back as it is: the youngest
        f.reclaim = true;
        f.active = true;
        this.stats.pgactivate++;
        this.add(id, false);
      } else {
        this.folios.delete(id);
        this.nrReclaimed++;
        this.stats.pgsteal_direct++;
      }
    }
    return scanned;
  }

  private shouldAbort(): boolean { return this.nrReclaimed >= Math.max(SWAP_CLUSTER_MAX, 2); }

  /** try_to_free_pages(GFP_KERNEL, 0) -> do_try_to_free_pages() -> lru_gen_shrink_node(): pages reclaimed. */
  tryToFreePages(): number {
    this.nrReclaimed = 0;
    for (let sweep = 0; sweep < 2; sweep++) {
      this.stats.allocstall++;
      for (this.priority = DEF_PRIORITY; this.priority >= 0; this.priority--) {
        let scanned = 0;
        for (;;) {
          const target = this.nrToScan();
          if (target <= 0) break;
          const delta = this.evict();
          if (delta === 0) break;
          scanned += delta;
          if (scanned >= target || this.shouldAbort()) break;
        }
        if (this.nrReclaimed >= SWAP_CLUSTER_MAX) break;
      }
      // 6.12+: nothing reclaimed, one more sweep with memcg_full_walk
      if (this.nrReclaimed !== 0) break;
    }
    return this.nrReclaimed;
  }

  /** The generations from min_seq to max_seq, each list tail first. */
  lists(): number[][] {
    const out: number[][] = [];
    for (let seq = this.minSeq; seq <= this.maxSeq; seq++) out.push([...this.gens[this.gen(seq)]!]);
    return out;
  }
}

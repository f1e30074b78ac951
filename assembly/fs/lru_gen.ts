// The multi-gen LRU's aging (mm/vmscan.c, Debian's 6.12.118): the file type's sequence numbers. max_seq moves on
// when eviction runs out of cold generations (inc_max_seq()), min_seq when the oldest generation is empty
// (try_to_inc_min_seq()) or when a fifth would be needed (inc_min_seq()). The lists themselves are fs/lru.ts's.
//
// try_to_inc_max_seq() first walks the processes' page tables (CONFIG_LRU_GEN_WALKS_MMU, Debian's) to promote the
// folios mapped young; no FUSE file folio is mapped here and the anon type is not evicted without swap, so the walk
// changes nothing modelled, and with one reclaimer at a time it always finishes: the generation always advances.
// Not modelled: the PID controller's refault statistics (no refaults: reclaimed folios leave no shadow entry
// here), the generations' birth timestamps (they only matter for lru_gen_min_ttl, 0 by default).
import { MAX_NR_ZONES } from "../mm/constants";
import {
  max_seq, min_seq, MIN_NR_GENS, MAX_NR_GENS, lru_gen_from_seq, lru_gen_nr_folios, lru_gen_inc_gen_tail, lru_gen_set_min_seq,
  lru_gen_set_max_seq,
} from "./lru";

/** get_nr_gens(lruvec, LRU_GEN_FILE) */
export function get_nr_gens(): u64 { return max_seq - min_seq + 1; }

// inc_min_seq(): every folio of the oldest generation moves to the tail of the next, zone by zone ("prevent
// cold/hot inversion if force_scan is true"; each move puts the folio behind the one moved before it), then min_seq
// moves on. The kernel moves MAX_LRU_BATCH folios at a time and restarts inc_max_seq() between batches; the lists
// end the same.
function inc_min_seq(): void {
  const old_gen = lru_gen_from_seq(min_seq);
  for (let z: u32 = 0; z < MAX_NR_ZONES; z++) while (lru_gen_inc_gen_tail(old_gen, z) != 0) {}
  lru_gen_set_min_seq(min_seq + 1);
}

/** try_to_inc_min_seq(): min_seq moves past the empty oldest generations, leaving at least MIN_NR_GENS. Returns
 *  whether it moved. */
export function try_to_inc_min_seq(): bool {
  let seq = min_seq;
  while (seq + MIN_NR_GENS <= max_seq) {
    const gen = lru_gen_from_seq(seq);
    let empty = true;
    for (let z: u32 = 0; z < MAX_NR_ZONES && empty; z++) empty = lru_gen_nr_folios(gen, z) == 0;
    if (!empty) break;
    seq++;
  }
  if (seq == min_seq) return false;
  lru_gen_set_min_seq(seq);
  return true;
}

/** try_to_inc_max_seq() -> inc_max_seq(): a new youngest generation; with MAX_NR_GENS already, the oldest is
 *  folded into the next first (inc_min_seq()). Always succeeds here (see above). */
export function inc_max_seq(): void {
  if (get_nr_gens() == <u64>MAX_NR_GENS) inc_min_seq();
  lru_gen_set_max_seq(max_seq + 1);
}

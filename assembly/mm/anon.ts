// Allocations held by the memory workloads (churn, THP, contiguous ranges), in slots: the owner words of
// their pages say (OWNER_ANON, slot), so migration can tell the slot where its folio went.
import { NONE } from "./constants";
import { arena_alloc } from "../sim/arena";

/** Owner word `next` of a page held by a workload slot; `prev` is the slot. Page-cache pages hold the inode. */
export const OWNER_ANON: u32 = 0xffffff00;

export const ANON_CHURN: u32 = 0;
export const ANON_THP: u32 = 1;
export const ANON_CONTIG: u32 = 2;
/** A page of a server thread's receive buffer (libfuse: max_write + 4 KiB, malloc'd). */
export const ANON_SERVER_BUFFER: u32 = 3;
/** A THP workload's page table (pte_alloc_one(): unmovable, order 0), one per 2 MiB region it faulted. */
export const ANON_PGTABLE: u32 = 4;

let cap: u32 = 0;
let s_pfn: usize = 0, s_order: usize = 0, s_kind: usize = 0, s_owner: usize = 0, s_next_free: usize = 0;
let free_head: u32 = NONE;
export let anon_live: u32 = 0;

function grow(): void {
  const n: u32 = cap == 0 ? 1024 : cap << 1;
  const p = arena_alloc(<usize>n << 2), o = arena_alloc(<usize>n << 2), k = arena_alloc(<usize>n << 2), f = arena_alloc(<usize>n << 2);
  const w = arena_alloc(<usize>n << 2);
  if (cap > 0) {
    memory.copy(p, s_pfn, <usize>cap << 2); memory.copy(o, s_order, <usize>cap << 2);
    memory.copy(k, s_kind, <usize>cap << 2); memory.copy(f, s_next_free, <usize>cap << 2);
    memory.copy(w, s_owner, <usize>cap << 2);
  }
  for (let i = n; i > cap; i--) { store<u32>(f + (<usize>(i - 1) << 2), free_head); free_head = i - 1; store<u32>(p + (<usize>(i - 1) << 2), NONE); }
  s_pfn = p; s_order = o; s_kind = k; s_next_free = f; s_owner = w; cap = n;
}

export function anon_reset(): void { cap = 0; free_head = NONE; anon_live = 0; grow(); }

/** A slot for a workload's allocation; `owner` is the workload (or server thread) it belongs to. */
export function anon_slot_alloc(pfn: u32, order: u32, kind: u32, owner: u32 = NONE): u32 {
  if (free_head == NONE) grow();
  const s = free_head;
  free_head = load<u32>(s_next_free + (<usize>s << 2));
  store<u32>(s_pfn + (<usize>s << 2), pfn);
  store<u32>(s_order + (<usize>s << 2), order);
  store<u32>(s_kind + (<usize>s << 2), kind);
  store<u32>(s_owner + (<usize>s << 2), owner);
  anon_live++;
  return s;
}
export function anon_slot_free(s: u32): void {
  store<u32>(s_pfn + (<usize>s << 2), NONE);
  store<u32>(s_next_free + (<usize>s << 2), free_head);
  free_head = s;
  anon_live--;
}
@inline export function anon_pfn(s: u32): u32 { return load<u32>(s_pfn + (<usize>s << 2)); }
@inline export function anon_order(s: u32): u32 { return load<u32>(s_order + (<usize>s << 2)); }
@inline export function anon_kind(s: u32): u32 { return load<u32>(s_kind + (<usize>s << 2)); }
@inline export function anon_owner(s: u32): u32 { return load<u32>(s_owner + (<usize>s << 2)); }
/** The OOM killer reaps every allocation of (kind, owner): the pages go back to the allocator now; each slot
 *  stays taken, empty, until the event that was to free it (its freeing then only releases the slot). Returns the
 *  pages freed. */
export function anon_reap(kind: u32, owner: u32, free_pages: (pfn: u32, order: u32) => void): u32 {
  let freed: u32 = 0;
  for (let s: u32 = 0; s < cap; s++) {
    const pfn = anon_pfn(s);
    if (pfn == NONE || anon_kind(s) != kind || load<u32>(s_owner + (<usize>s << 2)) != owner) continue;
    free_pages(pfn, anon_order(s));
    freed += <u32>1 << anon_order(s);
    store<u32>(s_pfn + (<usize>s << 2), NONE);
  }
  return freed;
}
/** Migration moved the slot's folio. */
export function anon_set_pfn(s: u32, pfn: u32): void { store<u32>(s_pfn + (<usize>s << 2), pfn); }

// The struct list_head operations of the buddy free lists, on lists of PFNs linked through the pages'
// next/prev words: list i of a family is (heads[i], tails[i]), NONE-terminated. (The per-cpu lists are rings,
// pcp.ts.)
import { NONE } from "./constants";
import { page_next, page_prev, set_page_next, set_page_prev, set_page_links } from "./page";

/** list_add() (head) or list_add_tail(). */
@inline export function pfn_list_add(heads: StaticArray<u32>, tails: StaticArray<u32>, i: i32, pfn: u32, tail: bool): void {
  if (tail) {
    const last = unchecked(tails[i]);
    set_page_links(pfn, NONE, last);
    if (last == NONE) unchecked(heads[i] = pfn); else set_page_next(last, pfn);
    unchecked(tails[i] = pfn);
  } else {
    const first = unchecked(heads[i]);
    set_page_links(pfn, first, NONE);
    if (first == NONE) unchecked(tails[i] = pfn); else set_page_prev(first, pfn);
    unchecked(heads[i] = pfn);
  }
}

/** list_del(): the page's own links are reset to NONE. */
@inline export function pfn_list_del(heads: StaticArray<u32>, tails: StaticArray<u32>, i: i32, pfn: u32): void {
  const next = page_next(pfn);
  const prev = page_prev(pfn);
  if (prev == NONE) unchecked(heads[i] = next); else set_page_next(prev, next);
  if (next == NONE) unchecked(tails[i] = prev); else set_page_prev(next, prev);
  set_page_links(pfn, NONE, NONE);
}

/** mm/compaction.c: move_freelist_head(): the entries before pfn go to the tail, so pfn is the head. */
export function pfn_list_move_head(heads: StaticArray<u32>, tails: StaticArray<u32>, i: i32, pfn: u32): void {
  const first = unchecked(heads[i]);
  if (first == pfn) return;
  const last = unchecked(tails[i]);
  const new_tail = page_prev(pfn);
  set_page_next(last, first);
  set_page_prev(first, last);
  set_page_next(new_tail, NONE);
  set_page_prev(pfn, NONE);
  unchecked(heads[i] = pfn);
  unchecked(tails[i] = new_tail);
}

/** mm/compaction.c: move_freelist_tail(): pfn and the entries before it go to the tail, so pfn is the last. */
export function pfn_list_move_tail(heads: StaticArray<u32>, tails: StaticArray<u32>, i: i32, pfn: u32): void {
  const last = unchecked(tails[i]);
  if (last == pfn) return;
  const first = unchecked(heads[i]);
  const new_head = page_next(pfn);
  set_page_next(last, first);
  set_page_prev(first, last);
  set_page_prev(new_head, NONE);
  set_page_next(pfn, NONE);
  unchecked(heads[i] = new_head);
  unchecked(tails[i] = pfn);
}

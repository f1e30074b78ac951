// struct page, as an array of 12-byte records in linear memory, one a page:
//   word u32 = flags u16 | order u4 | alloc_mt + 1 u4 | ref u8   (one load tells PageBuddy and the order, as
//              page_is_buddy() needs; one store prepares or frees a page; a free page's word is 0)
//   link u64 = ~next u32 | ~prev u32                          (struct list_head; stored complemented, so a zero
//              link is NONE/NONE and zeroed memory is a booted memmap)
// The word at +0 and the link at +4 share a record, not two arrays: boot writes both for the head of every
// MAX_PAGE_ORDER block, and each first touch of a host page is a page fault (about 1.1 us on the VM this was
// measured on). Two arrays put a block's head word and head link on two host pages, a record puts them on one:
// half the faults, half of boot at 1 TiB (262,144 faults, not 524,288). The price is a multiply by 12 in every
// PFN's address (V8 emits an imul, where a shift folded into the load), 1-4 % of the allocator benchmark.
// next/prev are the buddy_list links while the page is free (PG_buddy) and owner words while it is
// allocated (like the kernel's union of lru/buddy_list with mapping/index).
import { pageblock_order } from "./constants";
import { arena_alloc, arena_reserve, CHUNK_AFTER_BOOT } from "../sim/arena";

export const PG_buddy: u32 = 1 << 0;
export const PG_lru: u32 = 1 << 1;
export const PG_head: u32 = 1 << 2;
/** page_owner's PAGE_EXT_OWNER_ALLOCATED: set on every page of a live allocation. */
export const PG_owner: u32 = 1 << 3;
export const PG_dirty: u32 = 1 << 4;
export const PG_writeback: u32 = 1 << 5;
// bit 6 is free (the kernel's PG_reserved marks memory the allocator never manages; every emulated page is managed)
export const PG_locked: u32 = 1 << 7;
/** folio_test_dirty() / folio_test_writeback(), on the head page. PG_dirty and PG_writeback on each page
 *  are the per-block bits of iomap_folio_state (block size = page size). */
export const PG_folio_dirty: u32 = 1 << 8;
export const PG_folio_writeback: u32 = 1 << 9;
export const PG_uptodate: u32 = 1 << 10;
/** A FUSE temporary writeback page (legacy path), owned by one request. */
export const PG_temp: u32 = 1 << 11;
/** Head of a free block on a per-cpu list (assembly/mm/pcp.ts): neither PageBuddy nor allocated. */
export const PG_pcp: u32 = 1 << 12;
/** PG_reclaim: reclaim met this dirty folio already (shrink_folio_list sets it; folio_end_writeback clears it). */
export const PG_reclaim: u32 = 1 << 13;
/** PG_active: the folio is on the active file LRU (fs/lru.ts), on its head page. */
export const PG_active: u32 = 1 << 14;

/** alloc_mt of a page that is not allocated (the 4-bit field's largest value). */
export const MT_NONE: u32 = 0xf;

export let nr_pages: u32 = 0;
/** The struct page records: BYTES_PER_PAGE a page, the word at +0, the link at +4. */
export let pg_base: usize = 0;
/** One migratetype byte per pageblock (the kernel's pageblock_flags bits). */
export let pb_mt: usize = 0;
export let nr_pageblocks: u32 = 0;

export const BYTES_PER_PAGE: u32 = 12;
/** The word of a page that is not allocated: no flags, order 0, alloc_mt MT_NONE, refcount 0. */
export const PAGE_WORD_FREE: u32 = 0;
/** The order bits of a word (page_is_buddy() compares them with the flags in one go). */
export const PAGE_WORD_ORDER: u32 = 0xf << 16;

/** The arena's memory is zero, and zero is what memmap_init() leaves: every word PAGE_WORD_FREE, every link
 *  NONE (stored complemented). Boot writes nothing per page: at 1 TiB the first touch of the 3 GiB alone, page
 *  faults in the host, cost more than the rest of boot. */
export function page_metadata_init(pages: u32): void {
  nr_pages = pages;
  nr_pageblocks = pages >> pageblock_order;
  const n = <usize>pages;
  // one memory.grow for struct page, the pageblock bytes and the run's first arrays: each grow can cost V8 a GC
  arena_reserve(<u64>n * BYTES_PER_PAGE + <u64>nr_pageblocks + 32 + CHUNK_AFTER_BOOT);
  pg_base = arena_alloc(n * BYTES_PER_PAGE);
  pb_mt = arena_alloc(<usize>nr_pageblocks);
}

/** A page's record (its word). (pfn << 3) + (pfn << 2) measured slower than the multiply. */
@inline export function word_at(pfn: u32): usize { return pg_base + <usize>pfn * BYTES_PER_PAGE; }
@inline function link_at(pfn: u32): usize { return word_at(pfn) + 4; }

/** The word's alloc_mt field holds mt + 1 (mod 16), so that MT_NONE is 0. */
@inline function mt_field(mt: u32): u32 { return (mt + 1) & 0xf; }
/** A page's whole word: flags | order << 16 | mt_field(alloc_mt) << 20 | ref << 24. */
@inline export function make_page_word(flags: u32, order: u32, mt: u32, ref: u32): u32 {
  return flags | (order << 16) | (mt_field(mt) << 20) | (ref << 24);
}
@inline export function page_word(pfn: u32): u32 { return load<u32>(word_at(pfn)); }
@inline export function store_page_word(pfn: u32, w: u32): void { store<u32>(word_at(pfn), w); }
@inline export function set_page_word(pfn: u32, flags: u32, order: u32, mt: u32, ref: u32): void {
  store_page_word(pfn, make_page_word(flags, order, mt, ref));
}
@inline export function page_flags(pfn: u32): u32 { return <u32>load<u16>(word_at(pfn)); }
@inline export function set_page_flags(pfn: u32, f: u32): void { store<u16>(word_at(pfn), <u16>f); }
@inline export function test_flag(pfn: u32, f: u32): bool { return (page_flags(pfn) & f) != 0; }
@inline export function set_flag(pfn: u32, f: u32): void { set_page_flags(pfn, page_flags(pfn) | f); }
@inline export function clear_flag(pfn: u32, f: u32): void { set_page_flags(pfn, page_flags(pfn) & ~f); }

// byte 2 holds the order (low nibble) and alloc_mt (high nibble), byte 3 the refcount
@inline export function page_order(pfn: u32): u32 { return <u32>load<u8>(word_at(pfn), 2) & 0xf; }
@inline export function set_page_order(pfn: u32, o: u32): void {
  store<u8>(word_at(pfn), <u8>((<u32>load<u8>(word_at(pfn), 2) & 0xf0) | o), 2);
}
@inline export function page_alloc_mt(pfn: u32): u32 { return ((<u32>load<u8>(word_at(pfn), 2) >> 4) + 15) & 0xf; }
@inline export function set_page_alloc_mt(pfn: u32, mt: u32): void {
  store<u8>(word_at(pfn), <u8>((<u32>load<u8>(word_at(pfn), 2) & 0xf) | (mt_field(mt) << 4)), 2);
}
@inline export function page_ref(pfn: u32): u32 { return <u32>load<u8>(word_at(pfn), 3); }
@inline export function set_page_ref(pfn: u32, r: u32): void { store<u8>(word_at(pfn), <u8>r, 3); }
@inline export function page_next(pfn: u32): u32 { return ~load<u32>(link_at(pfn)); }
@inline export function set_page_next(pfn: u32, v: u32): void { store<u32>(link_at(pfn), ~v); }
@inline export function page_prev(pfn: u32): u32 { return ~load<u32>(link_at(pfn), 4); }
@inline export function set_page_prev(pfn: u32, v: u32): void { store<u32>(link_at(pfn), ~v, 4); }
/** Both links in one store. */
@inline export function set_page_links(pfn: u32, next: u32, prev: u32): void {
  store<u64>(link_at(pfn), ~(<u64>next | (<u64>prev << 32)));
}

@inline export function PageBuddy(pfn: u32): bool { return test_flag(pfn, PG_buddy); }

/** A reference on some page of the n-page folio at head beyond the mapping's own (a pipe holding spliced pages):
 *  what makes is_page_cache_freeable(), folio_ref_freeze() and folio_migrate_mapping() refuse the folio. */
@inline export function folio_extra_ref(head: u32, n: u32): bool {
  for (let i: u32 = 0; i < n; i++) if (page_ref(head + i) > 1) return true;
  return false;
}

@inline export function get_pageblock_migratetype(pfn: u32): u32 {
  return <u32>load<u8>(pb_mt + <usize>(pfn >> pageblock_order));
}
/** Raw store; mm/page_alloc.c set_pageblock_migratetype() (with its mobility rule) is in zone.ts. */
@inline export function store_pageblock_migratetype(pfn: u32, mt: u32): void {
  store<u8>(pb_mt + <usize>(pfn >> pageblock_order), <u8>mt);
}


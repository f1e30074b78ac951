// struct page, as struct-of-arrays in linear memory: 13 bytes a page.
//   flags u16 | order u8 | alloc_mt u8 | ref u8 | next u32 | prev u32
// next/prev are the buddy_list links while the page is free (PG_buddy) and owner words while it is
// allocated (like the kernel's union of lru/buddy_list with mapping/index).
import { pageblock_order, NONE } from "./constants";

export const PG_buddy: u32 = 1 << 0;
export const PG_lru: u32 = 1 << 1;
export const PG_head: u32 = 1 << 2;
/** page_owner's PAGE_EXT_OWNER_ALLOCATED: set on every page of a live allocation. */
export const PG_owner: u32 = 1 << 3;
export const PG_dirty: u32 = 1 << 4;
export const PG_writeback: u32 = 1 << 5;
export const PG_reserved: u32 = 1 << 6;
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

/** alloc_mt of a page that is not allocated. */
export const MT_NONE: u32 = 0xff;

export let nr_pages: u32 = 0;
export let pg_flags: usize = 0;
export let pg_order: usize = 0;
export let pg_alloc_mt: usize = 0;
export let pg_ref: usize = 0;
export let pg_next: usize = 0;
export let pg_prev: usize = 0;
/** One migratetype byte per pageblock (the kernel's pageblock_flags bits). */
export let pb_mt: usize = 0;
export let nr_pageblocks: u32 = 0;

export const BYTES_PER_PAGE: u32 = 13;

export function page_metadata_init(pages: u32): void {
  nr_pages = pages;
  nr_pageblocks = pages >> pageblock_order;
  const n = <usize>pages;
  pg_flags = heap.alloc(n << 1);
  pg_order = heap.alloc(n);
  pg_alloc_mt = heap.alloc(n);
  pg_ref = heap.alloc(n);
  pg_next = heap.alloc(n << 2);
  pg_prev = heap.alloc(n << 2);
  pb_mt = heap.alloc(<usize>nr_pageblocks);
  memory.fill(pg_alloc_mt, <u8>MT_NONE, n);
  memory.fill(pg_next, 0xff, n << 2);
  memory.fill(pg_prev, 0xff, n << 2);
}

@inline export function page_flags(pfn: u32): u32 { return <u32>load<u16>(pg_flags + (<usize>pfn << 1)); }
@inline export function set_page_flags(pfn: u32, f: u32): void { store<u16>(pg_flags + (<usize>pfn << 1), <u16>f); }
@inline export function test_flag(pfn: u32, f: u32): bool { return (page_flags(pfn) & f) != 0; }
@inline export function set_flag(pfn: u32, f: u32): void { set_page_flags(pfn, page_flags(pfn) | f); }
@inline export function clear_flag(pfn: u32, f: u32): void { set_page_flags(pfn, page_flags(pfn) & ~f); }

@inline export function page_order(pfn: u32): u32 { return <u32>load<u8>(pg_order + <usize>pfn); }
@inline export function set_page_order(pfn: u32, o: u32): void { store<u8>(pg_order + <usize>pfn, <u8>o); }
@inline export function page_alloc_mt(pfn: u32): u32 { return <u32>load<u8>(pg_alloc_mt + <usize>pfn); }
@inline export function set_page_alloc_mt(pfn: u32, mt: u32): void { store<u8>(pg_alloc_mt + <usize>pfn, <u8>mt); }
@inline export function page_ref(pfn: u32): u32 { return <u32>load<u8>(pg_ref + <usize>pfn); }
@inline export function set_page_ref(pfn: u32, r: u32): void { store<u8>(pg_ref + <usize>pfn, <u8>r); }
@inline export function page_next(pfn: u32): u32 { return load<u32>(pg_next + (<usize>pfn << 2)); }
@inline export function set_page_next(pfn: u32, v: u32): void { store<u32>(pg_next + (<usize>pfn << 2), v); }
@inline export function page_prev(pfn: u32): u32 { return load<u32>(pg_prev + (<usize>pfn << 2)); }
@inline export function set_page_prev(pfn: u32, v: u32): void { store<u32>(pg_prev + (<usize>pfn << 2), v); }

@inline export function PageBuddy(pfn: u32): bool { return test_flag(pfn, PG_buddy); }

@inline export function get_pageblock_migratetype(pfn: u32): u32 {
  return <u32>load<u8>(pb_mt + <usize>(pfn >> pageblock_order));
}
/** Raw store; mm/page_alloc.c set_pageblock_migratetype() (with its mobility rule) is in zone.ts. */
@inline export function store_pageblock_migratetype(pfn: u32, mt: u32): void {
  store<u8>(pb_mt + <usize>(pfn >> pageblock_order), <u8>mt);
}


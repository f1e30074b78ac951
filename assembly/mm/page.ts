// struct page, 12 bytes a page in two arrays in linear memory, both indexed by PFN:
//   word u32 = flags u16 | order u4 | alloc_mt + 1 u4 | ref u8   (one load tells PageBuddy and the order, as
//              page_is_buddy() needs; one store prepares or frees a page; a free page's word is 0)
//   link u64 = next u32 | prev u32                             (struct list_head)
// Stored so that zeroed memory is what boot leaves (memmap_init(), then memblock_free_all() handing the buddy
// allocator whole MAX_PAGE_ORDER blocks, in PFN order, to the tail of their lists): a record reads as its stored
// bits XOR a key. The word's key is 0 off a MAX_PAGE_ORDER boundary (zero reads as a free tail page) and "free
// order-10 buddy" on one; the links' key makes zero read as next = pfn + 1024, prev = pfn - 1024 on every page (a
// block in the middle of boot's list; a link is read only while it means something, after the list or the owner
// that wrote it). Boot then writes only what differs (each list's ends, a block of two types: boot.ts), not a
// record per block: each first touch of a host page is a page fault (13.9 us a 4 KiB page on the VM of
// 2026-12-07, 1.1 us on an earlier one), and at 1 TiB the 262,144 blocks' heads were 262,144 faults, nearly all
// of boot. The keys cost every access a few operations (the README's Benchmarks measure them).
// The words are an array of their own, apart from the links: the allocator's hot loads are words (a free's
// is_allocation_head(), page_is_buddy() of a merge, the buddy bit of every list step), and a word array is a third
// of the records' memory, so more of it stays in the CPU's caches and TLB (5 % on the order-0 allocator stream,
// 2 % on the mixed one, measured against 12-byte records with the word and links together). Both addresses are a
// shift of the PFN, where a record's was a multiply by 12. A run that touches pages densely faults in as many host
// pages as with records (4 + 8 bytes a page either way).
import { pageblock_order, MAX_PAGE_ORDER } from "./constants";
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
/** struct page's words (4 bytes a page) and links (8 bytes a page, next at +0 and prev at +4). */
export let pg_words: usize = 0;
export let pg_links: usize = 0;
/** One migratetype byte per pageblock (the kernel's pageblock_flags bits). */
export let pb_mt: usize = 0;
export let nr_pageblocks: u32 = 0;
/** One byte per MAX_PAGE_ORDER block, 1 while the block is a free order-10 buddy (zone.ts keeps it with the
 *  order-10 lists). Not the kernel's: it lets the reports' page walks (vmstat.ts, pageblock_map.ts) step over a
 *  free block without reading its head's record, which for a block untouched since boot is a page fault. */
export let max_order_free: usize = 0;

/** The word and the links: what struct page costs a page. */
export const BYTES_PER_PAGE: u32 = 12;
/** The word of a page that is not allocated: no flags, order 0, alloc_mt MT_NONE, refcount 0. */
export const PAGE_WORD_FREE: u32 = 0;
/** The order bits of a word (page_is_buddy() compares them with the flags in one go). */
export const PAGE_WORD_ORDER: u32 = 0xf << 16;

/** The arena's memory is zero, and zero is what boot leaves (the keys below): every word PAGE_WORD_FREE but at
 *  each MAX_PAGE_ORDER boundary a free order-10 buddy linked to its neighbours. Boot writes nothing per page and
 *  one record per list end (boot.ts: free_max_order_block()). */
export function page_metadata_init(pages: u32): void {
  nr_pages = pages;
  nr_pageblocks = pages >> pageblock_order;
  const n = <usize>pages;
  // one memory.grow for struct page, the pageblock bytes and the run's first arrays: each grow can cost V8 a GC
  arena_reserve(<u64>n * BYTES_PER_PAGE + <u64>nr_pageblocks + (<u64>n >> MAX_PAGE_ORDER) + 64 + CHUNK_AFTER_BOOT);
  pg_words = arena_alloc(n << 2);
  pg_links = arena_alloc(n << 3);
  pb_mt = arena_alloc(<usize>nr_pageblocks);
  max_order_free = arena_alloc(<usize>(pages >> MAX_PAGE_ORDER) + 1);
}

/** Is the MAX_PAGE_ORDER block starting at pfn (aligned) a free order-10 buddy? */
@inline export function max_order_block_free(pfn: u32): bool {
  return load<u8>(max_order_free + <usize>(pfn >> MAX_PAGE_ORDER)) != 0;
}
@inline export function set_max_order_block_free(pfn: u32, free: bool): void {
  store<u8>(max_order_free + <usize>(pfn >> MAX_PAGE_ORDER), <u8>free);
}

/** A page's word, and its links. */
@inline export function word_at(pfn: u32): usize { return pg_words + (<usize>pfn << 2); }
@inline export function link_at(pfn: u32): usize { return pg_links + (<usize>pfn << 3); }

/** The pages in a MAX_PAGE_ORDER block (MAX_ORDER_NR_PAGES). */
export const MAX_ORDER_NR_PAGES: u32 = 1 << MAX_PAGE_ORDER;
/** The word boot leaves at a block boundary: a free order-10 buddy (alloc_mt MT_NONE, refcount 0). */
export const PAGE_WORD_BOOT_BUDDY: u32 = PG_buddy | (MAX_PAGE_ORDER << 16);
/** All ones at a MAX_PAGE_ORDER boundary, else 0 (no branch: the sign of (pfn mod 1024) - 1). */
@inline function boundary_mask(pfn: u32): u32 { return <u32>(<i32>((pfn & (MAX_ORDER_NR_PAGES - 1)) - 1) >> 31); }
/** What the stored word is XORed with. */
@inline function word_key(pfn: u32): u32 { return boundary_mask(pfn) & PAGE_WORD_BOOT_BUDDY; }
/** What the stored next and prev are XORed with: zero reads as the neighbouring blocks. */
@inline function next_key(pfn: u32): u32 { return pfn + MAX_ORDER_NR_PAGES; }
@inline function prev_key(pfn: u32): u32 { return pfn - MAX_ORDER_NR_PAGES; }

/** The word's alloc_mt field holds mt + 1 (mod 16), so that MT_NONE is 0. */
@inline function mt_field(mt: u32): u32 { return (mt + 1) & 0xf; }
/** A page's whole word: flags | order << 16 | mt_field(alloc_mt) << 20 | ref << 24. */
@inline export function make_page_word(flags: u32, order: u32, mt: u32, ref: u32): u32 {
  return flags | (order << 16) | (mt_field(mt) << 20) | (ref << 24);
}
@inline export function page_word(pfn: u32): u32 { return load<u32>(word_at(pfn)) ^ word_key(pfn); }
@inline export function store_page_word(pfn: u32, w: u32): void { store<u32>(word_at(pfn), w ^ word_key(pfn)); }
/** After a loop stored word w raw into the records of [pfn, pfn + n): the MAX_PAGE_ORDER boundaries among them
 *  are stored again under their key. */
@inline export function store_boundary_words(pfn: u32, n: u32, w: u32): void {
  for (let b = (pfn + MAX_ORDER_NR_PAGES - 1) & ~(MAX_ORDER_NR_PAGES - 1); b < pfn + n; b += MAX_ORDER_NR_PAGES) store_page_word(b, w);
}
@inline export function set_page_word(pfn: u32, flags: u32, order: u32, mt: u32, ref: u32): void {
  store_page_word(pfn, make_page_word(flags, order, mt, ref));
}
// the key's flags are its low half, its order byte 2's low nibble; alloc_mt (byte 2's high nibble) and the
// refcount (byte 3) are stored as they are
@inline export function page_flags(pfn: u32): u32 { return <u32>load<u16>(word_at(pfn)) ^ (word_key(pfn) & 0xffff); }
@inline export function set_page_flags(pfn: u32, f: u32): void {
  store<u16>(word_at(pfn), <u16>(f ^ word_key(pfn)));
}
// one flag's bits only under the key's bits among them (0 for every flag but PG_buddy, where the compiler then
// drops the key): stored bits outside f stay as they are
@inline export function test_flag(pfn: u32, f: u32): bool {
  return ((<u32>load<u16>(word_at(pfn)) ^ (word_key(pfn) & f)) & f) != 0;
}
@inline export function set_flag(pfn: u32, f: u32): void {
  const k = word_key(pfn) & f;
  store<u16>(word_at(pfn), <u16>(((<u32>load<u16>(word_at(pfn)) ^ k) | f) ^ k));
}
@inline export function clear_flag(pfn: u32, f: u32): void {
  store<u16>(word_at(pfn), <u16>((<u32>load<u16>(word_at(pfn)) & ~f) | (word_key(pfn) & f)));
}

// byte 2 holds the order (low nibble) and alloc_mt (high nibble), byte 3 the refcount
@inline export function page_order(pfn: u32): u32 { return (<u32>load<u8>(word_at(pfn), 2) ^ (word_key(pfn) >> 16)) & 0xf; }
@inline export function set_page_order(pfn: u32, o: u32): void {
  store<u8>(word_at(pfn), <u8>((<u32>load<u8>(word_at(pfn), 2) & 0xf0) | (o ^ (word_key(pfn) >> 16))), 2);
}
@inline export function page_alloc_mt(pfn: u32): u32 { return ((<u32>load<u8>(word_at(pfn), 2) >> 4) + 15) & 0xf; }
@inline export function set_page_alloc_mt(pfn: u32, mt: u32): void {
  store<u8>(word_at(pfn), <u8>((<u32>load<u8>(word_at(pfn), 2) & 0xf) | (mt_field(mt) << 4)), 2);
}
@inline export function page_ref(pfn: u32): u32 { return <u32>load<u8>(word_at(pfn), 3); }
@inline export function set_page_ref(pfn: u32, r: u32): void { store<u8>(word_at(pfn), <u8>r, 3); }
@inline export function page_next(pfn: u32): u32 { return load<u32>(link_at(pfn)) ^ next_key(pfn); }
@inline export function set_page_next(pfn: u32, v: u32): void { store<u32>(link_at(pfn), v ^ next_key(pfn)); }
@inline export function page_prev(pfn: u32): u32 { return load<u32>(link_at(pfn), 4) ^ prev_key(pfn); }
@inline export function set_page_prev(pfn: u32, v: u32): void { store<u32>(link_at(pfn), v ^ prev_key(pfn), 4); }
/** Both links in one store. */
@inline export function set_page_links(pfn: u32, next: u32, prev: u32): void {
  store<u64>(link_at(pfn), (<u64>(next ^ next_key(pfn))) | (<u64>(prev ^ prev_key(pfn)) << 32));
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


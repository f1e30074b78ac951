// Files of the FUSE mount: struct address_space per inode (index -> page), the per-index content version
// the writers produced (the data token), what the server's backing store holds, and a dirty bitmap that
// stands for the xarray's DIRTY tag so writeback finds dirty pages without scanning clean ones.
import { NONE } from "../mm/constants";
import { st_add, NR_SHMEM } from "./stats";
import { arena_alloc } from "../sim/arena";

export const MAX_INODES: u32 = 64;
/** Owner word `next` of a page of the server's tmpfs backing file of inode i: OWNER_SHMEM + i (`prev`: the index).
 *  Page-cache pages of the FUSE file itself hold the inode number, below MAX_INODES. */
export const OWNER_SHMEM: u32 = MAX_INODES;
const ino_pages = new StaticArray<u32>(<i32>MAX_INODES);
const ino_map = new StaticArray<usize>(<i32>MAX_INODES); // u32 pfn per index
const ino_ver = new StaticArray<usize>(<i32>MAX_INODES); // u32 version per index (page cache content)
const ino_server_ver = new StaticArray<usize>(<i32>MAX_INODES); // u32 version per index (backing store)
const ino_backing = new StaticArray<usize>(<i32>MAX_INODES); // u32 pfn per index of the server's tmpfs file
const ino_dirty = new StaticArray<usize>(<i32>MAX_INODES); // u64 words, one bit per index
/** Pages made clean without being written: ->writepage returned AOP_WRITEPAGE_ACTIVATE (6.1/6.6 reclaim or
 *  migration) after the dirty bit was cleared. Their data is lost unless written again. */
const ino_unwritten = new StaticArray<usize>(<i32>MAX_INODES);
/** iomap_folio_state's write_bytes_pending, in blocks, of the folio whose head is at this index (u16). */
const ino_wb_pending = new StaticArray<usize>(<i32>MAX_INODES);
/** Where the folio whose head is at this index sits on the file LRU (fs/lru.ts: list and ring position), u32. */
const ino_lru = new StaticArray<usize>(<i32>MAX_INODES);
export const ino_nr_dirty = new StaticArray<u32>(<i32>MAX_INODES); // dirty pages (blocks)
export const ino_nr_writeback = new StaticArray<u32>(<i32>MAX_INODES); // pages of in-flight requests
export const ino_writeback_index = new StaticArray<u32>(<i32>MAX_INODES);
/** fuse_inode->i_time: the attributes are valid until then (the server's attr_valid, from its attr timeout). */
export const ino_attr_valid_until = new StaticArray<u64>(<i32>MAX_INODES);
/** inode->dirtied_when, in jiffies: when the inode last went from clean to dirty, or as requeue_inode() re-dated it. */
export const ino_dirtied_when = new StaticArray<u64>(<i32>MAX_INODES);
/** i_size in bytes: fio's layout sets it (fallocate, ftruncate), fuse_write_end() extends it. */
export const ino_i_size = new StaticArray<u64>(<i32>MAX_INODES);
/** mapping_set_error(): an abort ended a write of this file with an error. */
export const ino_error = new StaticArray<u32>(<i32>MAX_INODES);
export let nr_inodes: u32 = 0;
/** The first of each file's pages in one numbering of every file page (the file LRU's entries, fs/lru.ts). */
const ino_base = new StaticArray<u32>(<i32>MAX_INODES);
export let total_file_pages: u32 = 0;


/** A file of `pages` pages (grows on demand up to that size); returns its inode number. */
export function inode_create(pages: u32): u32 {
  const ino = nr_inodes++;
  const n = <usize>pages;
  unchecked(ino_base[ino] = total_file_pages);
  total_file_pages += pages;
  unchecked(ino_pages[ino] = pages);
  // every array starts as the arena's zeroed memory, untouched until a page is used (a first touch is a page fault
  // of the host, 14 us on 2026-12-07's VM: 22 bytes a page of a 64 GiB file are 88,000 of them): a version or a
  // bit is 0 when nothing was written, and the PFN and LRU maps store their values complemented, so that NONE is 0
  unchecked(ino_map[ino] = arena_alloc(n << 2));
  unchecked(ino_ver[ino] = arena_alloc(n << 2));
  unchecked(ino_server_ver[ino] = arena_alloc(n << 2));
  unchecked(ino_backing[ino] = arena_alloc(n << 2));
  const words = (n + 63) >> 6;
  unchecked(ino_dirty[ino] = arena_alloc(words << 3));
  unchecked(ino_unwritten[ino] = arena_alloc(words << 3));
  unchecked(ino_wb_pending[ino] = arena_alloc(n << 1));
  unchecked(ino_lru[ino] = arena_alloc(n << 2));
  unchecked(ino_nr_dirty[ino] = 0);
  unchecked(ino_nr_writeback[ino] = 0);
  unchecked(ino_writeback_index[ino] = 0);
  unchecked(ino_dirtied_when[ino] = 0);
  unchecked(ino_error[ino] = 0);
  unchecked(ino_i_size[ino] = 0);
  return ino;
}

@inline export function inode_pages(ino: u32): u32 { return unchecked(ino_pages[ino]); }
@inline export function mapping_pfn(ino: u32, index: u32): u32 { return ~load<u32>(unchecked(ino_map[ino]) + (<usize>index << 2)); }
@inline export function set_mapping_pfn(ino: u32, index: u32, pfn: u32): void { store<u32>(unchecked(ino_map[ino]) + (<usize>index << 2), ~pfn); }
@inline export function page_version(ino: u32, index: u32): u32 { return load<u32>(unchecked(ino_ver[ino]) + (<usize>index << 2)); }
@inline export function set_page_version(ino: u32, index: u32, v: u32): void { store<u32>(unchecked(ino_ver[ino]) + (<usize>index << 2), v); }
@inline export function server_version(ino: u32, index: u32): u32 { return load<u32>(unchecked(ino_server_ver[ino]) + (<usize>index << 2)); }
@inline export function set_server_version(ino: u32, index: u32, v: u32): void { store<u32>(unchecked(ino_server_ver[ino]) + (<usize>index << 2), v); }

/** The page of the server's tmpfs file that holds index `index` of file `ino` (NONE until written). */
@inline export function folio_wb_pending(ino: u32, index: u32): u32 { return <u32>load<u16>(unchecked(ino_wb_pending[ino]) + (<usize>index << 1)); }
@inline export function set_folio_wb_pending(ino: u32, index: u32, v: u32): void { store<u16>(unchecked(ino_wb_pending[ino]) + (<usize>index << 1), <u16>v); }
@inline export function backing_pfn(ino: u32, index: u32): u32 { return ~load<u32>(unchecked(ino_backing[ino]) + (<usize>index << 2)); }
@inline export function set_backing_pfn(ino: u32, index: u32, pfn: u32): void { store<u32>(unchecked(ino_backing[ino]) + (<usize>index << 2), ~pfn); }
/** A file page's number among all files' pages, and back. */
@inline export function file_page_id(ino: u32, index: u32): u32 { return unchecked(ino_base[ino]) + index; }
export function file_page_ino(id: u32): u32 {
  let ino = nr_inodes - 1;
  while (unchecked(ino_base[ino]) > id) ino--;
  return ino;
}
@inline export function file_page_index(id: u32, ino: u32): u32 { return id - unchecked(ino_base[ino]); }
@inline export function lru_slot(ino: u32, index: u32): u32 { return ~load<u32>(unchecked(ino_lru[ino]) + (<usize>index << 2)); }
@inline export function set_lru_slot(ino: u32, index: u32, v: u32): void { store<u32>(unchecked(ino_lru[ino]) + (<usize>index << 2), ~v); }
/** NR_SHMEM: pages of the server's tmpfs files. */
export function mod_shmem(v: i64): void { st_add(NR_SHMEM, v); }

@inline export function test_dirty_bit(ino: u32, index: u32): bool {
  return (load<u64>(unchecked(ino_dirty[ino]) + (<usize>(index >> 6) << 3)) & (<u64>1 << (index & 63))) != 0;
}
export function set_dirty_bit(ino: u32, index: u32): void {
  const at = unchecked(ino_dirty[ino]) + (<usize>(index >> 6) << 3);
  store<u64>(at, load<u64>(at) | (<u64>1 << (index & 63)));
}
export function clear_dirty_bit(ino: u32, index: u32): void {
  const at = unchecked(ino_dirty[ino]) + (<usize>(index >> 6) << 3);
  store<u64>(at, load<u64>(at) & ~(<u64>1 << (index & 63)));
}

@inline export function test_unwritten_bit(ino: u32, index: u32): bool {
  return (load<u64>(unchecked(ino_unwritten[ino]) + (<usize>(index >> 6) << 3)) & (<u64>1 << (index & 63))) != 0;
}
export function set_unwritten_bit(ino: u32, index: u32): void {
  const at = unchecked(ino_unwritten[ino]) + (<usize>(index >> 6) << 3);
  store<u64>(at, load<u64>(at) | (<u64>1 << (index & 63)));
}
export function clear_unwritten_bit(ino: u32, index: u32): void {
  const at = unchecked(ino_unwritten[ino]) + (<usize>(index >> 6) << 3);
  store<u64>(at, load<u64>(at) & ~(<u64>1 << (index & 63)));
}

/** The first dirty index >= from (NONE if none): the DIRTY tag lookup of write_cache_pages(). */
export function next_dirty_index(ino: u32, from: u32): u32 {
  const pages = unchecked(ino_pages[ino]);
  if (from >= pages) return NONE;
  const base = unchecked(ino_dirty[ino]);
  const words = (pages + 63) >> 6;
  let w = from >> 6;
  let bits = load<u64>(base + (<usize>w << 3)) & (~(<u64>0) << (from & 63));
  while (true) {
    if (bits != 0) {
      const i = (w << 6) + <u32>ctz(bits);
      return i < pages ? i : NONE;
    }
    w++;
    if (w >= words) return NONE;
    bits = load<u64>(base + (<usize>w << 3));
  }
}

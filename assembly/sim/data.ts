// Data mode (DESIGN.md section 2, "Data"): real 4 KiB contents for the page frames that hold file data, the
// bytes the writers wrote (each file's expected image) and the server's backing store, so that every copy of
// the writeback paths is a real memory.copy and the end of a run compares the backing store with the writers'
// data byte by byte.
// Frames are sparse: only a page that holds file data (a page-cache page, a legacy temp page, a migration
// target of either) has a 4 KiB frame, from a pool that grows in chunks; a page without one reads as zeros.
// When the pool is full, frames of pages that no longer hold file data (freed, reclaimed, or reused for
// something else) go back to it before it grows. So the memory is 4 bytes a page of the machine, plus 4 KiB a
// page of file data alive at once, plus twice the files: any machine whose data fits wasm32 runs, and a run
// that outgrows it stops with data_out_of_memory set (host: a one-line error naming the limit).
import { NONE } from "../mm/constants";
import { nr_pages, page_flags, page_next, page_prev, PG_owner, PG_temp, PG_uptodate } from "../mm/page";
import { nr_inodes, inode_pages, mapping_pfn } from "../fs/inode";
import { param, CFG_DATA_MODE } from "./config";
import { arena_alloc, arena_has_room } from "./arena";

export let data_mode: bool = false;
// Every data_* entry point that the writeback paths call per page tests data mode inline and does its work out of
// line: without data mode (the default) a page costs no call.
/** A frame or an image could not be allocated within wasm32's 4 GiB: the run must stop (sim_run checks). */
export let data_out_of_memory: bool = false;

// Per file, a table of pointers to 64 MiB pieces of its image (an allocation is at most 1 GiB in AssemblyScript)
const expected = new StaticArray<usize>(64);
const backing = new StaticArray<usize>(64);
const IMAGE_CHUNK_SHIFT: u32 = 14; // 16384 pages
@inline function image_page(table: usize, index: u32): usize {
  return load<usize>(table + (<usize>(index >> IMAGE_CHUNK_SHIFT) << alignof<usize>())) + (<usize>(index & ((1 << IMAGE_CHUNK_SHIFT) - 1)) << 12);
}

// slot_of[pfn]: the page's frame slot, NONE if it has none. Slot s lives in chunk s >> CHUNK_SHIFT.
const CHUNK_SHIFT: u32 = 6; // 64 frames, 256 KiB a chunk
let slot_of: usize = 0;
let chunks: usize = 0; // usize per chunk: its base
let chunks_cap: u32 = 0;
let nr_chunks: u32 = 0;
let free_slots: usize = 0; // u32 stack of free slots
let nr_free_slots: u32 = 0;
let free_cap: u32 = 0;
/** Frames handed out and not yet given back: the data mode's live frames. */
export let data_frames_live: u32 = 0;
/** Most frames in use at once (for the report of a run that ran out of memory). */
export let data_frames_peak: u32 = 0;
const ZERO_PAGE = memory.data(4096, 16);

function alloc_or_oom(bytes: u64): usize {
  if (!arena_has_room(bytes)) { data_out_of_memory = true; return 0; }
  return arena_alloc(<usize>bytes);
}

export function data_init(): void {
  data_mode = param(CFG_DATA_MODE) != 0;
  data_out_of_memory = false;
  data_frames_live = 0;
  data_frames_peak = 0;
  nr_chunks = 0;
  nr_free_slots = 0;
  if (!data_mode) return;
  if (slot_of == 0) {
    slot_of = alloc_or_oom(<u64>nr_pages << 2);
    if (slot_of == 0) return;
  }
  memory.fill(slot_of, 0xff, <usize>nr_pages << 2);
}

/** An image of `pages` zeroed pages, as a table of pieces; 0 when wasm32 has no room. */
function image_alloc(pages: u32): usize {
  const n = (pages + (1 << IMAGE_CHUNK_SHIFT) - 1) >> IMAGE_CHUNK_SHIFT;
  if (!arena_has_room((<u64>pages << 12) + (<u64>n << 2) + (<u64>n << 4))) { data_out_of_memory = true; return 0; }
  const table = arena_alloc(<usize>max<u32>(n, 1) << alignof<usize>());
  for (let k: u32 = 0; k < n; k++) {
    const piece_pages = min<u32>(1 << IMAGE_CHUNK_SHIFT, pages - (k << IMAGE_CHUNK_SHIFT));
    const piece = arena_alloc(<usize>piece_pages << 12);
    memory.fill(piece, 0, <usize>piece_pages << 12);
    store<usize>(table + (<usize>k << alignof<usize>()), piece);
  }
  return table;
}

/** Called for each file when it is created. */
export function data_file(ino: u32, pages: u32): void {
  if (!data_mode || data_out_of_memory) return;
  const e = image_alloc(pages);
  const b = e == 0 ? 0 : image_alloc(pages);
  if (b == 0) return;
  unchecked(expected[ino] = e);
  unchecked(backing[ino] = b);
}

@inline function slot(pfn: u32): u32 { return load<u32>(slot_of + (<usize>pfn << 2)); }
@inline function set_slot(pfn: u32, s: u32): void { store<u32>(slot_of + (<usize>pfn << 2), s); }
@inline function slot_addr(s: u32): usize {
  return load<usize>(chunks + (<usize>(s >> CHUNK_SHIFT) << alignof<usize>())) + (<usize>(s & ((1 << CHUNK_SHIFT) - 1)) << 12);
}

/** Does this page still hold file data? A temp page, or a page-cache page its mapping points at. */
function holds_file_data(pfn: u32): bool {
  const f = page_flags(pfn);
  if ((f & PG_owner) == 0) return false;
  if ((f & PG_temp) != 0) return true;
  const ino = page_next(pfn), index = page_prev(pfn); // owner words of a page-cache page: (inode, index)
  return ino < nr_inodes && index < inode_pages(ino) && mapping_pfn(ino, index) == pfn;
}

function push_free(s: u32): void {
  if (nr_free_slots == free_cap) {
    const cap = max<u32>(64, free_cap << 1);
    const bigger = alloc_or_oom(<u64>cap << 2);
    if (bigger == 0) return; // the slot is leaked; the run stops anyway
    if (free_cap > 0) memory.copy(bigger, free_slots, <usize>free_cap << 2);
    free_slots = bigger;
    free_cap = cap;
  }
  store<u32>(free_slots + (<usize>nr_free_slots << 2), s);
  nr_free_slots++;
}

/** Gives back the frames of pages that hold no file data any more. */
function reclaim_frames(): void {
  for (let p: u32 = 0; p < nr_pages; p++) {
    const s = slot(p);
    if (s == NONE || holds_file_data(p)) continue;
    set_slot(p, NONE);
    push_free(s);
    data_frames_live--;
  }
}

/** One more chunk of frames; false, and nothing changed, when wasm32 has no room for it. */
function grow_pool(): bool {
  if (!arena_has_room((<u64>4096 << CHUNK_SHIFT) + (<u64>chunks_cap << 3) + (<u64>free_cap << 3) + 1024)) return false;
  if (nr_chunks == chunks_cap) {
    const cap = max<u32>(16, chunks_cap << 1);
    const bigger = alloc_or_oom(<u64>cap << alignof<usize>());
    if (bigger == 0) return false;
    if (chunks_cap > 0) memory.copy(bigger, chunks, <usize>chunks_cap << alignof<usize>());
    chunks = bigger;
    chunks_cap = cap;
  }
  const base = alloc_or_oom(<u64>4096 << CHUNK_SHIFT);
  if (base == 0) return false;
  store<usize>(chunks + (<usize>nr_chunks << alignof<usize>()), base);
  const first = nr_chunks << CHUNK_SHIFT;
  nr_chunks++;
  for (let i: u32 = (1 << CHUNK_SHIFT); i > 0; i--) push_free(first + i - 1);
  return !data_out_of_memory;
}

/** The page's frame, given one if it has none. 0 when the pool cannot grow (data_out_of_memory). */
function frame_for_write(pfn: u32): usize {
  let s = slot(pfn);
  if (s != NONE) return slot_addr(s);
  if (nr_free_slots == 0) {
    // frames of pages that left the page cache come back first; grow when that gives back under half a pool
    const pool = nr_chunks << CHUNK_SHIFT;
    if (pool > 0) reclaim_frames();
    // the pool doubles (as far as wasm32 has room), so sweeps of every page stay rare
    if (nr_free_slots == 0 || nr_free_slots < (pool >> 1)) {
      const chunks_wanted = max<u32>(1, nr_chunks);
      for (let k: u32 = 0; k < chunks_wanted; k++) if (!grow_pool()) break;
    }
    if (nr_free_slots == 0) {
      data_out_of_memory = true;
      return 0;
    }
  }
  nr_free_slots--;
  s = load<u32>(free_slots + (<usize>nr_free_slots << 2));
  set_slot(pfn, s);
  data_frames_live++;
  if (data_frames_live > data_frames_peak) data_frames_peak = data_frames_live;
  return slot_addr(s);
}

/** The page's frame to read; a page without one holds zeros. */
@inline function frame_for_read(pfn: u32): usize {
  const s = slot(pfn);
  return s == NONE ? ZERO_PAGE : slot_addr(s);
}

/** write(2): the user's bytes (one value per write, so that writes can be told apart) land in the file's
 *  expected image and are copied into the page-cache pages (copy_from_user). A page that is not uptodate and
 *  that the write does not cover whole is first read from the server (fuse_write_begin() ->
 *  fuse_do_readfolio(); the writer has already waited for the range's writeback, so the server has what was
 *  written before): a page reclaimed after a partial write keeps the rest of its bytes. */
@inline export function data_write(ino: u32, off: u64, len: u64, pfn: u32, write_no: u64): void {
  if (data_mode && !data_out_of_memory) data_write_frames(ino, off, len, pfn, write_no);
}
function data_write_frames(ino: u32, off: u64, len: u64, pfn: u32, write_no: u64): void {
  const value = <u8>((write_no * 131 + <u64>ino * 7 + 1) & 0xff);
  const first = <u32>(off >> 12), last = <u32>((off + len - 1) >> 12);
  for (let i = first; i <= last; i++) {
    const from = i == first ? <usize>(off & 4095) : 0;
    const to = i == last ? <usize>(((off + len - 1) & 4095) + 1) : 4096;
    const img = image_page(unchecked(expected[ino]), i);
    memory.fill(img + from, value, to - from);
    const page = pfn + (i - first);
    const dst = frame_for_write(page);
    if (dst == 0) return;
    if ((page_flags(page) & PG_uptodate) == 0 && (from != 0 || to != 4096))
      memory.copy(dst, image_page(unchecked(backing[ino]), i), 4096);
    memory.copy(dst + from, img + from, to - from);
  }
}

/** A new page-cache folio starts zeroed (a read past the server's data returns zeros). */
@inline export function data_zero(pfn: u32, n: u32): void {
  if (data_mode && !data_out_of_memory) data_zero_frames(pfn, n);
}
function data_zero_frames(pfn: u32, n: u32): void {
  for (let i: u32 = 0; i < n; i++) {
    const f = frame_for_write(pfn + i);
    if (f == 0) return;
    memory.fill(f, 0, 4096);
  }
}

/** A page's contents to another frame: the legacy temp copy, or migration. A source without data (an anon
 *  page) leaves the destination without a frame, which reads as zeros. */
@inline export function data_copy_page(dst: u32, src: u32): void {
  if (data_mode && !data_out_of_memory && dst != NONE && src != NONE) data_copy_page_frames(dst, src);
}
function data_copy_page_frames(dst: u32, src: u32): void {
  if (slot(src) == NONE) {
    const s = slot(dst);
    if (s != NONE) { set_slot(dst, NONE); push_free(s); data_frames_live--; }
    return;
  }
  const to = frame_for_write(dst);
  if (to != 0) memory.copy(to, frame_for_read(src), 4096);
}

/** The server stores the page it read (from /dev/fuse or the pipe) in its backing file. */
@inline export function data_server_store(ino: u32, index: u32, pfn: u32): void {
  if (data_mode && !data_out_of_memory && pfn != NONE) data_server_store_frame(ino, index, pfn);
}
function data_server_store_frame(ino: u32, index: u32, pfn: u32): void {
  memory.copy(image_page(unchecked(backing[ino]), index), frame_for_read(pfn), 4096);
}

/** The reply to a FUSE_READ fills the page-cache page with what the server's backing file holds. */
@inline export function data_server_read(ino: u32, index: u32, pfn: u32): void {
  if (data_mode && !data_out_of_memory) data_server_read_frames(ino, index, pfn);
}
function data_server_read_frames(ino: u32, index: u32, pfn: u32): void {
  const dst = frame_for_write(pfn);
  if (dst != 0) memory.copy(dst, image_page(unchecked(backing[ino]), index), 4096);
}

/** Does the backing store hold, for this page, exactly what the writers wrote? */
export function data_page_matches(ino: u32, index: u32): bool {
  if (!data_mode || data_out_of_memory) return true;
  return memory.compare(image_page(unchecked(backing[ino]), index), image_page(unchecked(expected[ino]), index), 4096) == 0;
}

/** The address of one byte of the server's backing store (0 outside data mode): the debug build's fault plants. */
export function data_backing_byte(ino: u32, index: u32, byte: u32): usize {
  return data_mode ? image_page(unchecked(backing[ino]), index) + <usize>byte : 0;
}

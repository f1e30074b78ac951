// Data mode (DESIGN.md section 2, "Data"): real 4 KiB contents for every page frame, the bytes the writers
// wrote (each file's expected image) and the server's backing store, so that every copy of the writeback
// paths is a real memory.copy and the end of a run compares the backing store with the writers' data byte
// by byte. For machines that fit: frames take 4 KiB a page, the images twice the files' size.
import { NONE } from "../mm/constants";
import { nr_pages } from "../mm/page";
import { g, CFG_DATA_MODE } from "./config";

export let data_mode: bool = false;
let frames: usize = 0;
const expected = new StaticArray<usize>(64);
const backing = new StaticArray<usize>(64);

export function data_init(): void {
  data_mode = g(CFG_DATA_MODE) != 0;
  if (data_mode) frames = heap.alloc(<usize>nr_pages << 12);
}

/** Called for each file when it is created. */
export function data_file(ino: u32, pages: u32): void {
  if (!data_mode) return;
  const bytes = <usize>pages << 12;
  unchecked(expected[ino] = heap.alloc(bytes));
  unchecked(backing[ino] = heap.alloc(bytes));
  memory.fill(unchecked(expected[ino]), 0, bytes);
  memory.fill(unchecked(backing[ino]), 0, bytes);
}

@inline function frame(pfn: u32): usize { return frames + (<usize>pfn << 12); }

/** write(2): the user's bytes (one value per write, so that writes can be told apart) land in the file's
 *  expected image and are copied into the page-cache page (copy_from_user). */
export function data_write(ino: u32, off: u64, len: u64, pfn: u32, write_no: u64): void {
  if (!data_mode) return;
  const img = unchecked(expected[ino]) + <usize>off;
  memory.fill(img, <u8>((write_no * 131 + <u64>ino * 7 + 1) & 0xff), <usize>len);
  memory.copy(frame(pfn) + <usize>(off & 4095), img, <usize>len);
}

/** A new page-cache folio starts zeroed (fuse_write_begin zeroes what a partial write leaves). */
export function data_zero(pfn: u32, n: u32): void {
  if (data_mode) memory.fill(frame(pfn), 0, <usize>n << 12);
}

/** A page's contents to another frame: the legacy temp copy, or migration. */
export function data_copy_page(dst: u32, src: u32): void {
  if (data_mode && dst != NONE && src != NONE) memory.copy(frame(dst), frame(src), 4096);
}

/** The server stores the page it read (from /dev/fuse or the pipe) in its backing file. */
export function data_server_store(ino: u32, index: u32, pfn: u32): void {
  if (data_mode && pfn != NONE) memory.copy(unchecked(backing[ino]) + (<usize>index << 12), frame(pfn), 4096);
}

/** Does the backing store hold, for this page, exactly what the writers wrote? */
export function data_page_matches(ino: u32, index: u32): bool {
  if (!data_mode) return true;
  const off = <usize>index << 12;
  return memory.compare(unchecked(backing[ino]) + off, unchecked(expected[ino]) + off, 4096) == 0;
}

/** The address of one byte of the server's backing store (0 outside data mode): the debug build's fault plants. */
export function data_backing_byte(ino: u32, index: u32, byte: u32): usize {
  return data_mode ? unchecked(backing[ino]) + (<usize>index << 12) + <usize>byte : 0;
}

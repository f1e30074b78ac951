// The wb's inode lists and the inode state bits around them (fs/fs-writeback.c, 6.12): b_dirty (newest dirtied at
// the head), b_io (the flusher takes from the tail) and b_more_io, with I_DIRTY_PAGES, I_SYNC_QUEUED and I_SYNC.
// - __mark_inode_dirty(): an inode that was not dirty is dated (dirtied_when = jiffies) and goes to the head of
//   b_dirty, unless the flusher has queued it (I_SYNC_QUEUED): then it keeps its place and its date.
// - queue_io(): b_more_io first, then move_expired_inodes() from b_dirty's tail, oldest first, while dirtied no later
//   than dirtied_before (background and sync work: now; kupdate: dirty_expire_interval ago).
// - requeue_inode() after each ->writepages call of the flusher; redirty_tail_locked() re-dates an inode only when it
//   is older than the newest of b_dirty, so b_dirty stays ordered by dirtied_when.
// - I_DIRTY_SYNC: the times changed (file_update_time()); ->write_inode after the next writeback sends them.
// - I_SYNC: one writeback of an inode at a time, the flusher's (writeback_sb_inodes()) or a write_inode_now()
//   (fuse_flush() at close); the other waits, or, for the flusher's WB_SYNC_NONE work, moves the inode to b_more_io.
// dirtied_when is in jiffies, as the kernel's. The lists hold inode numbers; the mount has at most MAX_INODES.
import { NONE } from "../mm/constants";
import { MAX_INODES, ino_nr_dirty, ino_dirtied_when } from "./inode";

export const B_NONE: u32 = 0;
export const B_DIRTY: u32 = 1;
export const B_IO: u32 = 2;
export const B_MORE_IO: u32 = 3;
const NR_LISTS: i32 = 4;

/** The list each inode is on (inode->i_io_list), B_NONE when clean (inode_cgwb_move_to_attached()). */
const ino_list = new StaticArray<u32>(<i32>MAX_INODES);
/** List l's inodes, head first: items[l * MAX_INODES + k]. */
const items = new StaticArray<u32>(NR_LISTS * <i32>MAX_INODES);
const list_len = new StaticArray<u32>(NR_LISTS);
/** move_expired_inodes()'s tmp list (static: the runtime allocates nothing after boot). */
const tmp = new StaticArray<u32>(<i32>MAX_INODES);
/** I_DIRTY_PAGES: set when a page is dirtied, cleared by __writeback_single_inode() when no page is left dirty. */
const i_dirty_pages = new StaticArray<bool>(<i32>MAX_INODES);
/** I_DIRTY_SYNC: the inode's times changed since its last ->write_inode (file_update_time()). */
const i_dirty_sync = new StaticArray<bool>(<i32>MAX_INODES);
/** I_SYNC_QUEUED: queued for writeback by the flusher (move_expired_inodes()) until redirtied or cleaned. */
const i_sync_queued = new StaticArray<bool>(<i32>MAX_INODES);
/** I_SYNC: who writes the inode back now: NONE, I_SYNC_FLUSHER, or writer j (write_inode_now() at close). */
const i_sync = new StaticArray<u32>(<i32>MAX_INODES);
export const I_SYNC_FLUSHER: u32 = 0x7fffffff;

export function wb_lists_init(): void {
  for (let i = 0; i < <i32>MAX_INODES; i++) {
    unchecked(ino_list[i] = B_NONE);
    unchecked(i_dirty_pages[i] = false);
    unchecked(i_dirty_sync[i] = false);
    unchecked(i_sync_queued[i] = false);
    unchecked(i_sync[i] = NONE);
  }
  for (let l = 0; l < NR_LISTS; l++) unchecked(list_len[l] = 0);
}

@inline function item(l: u32, k: u32): u32 { return unchecked(items[<i32>(l * MAX_INODES + k)]); }
@inline function set_item(l: u32, k: u32, ino: u32): void { unchecked(items[<i32>(l * MAX_INODES + k)] = ino); }

/** The inode at position k of list l from its head (NONE past the end): the test harness's view. */
export function wb_list_at(l: u32, k: u32): u32 { return k < unchecked(list_len[l]) ? item(l, k) : NONE; }

export function list_empty(l: u32): bool { return unchecked(list_len[l]) == 0; }
/** The list's tail (l.prev): where the flusher takes from. */
export function list_tail(l: u32): u32 { const n = unchecked(list_len[l]); return n == 0 ? NONE : item(l, n - 1); }
function list_head(l: u32): u32 { return unchecked(list_len[l]) == 0 ? NONE : item(l, 0); }

function list_del(ino: u32): void {
  const l = unchecked(ino_list[ino]);
  if (l == B_NONE) return;
  const n = unchecked(list_len[l]);
  let k: u32 = 0;
  while (k < n && item(l, k) != ino) k++;
  for (; k + 1 < n; k++) set_item(l, k, item(l, k + 1));
  unchecked(list_len[l] = n - 1);
  unchecked(ino_list[ino] = B_NONE);
}

/** wb_has_dirty_io(): any inode on b_dirty, b_io or b_more_io. */
export function wb_has_dirty_io(): bool {
  return !list_empty(B_DIRTY) || !list_empty(B_IO) || !list_empty(B_MORE_IO);
}

/** inode_io_list_move_locked(): to the head of list l; true when the wb had no dirty io before (the caller
 *  wakes the flusher's delayed work then). */
function list_move(ino: u32, l: u32): bool {
  const was_empty = !wb_has_dirty_io();
  list_del(ino);
  const n = unchecked(list_len[l]);
  for (let k = n; k > 0; k--) set_item(l, k, item(l, k - 1));
  set_item(l, 0, ino);
  unchecked(list_len[l] = n + 1);
  unchecked(ino_list[ino] = l);
  return was_empty;
}

@inline function dirtied_after(ino: u32, t: i64): bool { return <i64>unchecked(ino_dirtied_when[ino]) > t; }

/** __mark_inode_dirty(inode, I_DIRTY_PAGES) from filemap_dirty_folio(): true when the flusher's delayed work must
 *  be queued (wb_wakeup_delayed()). */
/** inode->i_state & I_DIRTY_PAGES */
@inline export function inode_dirty_pages(ino: u32): bool { return unchecked(i_dirty_pages[ino]); }

export function __mark_inode_dirty(ino: u32, jiffies: u64): bool {
  if (unchecked(i_dirty_pages[ino])) return false; // (inode->i_state & flags) == flags
  const was_dirty = unchecked(i_dirty_sync[ino]);
  unchecked(i_dirty_pages[ino] = true);
  return mark_dirty_list(ino, was_dirty, jiffies);
}

/** __mark_inode_dirty(inode, I_DIRTY_SYNC) from generic_update_time(). */
export function __mark_inode_dirty_sync(ino: u32, jiffies: u64): bool {
  if (unchecked(i_dirty_sync[ino])) return false;
  const was_dirty = unchecked(i_dirty_pages[ino]);
  unchecked(i_dirty_sync[ino] = true);
  return mark_dirty_list(ino, was_dirty, jiffies);
}

/** The list part: an inode the flusher has queued keeps its place; one that was not dirty is dated and goes to
 *  b_dirty's head ("If the inode was already on b_dirty/b_io/b_more_io, don't reposition it"). */
function mark_dirty_list(ino: u32, was_dirty: bool, jiffies: u64): bool {
  if (unchecked(i_sync_queued[ino]) || was_dirty) return false;
  unchecked(ino_dirtied_when[ino] = jiffies);
  return list_move(ino, B_DIRTY);
}

/** __writeback_single_inode(): after ->writepages the dirty flags are taken (I_DIRTY_PAGES stays only if the
 *  mapping is still tagged dirty); true when I_DIRTY_SYNC was among them, so that ->write_inode follows. */
export function writeback_single_inode_flags(ino: u32): bool {
  const sync = unchecked(i_dirty_sync[ino]);
  unchecked(i_dirty_sync[ino] = false);
  unchecked(i_dirty_pages[ino] = unchecked(ino_nr_dirty[ino]) > 0);
  return sync;
}
/** I_DIRTY_ALL (no I_DIRTY_TIME here): dirty pages or times. */
@inline export function inode_dirty(ino: u32): bool { return unchecked(i_dirty_pages[ino]) || unchecked(i_dirty_sync[ino]); }

/** redirty_tail_locked(). */
export function redirty_tail(ino: u32, jiffies: u64): void {
  unchecked(i_sync_queued[ino] = false);
  const newest = list_head(B_DIRTY);
  if (newest != NONE && unchecked(ino_dirtied_when[ino]) < unchecked(ino_dirtied_when[newest]))
    unchecked(ino_dirtied_when[ino] = jiffies);
  list_move(ino, B_DIRTY);
}

/** requeue_io(): rescanned once b_io is exhausted. */
export function requeue_io(ino: u32): void { list_move(ino, B_MORE_IO); }

/** inode_cgwb_move_to_attached(): clean, off the writeback lists. */
export function inode_detach(ino: u32): void {
  unchecked(i_sync_queued[ino] = false);
  list_del(ino);
}

/** requeue_inode() for the flusher's call on `ino`, which left `nr_to_write` of its chunk unused: `sync` is
 *  WB_SYNC_ALL (the livelock rule re-dates an inode still dirty), `dirtied_before` the pass's, in jiffies. */
export function requeue_inode(ino: u32, nr_to_write: i64, sync: bool, dirtied_before: i64, jiffies: u64): void {
  if (inode_dirty(ino) && sync) unchecked(ino_dirtied_when[ino] = jiffies);
  if (unchecked(i_dirty_pages[ino])) { // mapping_tagged(PAGECACHE_TAG_DIRTY)
    // the slice was used up: the next turn; else blocked by something other than the slice (FUSE's congestion
    // gate among others): back to b_dirty, to be retried later
    if (nr_to_write <= 0 && !dirtied_after(ino, dirtied_before)) requeue_io(ino);
    else redirty_tail(ino, jiffies);
  } else if (unchecked(i_dirty_sync[ino])) redirty_tail(ino, jiffies); // its times dirtied again meanwhile
  else inode_detach(ino);
}

/** writeback_single_inode()'s end for write_inode_now(): clean inodes leave the lists; one still dirty goes back to
 *  b_dirty unless the flusher has it queued. */
export function write_inode_now_requeue(ino: u32, jiffies: u64): void {
  if (!inode_dirty(ino)) inode_detach(ino);
  else if (!unchecked(i_sync_queued[ino])) redirty_tail(ino, jiffies);
}

/** queue_io(): b_more_io, then the inodes of b_dirty dirtied no later than dirtied_before (move_expired_inodes():
 *  from the tail, stopping at the first younger one), placed at b_io's head in the order they are moved from, so
 *  that the flusher takes the oldest first. Returns how many moved from b_dirty. */
export function queue_io(dirtied_before: i64): u32 {
  // list_splice_init(&wb->b_more_io, &wb->b_io): b_more_io's inodes in front of b_io's
  const nm = unchecked(list_len[B_MORE_IO]);
  for (let k: i32 = <i32>nm - 1; k >= 0; k--) list_move(item(B_MORE_IO, 0 + <u32>k), B_IO);
  // move_expired_inodes(): each onto tmp's head, then tmp spliced to b_io's head: the first moved (the oldest)
  // ends nearest b_io's tail of those moved
  let moved: u32 = 0;
  while (!list_empty(B_DIRTY)) {
    const ino = list_tail(B_DIRTY);
    if (dirtied_after(ino, dirtied_before)) break;
    list_del(ino);
    unchecked(tmp[<i32>moved] = ino);
    moved++;
    unchecked(i_sync_queued[ino] = true);
  }
  for (let k: u32 = 0; k < moved; k++) list_move(unchecked(tmp[<i32>k]), B_IO);
  return moved;
}

/** Debug builds (assembly/sim/plant.ts): a dirty inode falls off the lists, so the flusher would never see it. */
export function plant_inode_unlisted(ino: u32): bool {
  if (unchecked(ino_list[ino]) == B_NONE) return false;
  list_del(ino);
  return true;
}

// I_SYNC
@inline export function inode_i_sync(ino: u32): u32 { return unchecked(i_sync[ino]); }
export function inode_set_i_sync(ino: u32, owner: u32): void { unchecked(i_sync[ino] = owner); }

/** The checker: every inode on the list it records and each list's length right; an inode with dirty pages is
 *  marked dirty (I_DIRTY_PAGES), one marked dirty (pages or times) is on a list, and one the flusher queued is on
 *  b_io or b_more_io. */
/** The inode the last failed wb_lists_check() names (NONE: a list's count). */
export let wb_lists_invariant_where: u32 = NONE;
export function wb_lists_check(nr: u32): bool {
  wb_lists_invariant_where = NONE;
  let total: u32 = 0;
  for (let l: u32 = 1; l < <u32>NR_LISTS; l++) {
    const n = unchecked(list_len[l]);
    total += n;
    for (let k: u32 = 0; k < n; k++) if (unchecked(ino_list[item(l, k)]) != l) { wb_lists_invariant_where = item(l, k); return false; }
  }
  let on: u32 = 0;
  for (let i: u32 = 0; i < nr; i++) {
    const l = unchecked(ino_list[i]);
    if (l != B_NONE) on++;
    wb_lists_invariant_where = i;
    if (unchecked(ino_nr_dirty[i]) > 0 && !unchecked(i_dirty_pages[i])) return false;
    if (inode_dirty(i) && l == B_NONE) return false;
    if (unchecked(i_sync_queued[i]) && l != B_IO && l != B_MORE_IO) return false;
  }
  wb_lists_invariant_where = NONE;
  return on == total;
}

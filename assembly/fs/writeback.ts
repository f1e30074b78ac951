// The bdi flusher (fs/fs-writeback.c: wb_workfn -> wb_writeback -> writeback_sb_inodes) calling FUSE's
// ->writepages on one inode at a time: background writeback while the bdi is over its background
// threshold, WB_SYNC_ALL for inodes an fsync waits on, MIN_WRITEBACK_PAGES (1024) per inode per turn.
import { NONE } from "../mm/constants";
import { now, schedule } from "../sim/clock";
import { charge, charge_reset } from "../sim/charge";
import { g, c, CFG_MAX_PAGES, CFG_MAX_WRITE, COST_WAKEUP } from "../sim/config";
import { nr_inodes, ino_nr_dirty, ino_writeback_index, next_dirty_index } from "./inode";
import { wb_over_bg_thresh } from "./dirty";
import { sync_requested, writer_count } from "./writer";
import { legacy_writepage, legacy_wpa, legacy_wpa_clear } from "../fuse/legacy";
import { nocopy_writepage, nocopy_wpa, nocopy_wpa_clear } from "../fuse/nocopy";
import { fuse_send_writepage, is_legacy, connected } from "../fuse/conn";

export const EV_FLUSHER: u32 = 2;
const MIN_WRITEBACK_PAGES: u32 = 1024;

let running: bool = false;
let cur_ino: u32 = 0;
let chunk_pages: u32 = 0;
/** A final sync(2) of everything (the run's end): write back every dirty page, whatever the thresholds. */
export let sync_all: bool = false;
export function request_sync_all(): void { sync_all = true; wakeup_flusher(); }

export function flusher_init(): void { running = false; cur_ino = 0; chunk_pages = 0; sync_all = false; }

/** wb_wakeup(): schedule the flusher if it sleeps. */
export function wakeup_flusher(): void {
  if (running) return;
  running = true;
  schedule(now + <u64>c(COST_WAKEUP), EV_FLUSHER, 0);
}

function inode_wants_writeback(ino: u32, background: bool): bool {
  if (unchecked(ino_nr_dirty[ino]) == 0) return false;
  return background || sync_all || (ino < writer_count() && unchecked(sync_requested[ino]));
}

let sent_this_step: u32 = 0;
function send(req: u32): void { fuse_send_writepage(req); sent_this_step++; }

/** Sends the request the current pass was filling, if any (end of fuse_writepages()). */
function send_building(): void {
  if (is_legacy()) { if (legacy_wpa != NONE) { const r = legacy_wpa; legacy_wpa_clear(); send(r); } }
  else if (nocopy_wpa != NONE) { const r = nocopy_wpa; nocopy_wpa_clear(); send(r); }
}

/** One event of the flusher: fill and send one request, then yield for the time it took. */
export function flusher_step(): void {
  charge_reset();
  if (!connected) { running = false; return; }
  const background = wb_over_bg_thresh();
  // the inode to work on: the current one while it has budget and wants writeback, else the next one
  let ino = cur_ino;
  let found = false;
  for (let k: u32 = 0; k < nr_inodes; k++) {
    const cand = (cur_ino + k) % nr_inodes;
    if (inode_wants_writeback(cand, background)) { ino = cand; found = true; break; }
  }
  if (!found) {
    send_building();
    running = false;
    if (sent_this_step > 0) { sent_this_step = 0; }
    return;
  }
  if (ino != cur_ino) { send_building(); cur_ino = ino; chunk_pages = 0; }
  sent_this_step = 0;
  const max_pages = <u32>g(CFG_MAX_PAGES), max_write = <u32>g(CFG_MAX_WRITE);
  let index = next_dirty_index(ino, unchecked(ino_writeback_index[ino]));
  while (sent_this_step == 0) {
    if (index == NONE) {
      // end of the file: finish this pass, start the next from index 0 (range_cyclic)
      send_building();
      unchecked(ino_writeback_index[ino] = 0);
      cur_ino = (ino + 1) % nr_inodes;
      chunk_pages = 0;
      break;
    }
    let next: u32;
    if (is_legacy()) {
      if (!legacy_writepage(ino, index, max_pages, max_write, send)) { send_building(); break; } // no temp page
      next = index + 1;
      chunk_pages++;
    } else {
      next = nocopy_writepage(ino, index, max_pages, max_write, send);
      chunk_pages += next - index;
    }
    unchecked(ino_writeback_index[ino] = next);
    if (chunk_pages >= MIN_WRITEBACK_PAGES) {
      // this inode had its turn: writeback_sb_inodes() moves on to the next one
      send_building();
      cur_ino = (ino + 1) % nr_inodes;
      chunk_pages = 0;
      break;
    }
    index = next_dirty_index(ino, next);
  }
  schedule(now + <u64>charge_reset(), EV_FLUSHER, 0);
}

/** Test harness: one WB_SYNC_ALL pass of ->writepages over every dirty page of `ino`. */
export function writeback_inode_all(ino: u32): u32 {
  const max_pages = <u32>g(CFG_MAX_PAGES), max_write = <u32>g(CFG_MAX_WRITE);
  sent_this_step = 0;
  let index = next_dirty_index(ino, 0);
  while (index != NONE) {
    let next: u32;
    if (is_legacy()) {
      if (!legacy_writepage(ino, index, max_pages, max_write, send)) break;
      next = index + 1;
    } else next = nocopy_writepage(ino, index, max_pages, max_write, send);
    index = next_dirty_index(ino, next);
  }
  send_building();
  return sent_this_step;
}

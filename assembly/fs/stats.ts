// Writeback counters with the kernel's names (include/linux/mmzone.h node_stat_item, wb_stat_item) and the
// run's own tallies. One i64 array, read by the host in one batch (stats_ptr()).

export const NR_FILE_DIRTY: i32 = 0;
export const NR_WRITEBACK: i32 = 1;
export const NR_WRITEBACK_TEMP: i32 = 2;
export const WB_RECLAIMABLE: i32 = 3;
export const WB_WRITEBACK: i32 = 4;
export const PEAK_NR_DIRTY: i32 = 5;
export const PEAK_NR_WRITEBACK: i32 = 6;
export const PEAK_NR_WRITEBACK_TEMP: i32 = 7;
export const WRITES_ACKED: i32 = 8;
export const BYTES_WRITTEN: i32 = 9;
export const BYTES_COPIED_WRITEBACK: i32 = 10;
export const TEMP_PAGES_ALLOCATED: i32 = 11;
export const REQUESTS_SENT: i32 = 12;
export const SECONDARY_REQUESTS: i32 = 13;
export const SECONDARY_REFRESHES: i32 = 14;
export const REQUESTS_REPLIED: i32 = 15;
export const WRITER_WB_WAITS: i32 = 16;
export const WRITER_WB_WAIT_NS: i32 = 17;
export const WRITER_THROTTLE_NS: i32 = 18;
export const LONGEST_WB_HOLD_NS: i32 = 19;
export const CONN_ABORTS: i32 = 20;
export const FOLIO_ALLOC_FAILS: i32 = 21;
export const TEMP_ALLOC_FAILS: i32 = 22;
export const WRITERS_DONE_NS: i32 = 23;
export const EVENTS: i32 = 24;
export const PAGES_WRITTEN_BACK: i32 = 25;
export const RBTREE_OPS: i32 = 26;
export const BYTES_COPIED_WRITE: i32 = 27;
export const BYTES_COPIED_SERVER: i32 = 28;
export const FOLIOS_ALLOCATED: i32 = 29;
export const REQUESTS_DROPPED: i32 = 30;
export const REQUESTS_ABORTED: i32 = 31;
export const HANGS: i32 = 32;
export const STAT_WORDS: i32 = 48;

export const stat = new StaticArray<i64>(STAT_WORDS);
export function stats_reset(): void { for (let i = 0; i < STAT_WORDS; i++) unchecked(stat[i] = 0); }

@inline export function st(i: i32): i64 { return unchecked(stat[i]); }
@inline export function st_add(i: i32, v: i64): void { unchecked(stat[i] += v); }
@inline export function st_max(i: i32, v: i64): void { if (v > unchecked(stat[i])) unchecked(stat[i] = v); }

/** mod_node_page_state() with the peaks the reports show. */
export function mod_dirty(v: i64): void { st_add(NR_FILE_DIRTY, v); st_add(WB_RECLAIMABLE, v); st_max(PEAK_NR_DIRTY, st(NR_FILE_DIRTY)); }
export function mod_writeback(v: i64): void { st_add(NR_WRITEBACK, v); st_add(WB_WRITEBACK, v); st_max(PEAK_NR_WRITEBACK, st(NR_WRITEBACK)); }
export function mod_writeback_temp(v: i64): void {
  st_add(NR_WRITEBACK_TEMP, v); st_add(WB_WRITEBACK, v); st_max(PEAK_NR_WRITEBACK_TEMP, st(NR_WRITEBACK_TEMP));
}

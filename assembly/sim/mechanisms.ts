// The writeback policy as the core sees it: a few named mechanisms, decoded once from the config words at init.
// A named policy (legacy-copy, nocopy, nocopy-cancel, ...) is only a preset of these on the host side
// (host/scenario/policy.ts); nothing in the core compares a policy name.
import {
  param, CFG_WRITEBACK_MODE, CFG_MIGRATE_WRITEBACK, CFG_SPLICE_UNPRIVILEGED, CFG_REQUEST_TIMEOUT_S, CFG_WB_AREA_PAGES,
} from "./config";

/** CFG_WRITEBACK_MODE: fs/fuse/file.c up to 6.15 copies each page into a temp page; 6.16 on sends the folio. */
export const WRITEBACK_TEMP_COPY: u32 = 0;
export const WRITEBACK_COPY_FREE: u32 = 1;
/** CFG_MIGRATE_WRITEBACK: what migration does with a FUSE folio under writeback (assembly/mm/migrate.ts).
 *  KERNEL: mm/migrate.c as merged (-EBUSY, or MIGRATE_SYNC waits); SKIP: the rejected v6 patch (never waits on
 *  these mappings); CANCEL: cancel the writeback and redirty, impossible once the pages are spliced. */
export const MIGRATE_WB_KERNEL: u32 = 0;
export const MIGRATE_WB_SKIP: u32 = 1;
export const MIGRATE_WB_CANCEL: u32 = 2;
/** CFG_SPLICE_UNPRIVILEGED: an unprivileged server may splice (the kernel), or gets a copy instead. */
export const SPLICE_UNPRIV_ALLOW: u32 = 0;
export const SPLICE_UNPRIV_COPY: u32 = 1;

/** Temp-page copy (<= 6.15) rather than copy-free writeback. */
export let writeback_temp_copy: bool = false;
export let migrate_writeback: u32 = MIGRATE_WB_KERNEL;
export let splice_unprivileged_copy: bool = false;
/** The connection's request timeout (fuse_check_timeout()), ns; 0 = none. */
export let request_timeout_ns: u64 = 0;
/** ZONE_MOVABLE is a dedicated area for folios under writeback (the host sized it: CFG_WB_AREA_PAGES > 0). */
export let wb_area: bool = false;

export function mechanisms_init(): void {
  writeback_temp_copy = <u32>param(CFG_WRITEBACK_MODE) == WRITEBACK_TEMP_COPY;
  migrate_writeback = <u32>param(CFG_MIGRATE_WRITEBACK);
  splice_unprivileged_copy = <u32>param(CFG_SPLICE_UNPRIVILEGED) == SPLICE_UNPRIV_COPY;
  request_timeout_ns = <u64>(param(CFG_REQUEST_TIMEOUT_S) * 1e9);
  wb_area = param(CFG_WB_AREA_PAGES) > 0;
}

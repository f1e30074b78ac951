// What FUSE_INIT leaves of the server's limits per server: the kernel's caps for a server without CAP_SYS_ADMIN.
import { PAGE_SIZE } from "../core/constants.js";
import type { FuseConfig } from "./sim-config.js";

/** fs/fuse/inode.c: sanitize_global_limit() of max_user_bgreq and max_user_congthresh (module parameters, 0 by
 *  default): "1/2^13 of the total memory, assuming 392 bytes per request", at most 65,535. totalram_pages() is taken
 *  as the machine's pages (the kernel's leaves out what boot reserved). */
export function maxUserBgreq(totalPages: number): number {
  return Math.min(Math.floor((totalPages * PAGE_SIZE) / 2 ** 13 / 392), 2 ** 16 - 1);
}

/** fs/fuse/inode.c: process_init_limits() (6.1.192 and 6.12.118 alike): a server without CAP_SYS_ADMIN gets
 *  max_background and congestion_threshold capped at max_user_bgreq and max_user_congthresh. */
export function fuseInitLimits(f: FuseConfig, privileged: boolean, totalPages: number): { maxBackground: number; congestionThreshold: number } {
  if (privileged) return { maxBackground: f.maxBackground, congestionThreshold: f.congestionThreshold };
  const cap = maxUserBgreq(totalPages);
  return { maxBackground: Math.min(f.maxBackground, cap), congestionThreshold: Math.min(f.congestionThreshold, cap) };
}

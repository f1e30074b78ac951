// The fi->writepages rb-tree's invariant checker (assembly/fuse/rbtree.ts): every tree a valid red-black interval
// tree (lib/rbtree.c's rules, and fuse_insert_writeback()'s: ranges never overlap), and its height for the tests.
import { NONE } from "../mm/constants";
import {
  RB_RED, RB_BLACK, RB_FREE, node_hw, nr_used, inode_cap, left, right, parent, color, node_start, node_end, is_red,
  root_of, count_of,
} from "./rbtree";

// rb_check() codes
export const RB_OK: i32 = 0;
export const RB_ERR_ORDER: i32 = -1;
export const RB_ERR_OVERLAP: i32 = -2;
export const RB_ERR_RED_RED: i32 = -3;
export const RB_ERR_BLACK_HEIGHT: i32 = -4;
export const RB_ERR_PARENT: i32 = -5;
export const RB_ERR_COUNT: i32 = -6;
export const RB_ERR_RED_ROOT: i32 = -7;
/** A link to a node outside the pool or on the free list, or a cycle. */
export const RB_ERR_LINK: i32 = -8;
/** A node with start > end. */
export const RB_ERR_RANGE: i32 = -9;


function height_of(n: u32): u32 {
  if (n == NONE) return 0;
  const l = height_of(left(n));
  const r = height_of(right(n));
  return 1 + (l > r ? l : r);
}

/** Nodes on the longest root-to-leaf path (0 for an empty tree). */
export function rb_height(inode: u32): u32 { return inode < inode_cap ? height_of(root_of(inode)) : 0; }

// rb_check() walk state
let chk_seen: u32 = 0;
let chk_prev_end: i64 = -1;

/** Returns the black height of the subtree at n (nil = 1), or an error code. lo < start < hi by BST order. */
function check_node(n: u32, p: u32, lo: i64, hi: i64): i32 {
  if (n == NONE) return 1;
  if (n >= node_hw || color(n) == RB_FREE) return RB_ERR_LINK;
  if (++chk_seen > nr_used) return RB_ERR_LINK; // more nodes than exist: a cycle
  if (parent(n) != p) return RB_ERR_PARENT;
  const s = <i64>node_start(n);
  if (s <= lo || s >= hi) return RB_ERR_ORDER;
  if (s > <i64>node_end(n)) return RB_ERR_RANGE;
  if (color(n) == RB_RED && (is_red(left(n)) || is_red(right(n)))) return RB_ERR_RED_RED;
  const bl = check_node(left(n), n, lo, s);
  if (bl < 0) return bl;
  // in-order position: the previous range must end before this one starts
  if (s <= chk_prev_end) return RB_ERR_OVERLAP;
  chk_prev_end = <i64>node_end(n);
  const br = check_node(right(n), n, s, hi);
  if (br < 0) return br;
  if (bl != br) return RB_ERR_BLACK_HEIGHT;
  return bl + (color(n) == RB_BLACK ? 1 : 0);
}

/** Validates the inode's tree: 0, or one of the RB_ERR_* codes. */
export function rb_check(inode: u32): i32 {
  if (inode >= inode_cap) return RB_OK;
  const root = root_of(inode);
  if (root != NONE && root < node_hw && color(root) == RB_RED) return RB_ERR_RED_ROOT;
  chk_seen = 0;
  chk_prev_end = -1;
  const r = check_node(root, NONE, -1, <i64>0x100000000);
  if (r < 0) return r;
  if (chk_seen != count_of(inode)) return RB_ERR_COUNT;
  return RB_OK;
}

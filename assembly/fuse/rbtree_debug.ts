// Test hooks of the fi->writepages rb-tree (assembly/fuse/rbtree.ts): find a node, and read or overwrite its raw
// fields, so that tests can corrupt a tree and see rb_check() (rbtree_check.ts) catch it. Not used by the emulator.
import { NONE } from "../mm/constants";
import { node_cap, inode_cap, rb_left, rb_right, rb_parent, rb_color, rb_start, rb_end, rb_value, left, right, node_start, root_of, set_count } from "./rbtree";
import { rb_count } from "./rbtree";

// rb_poke() fields (tests corrupt a tree to see rb_check() catch it)
export const RB_F_LEFT: u32 = 0;
export const RB_F_RIGHT: u32 = 1;
export const RB_F_PARENT: u32 = 2;
export const RB_F_COLOR: u32 = 3;
export const RB_F_START: u32 = 4;
export const RB_F_END: u32 = 5;
export const RB_F_VALUE: u32 = 6;
/** Not a node's field: the inode's node count (rb_poke(inode, RB_F_COUNT, n)). */
export const RB_F_COUNT: u32 = 7;


/** The node holding the range that starts at `start`, or NONE (for tests). */
export function rb_node_of(inode: u32, start: u32): u32 {
  let n = inode < inode_cap ? root_of(inode) : NONE;
  while (n != NONE) {
    const s = node_start(n);
    if (start < s) n = left(n);
    else if (start > s) n = right(n);
    else break;
  }
  return n;
}

/** Overwrites one field of a node, or (RB_F_COUNT) an inode's count (for tests that corrupt a tree). */
export function rb_poke(n: u32, field: u32, v: u32): void {
  if (field == RB_F_COUNT) { if (n < inode_cap) set_count(n, v); return; }
  if (n >= node_cap) return;
  const o = <usize>n << 2;
  switch (field) {
    case RB_F_LEFT: store<u32>(rb_left + o, v); break;
    case RB_F_RIGHT: store<u32>(rb_right + o, v); break;
    case RB_F_PARENT: store<u32>(rb_parent + o, v); break;
    case RB_F_COLOR: store<u8>(rb_color + <usize>n, <u8>v); break;
    case RB_F_START: store<u32>(rb_start + o, v); break;
    case RB_F_END: store<u32>(rb_end + o, v); break;
    case RB_F_VALUE: store<u32>(rb_value + o, v); break;
  }
}

/** Reads one field of a node (same field numbers as rb_poke), NONE when out of range. */
export function rb_peek(n: u32, field: u32): u32 {
  if (field == RB_F_COUNT) return rb_count(n);
  if (n >= node_cap) return NONE;
  const o = <usize>n << 2;
  switch (field) {
    case RB_F_LEFT: return load<u32>(rb_left + o);
    case RB_F_RIGHT: return load<u32>(rb_right + o);
    case RB_F_PARENT: return load<u32>(rb_parent + o);
    case RB_F_COLOR: return <u32>load<u8>(rb_color + <usize>n);
    case RB_F_START: return load<u32>(rb_start + o);
    case RB_F_END: return load<u32>(rb_end + o);
    case RB_F_VALUE: return load<u32>(rb_value + o);
  }
  return NONE;
}

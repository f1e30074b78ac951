// Exported wrappers of the fi->writepages rb-tree (assembly/fuse/rbtree.ts) for tests and the host.
// assembly/debug_index.ts re-exports this file (the release core has no test hooks); test/rbtree.test.ts drives it.
import { rb_init, rb_find_overlap, rb_insert, rb_erase, rb_count, rb_total, rb_last_visits } from "./rbtree";
import { rb_check, rb_height } from "./rbtree_check";
import { rb_node_of, rb_poke, rb_peek } from "./rbtree_debug";

/** Resets every tree; pools start at these capacities and double when full. */
export function rbtree_init(nodeCapacity: u32, inodeCapacity: u32): void { rb_init(nodeCapacity, inodeCapacity); }
/** Value of a request whose range intersects [start, end] (inclusive page indices), or NONE. */
export function rbtree_find(inode: u32, start: u32, end: u32): u32 { return rb_find_overlap(inode, start, end); }
/** NONE when inserted, else the value of the overlapping request already present (nothing inserted). */
export function rbtree_insert(inode: u32, start: u32, end: u32, value: u32): u32 {
  return rb_insert(inode, start, end, value);
}
/** Erases the request whose range starts at `start`; false when there is none. */
export function rbtree_erase(inode: u32, start: u32): bool { return rb_erase(inode, start); }
export function rbtree_count(inode: u32): u32 { return rb_count(inode); }
export function rbtree_total(): u32 { return rb_total(); }
/** 0 when the inode's tree is a valid red-black interval tree, else a negative RB_ERR_* code. */
export function rbtree_check(inode: u32): i32 { return rb_check(inode); }
/** Nodes visited by the last find, insert or erase. */
export function rbtree_last_visits(): u32 { return rb_last_visits(); }
export function rbtree_height(inode: u32): u32 { return rb_height(inode); }
/** Test hooks: the node holding the range starting at `start`, and raw field access to corrupt a tree. */
export function rbtree_node_of(inode: u32, start: u32): u32 { return rb_node_of(inode, start); }
export function rbtree_poke(node: u32, field: u32, value: u32): void { rb_poke(node, field, value); }
export function rbtree_peek(node: u32, field: u32): u32 { return rb_peek(node, field); }

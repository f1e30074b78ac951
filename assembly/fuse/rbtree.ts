// fi->writepages (Linux <= 6.15): the per-inode rb-tree of in-flight legacy writeback requests, keyed by
// their page range [start, end] (inclusive page indices). Ranges in one tree never overlap: insertion refuses
// a range that intersects one already present, as fuse_insert_writeback() does.
//
// A red-black tree after lib/rbtree.c / CLRS, as struct-of-arrays in linear memory: 25 bytes a node.
//   left u32 | right u32 | parent u32 | color u8 | start u32 | end u32 | value u32
// NONE is the nil leaf (black). One root per inode, in an array indexed by inode id that grows on insert.
// Free nodes are chained through `left`, colored RB_FREE so rb_check() (rbtree_check.ts) can tell a dangling link.
// The stub runtime never frees, so growing a pool copies it into one twice the size (the old one leaks).
import { NONE } from "../mm/constants";
import { arena_alloc } from "../sim/arena";

export const RB_RED: u32 = 0;
export const RB_BLACK: u32 = 1;
export const RB_FREE: u32 = 2;

// Node pool.
export let node_cap: u32 = 0;
/** Nodes below this index have been handed out at least once; above it the pool is untouched. */
export let node_hw: u32 = 0;
let free_head: u32 = NONE;
export let nr_used: u32 = 0;
export let rb_left: usize = 0;
export let rb_right: usize = 0;
export let rb_parent: usize = 0;
export let rb_color: usize = 0;
export let rb_start: usize = 0;
export let rb_end: usize = 0;
export let rb_value: usize = 0;

// Per-inode roots and node counts.
export let inode_cap: u32 = 0;
let rb_roots: usize = 0;
let rb_counts: usize = 0;

let last_visits: u32 = 0;

@inline export function left(n: u32): u32 { return load<u32>(rb_left + (<usize>n << 2)); }
@inline function set_left(n: u32, v: u32): void { store<u32>(rb_left + (<usize>n << 2), v); }
@inline export function right(n: u32): u32 { return load<u32>(rb_right + (<usize>n << 2)); }
@inline function set_right(n: u32, v: u32): void { store<u32>(rb_right + (<usize>n << 2), v); }
@inline export function parent(n: u32): u32 { return load<u32>(rb_parent + (<usize>n << 2)); }
@inline function set_parent(n: u32, v: u32): void { store<u32>(rb_parent + (<usize>n << 2), v); }
@inline export function color(n: u32): u32 { return <u32>load<u8>(rb_color + <usize>n); }
@inline function set_color(n: u32, c: u32): void { store<u8>(rb_color + <usize>n, <u8>c); }
@inline export function node_start(n: u32): u32 { return load<u32>(rb_start + (<usize>n << 2)); }
@inline export function node_end(n: u32): u32 { return load<u32>(rb_end + (<usize>n << 2)); }
@inline function node_value(n: u32): u32 { return load<u32>(rb_value + (<usize>n << 2)); }
/** The nil leaf NONE counts as black. */
@inline export function is_red(n: u32): bool { return n != NONE && color(n) == RB_RED; }
@inline function is_black(n: u32): bool { return !is_red(n); }

@inline export function root_of(inode: u32): u32 { return load<u32>(rb_roots + (<usize>inode << 2)); }
@inline function set_root(inode: u32, n: u32): void { store<u32>(rb_roots + (<usize>inode << 2), n); }
@inline export function count_of(inode: u32): u32 { return load<u32>(rb_counts + (<usize>inode << 2)); }
@inline export function set_count(inode: u32, c: u32): void { store<u32>(rb_counts + (<usize>inode << 2), c); }

/** A fresh array of n u32 words holding the first `keep` words of `old` and 0xff bytes (NONE) after. */
function grow_words(old: usize, keep: u32, n: u32): usize {
  const p = arena_alloc(<usize>n << 2);
  if (keep != 0) memory.copy(p, old, <usize>keep << 2);
  memory.fill(p + (<usize>keep << 2), 0xff, <usize>(n - keep) << 2);
  return p;
}

function grow_nodes(cap: u32): void {
  const keep = node_hw;
  rb_left = grow_words(rb_left, keep, cap);
  rb_right = grow_words(rb_right, keep, cap);
  rb_parent = grow_words(rb_parent, keep, cap);
  rb_start = grow_words(rb_start, keep, cap);
  rb_end = grow_words(rb_end, keep, cap);
  rb_value = grow_words(rb_value, keep, cap);
  const c = arena_alloc(<usize>cap);
  if (keep != 0) memory.copy(c, rb_color, <usize>keep);
  memory.fill(c + <usize>keep, <u8>RB_FREE, <usize>(cap - keep));
  rb_color = c;
  node_cap = cap;
}

function grow_inodes(cap: u32): void {
  const keep = inode_cap;
  rb_roots = grow_words(rb_roots, keep, cap);
  const c = arena_alloc(<usize>cap << 2);
  if (keep != 0) memory.copy(c, rb_counts, <usize>keep << 2);
  memory.fill(c + (<usize>keep << 2), 0, <usize>(cap - keep) << 2);
  rb_counts = c;
  inode_cap = cap;
}

/** Sets up (or resets: every tree emptied) the node pool and the root array; both grow by doubling later. */
export function rb_init(nodeCapacity: u32, inodeCapacity: u32): void {
  node_hw = 0;
  free_head = NONE;
  nr_used = 0;
  last_visits = 0;
  if (nodeCapacity < 16) nodeCapacity = 16;
  if (inodeCapacity < 1) inodeCapacity = 1;
  if (nodeCapacity > node_cap) grow_nodes(nodeCapacity);
  else memory.fill(rb_color, <u8>RB_FREE, <usize>node_cap);
  if (inodeCapacity > inode_cap) { inode_cap = 0; grow_inodes(inodeCapacity); }
  else {
    memory.fill(rb_roots, 0xff, <usize>inode_cap << 2);
    memory.fill(rb_counts, 0, <usize>inode_cap << 2);
  }
}

function node_alloc(start: u32, end: u32, value: u32): u32 {
  let n = free_head;
  if (n != NONE) {
    free_head = left(n);
  } else {
    if (node_hw == node_cap) grow_nodes(node_cap != 0 ? node_cap << 1 : 16);
    n = node_hw++;
  }
  set_left(n, NONE);
  set_right(n, NONE);
  set_parent(n, NONE);
  set_color(n, RB_RED);
  store<u32>(rb_start + (<usize>n << 2), start);
  store<u32>(rb_end + (<usize>n << 2), end);
  store<u32>(rb_value + (<usize>n << 2), value);
  nr_used++;
  return n;
}

function node_free(n: u32): void {
  set_left(n, free_head);
  set_right(n, NONE);
  set_parent(n, NONE);
  set_color(n, RB_FREE);
  free_head = n;
  nr_used--;
}

// lib/rbtree.c: __rb_change_child()
@inline function change_child(inode: u32, old: u32, nw: u32, p: u32): void {
  if (p == NONE) set_root(inode, nw);
  else if (left(p) == old) set_left(p, nw);
  else set_right(p, nw);
}

/** x's right child y takes x's place; x becomes y's left child, y's old left subtree x's right. */
function rotate_left(inode: u32, x: u32): void {
  const y = right(x);
  const b = left(y);
  set_right(x, b);
  if (b != NONE) set_parent(b, x);
  const p = parent(x);
  set_parent(y, p);
  change_child(inode, x, y, p);
  set_left(y, x);
  set_parent(x, y);
}

/** Mirror of rotate_left(). */
function rotate_right(inode: u32, x: u32): void {
  const y = left(x);
  const b = right(y);
  set_left(x, b);
  if (b != NONE) set_parent(b, x);
  const p = parent(x);
  set_parent(y, p);
  change_child(inode, x, y, p);
  set_right(y, x);
  set_parent(x, y);
}

/** The node of the inode's tree whose range intersects [start, end], or NONE; counts the nodes visited. */
function find_node(inode: u32, start: u32, end: u32): u32 {
  let visits: u32 = 0;
  let n = inode < inode_cap ? root_of(inode) : NONE;
  while (n != NONE) {
    visits++;
    if (start > node_end(n)) n = right(n);
    else if (end < node_start(n)) n = left(n);
    else break;
  }
  last_visits = visits;
  return n;
}

/** fs/fuse/file.c: fuse_writepages_fill(): `ap->num_pages++` under fi->lock. The request being filled is in the
 *  tree from its first page (fuse_writepage_add()); each page it takes moves its end. The tree is keyed by start, so
 *  nothing moves; the caller made sure the new end overlaps no other range (fuse_writepage_need_send()). */
export function rb_set_end(inode: u32, start: u32, end: u32): void {
  const n = find_node(inode, start, start);
  assert(n != NONE && node_start(n) == start, "rb_set_end: no range starts there");
  store<u32>(rb_end + (<usize>n << 2), end);
}

// fs/fuse/file.c: fuse_find_writeback()
export function rb_find_overlap(inode: u32, start: u32, end: u32): u32 {
  const n = find_node(inode, start, end);
  return n == NONE ? NONE : node_value(n);
}

// lib/rbtree.c: rb_insert_color()
function insert_fixup(inode: u32, z: u32): void {
  // z is red. The only rule that can be broken is "a red node has black children", between z and its parent.
  while (true) {
    let p = parent(z);
    if (p == NONE) { set_color(z, RB_BLACK); return; } // z is the root: paint it black, every path gains one
    if (color(p) == RB_BLACK) return;
    // p is red, so it is not the root: the grandparent exists and is black.
    const g = parent(p);
    if (p == left(g)) {
      const u = right(g);
      if (is_red(u)) {
        // Red uncle: push g's blackness down to p and u; black heights are unchanged, the problem moves up to g.
        set_color(p, RB_BLACK);
        set_color(u, RB_BLACK);
        set_color(g, RB_RED);
        z = g;
        continue;
      }
      if (z == right(p)) {
        // Inner grandchild: rotate it to the outside so the case below applies.
        rotate_left(inode, p);
        z = p;
        p = parent(z);
      }
      // Outer grandchild, black uncle: rotate g down to the uncle's side and swap colors; done.
      set_color(p, RB_BLACK);
      set_color(g, RB_RED);
      rotate_right(inode, g);
      return;
    } else {
      const u = left(g);
      if (is_red(u)) {
        set_color(p, RB_BLACK);
        set_color(u, RB_BLACK);
        set_color(g, RB_RED);
        z = g;
        continue;
      }
      if (z == left(p)) {
        rotate_right(inode, p);
        z = p;
        p = parent(z);
      }
      set_color(p, RB_BLACK);
      set_color(g, RB_RED);
      rotate_left(inode, g);
      return;
    }
  }
}

// fs/fuse/file.c: fuse_insert_writeback() (tree_insert before 5.10)
export function rb_insert(inode: u32, start: u32, end: u32, value: u32): u32 {
  assert(start <= end, "rb_insert: start > end");
  if (inode >= inode_cap) {
    assert(inode < 0x10000000, "rb_insert: inode id too large");
    let cap = inode_cap != 0 ? inode_cap << 1 : 16;
    while (cap <= inode) cap <<= 1;
    grow_inodes(cap);
  }
  let visits: u32 = 0;
  let p: u32 = NONE;
  let n = root_of(inode);
  let go_left = false;
  while (n != NONE) {
    visits++;
    p = n;
    if (start > node_end(n)) { n = right(n); go_left = false; }
    else if (end < node_start(n)) { n = left(n); go_left = true; }
    else { last_visits = visits; return node_value(n); }
  }
  last_visits = visits;
  const z = node_alloc(start, end, value);
  // lib/rbtree.h: rb_link_node()
  set_parent(z, p);
  if (p == NONE) set_root(inode, z);
  else if (go_left) set_left(p, z);
  else set_right(p, z);
  set_count(inode, count_of(inode) + 1);
  insert_fixup(inode, z);
  return NONE;
}

/** Puts v (possibly NONE) where u was under u's parent. */
@inline function transplant(inode: u32, u: u32, v: u32): void {
  const p = parent(u);
  change_child(inode, u, v, p);
  if (v != NONE) set_parent(v, p);
}

// lib/rbtree.c: ____rb_erase_color()
function erase_fixup(inode: u32, x: u32, xp: u32): void {
  // A black node left the path through x (possibly nil, whose parent is xp): that path is one black short.
  // x is "doubly black" until the deficit is absorbed by recoloring a red node or rotating.
  while (x != root_of(inode) && is_black(x)) {
    if (x == left(xp)) {
      // The sibling exists: its side has black height >= 1 more than x's.
      let w = right(xp);
      if (is_red(w)) {
        // Red sibling: rotate so x gets a black sibling (w's old child), keeping black heights.
        set_color(w, RB_BLACK);
        set_color(xp, RB_RED);
        rotate_left(inode, xp);
        w = right(xp);
      }
      if (is_black(left(w)) && is_black(right(w))) {
        // Both nephews black: make w red so both sides of xp are one short, and move the deficit up.
        set_color(w, RB_RED);
        x = xp;
        xp = parent(x);
      } else {
        if (is_black(right(w))) {
          // Inner nephew red, outer black: rotate it to the outside.
          set_color(left(w), RB_BLACK);
          set_color(w, RB_RED);
          rotate_right(inode, w);
          w = right(xp);
        }
        // Outer nephew red: rotate xp down to x's side; it becomes the extra black x lacked.
        set_color(w, color(xp));
        set_color(xp, RB_BLACK);
        set_color(right(w), RB_BLACK);
        rotate_left(inode, xp);
        x = root_of(inode);
        break;
      }
    } else {
      let w = left(xp);
      if (is_red(w)) {
        set_color(w, RB_BLACK);
        set_color(xp, RB_RED);
        rotate_right(inode, xp);
        w = left(xp);
      }
      if (is_black(right(w)) && is_black(left(w))) {
        set_color(w, RB_RED);
        x = xp;
        xp = parent(x);
      } else {
        if (is_black(left(w))) {
          set_color(right(w), RB_BLACK);
          set_color(w, RB_RED);
          rotate_left(inode, w);
          w = left(xp);
        }
        set_color(w, color(xp));
        set_color(xp, RB_BLACK);
        set_color(left(w), RB_BLACK);
        rotate_right(inode, xp);
        x = root_of(inode);
        break;
      }
    }
  }
  // A red x absorbs the deficit by turning black (and the root is always black).
  if (x != NONE) set_color(x, RB_BLACK);
}

/** Erases the node whose range starts at `start` (fuse_writepage_finish / fuse_writepage_end: rb_erase()).
 *  The kernel erases the wpa it holds; here the node is found first, and last_visits counts that search
 *  plus the walk down to the in-order successor. */
export function rb_erase(inode: u32, start: u32): bool {
  let visits: u32 = 0;
  let z = inode < inode_cap ? root_of(inode) : NONE;
  while (z != NONE) {
    visits++;
    const s = node_start(z);
    if (start < s) z = left(z);
    else if (start > s) z = right(z);
    else break;
  }
  if (z == NONE) { last_visits = visits; return false; }

  // lib/rbtree.c: __rb_erase_augmented(), as CLRS RB-DELETE with nil = NONE, so x's parent is tracked apart.
  let removed_color = color(z);
  let x: u32;
  let xp: u32;
  if (left(z) == NONE) {
    x = right(z);
    xp = parent(z);
    transplant(inode, z, x);
  } else if (right(z) == NONE) {
    x = left(z);
    xp = parent(z);
    transplant(inode, z, x);
  } else {
    // Two children: the successor y (leftmost of the right subtree, no left child) takes z's place and color;
    // the node that really leaves its position is y, so y's color is the one that matters.
    let y = right(z);
    visits++;
    while (left(y) != NONE) { y = left(y); visits++; }
    removed_color = color(y);
    x = right(y);
    if (parent(y) == z) {
      xp = y;
    } else {
      xp = parent(y);
      transplant(inode, y, x);
      set_right(y, right(z));
      set_parent(right(y), y);
    }
    transplant(inode, z, y);
    set_left(y, left(z));
    set_parent(left(y), y);
    set_color(y, color(z));
  }
  last_visits = visits;
  set_count(inode, count_of(inode) - 1);
  node_free(z);
  // Removing a red node changes no black height; removing a black one leaves x's path one black short.
  if (removed_color == RB_BLACK) erase_fixup(inode, x, xp);
  return true;
}

export function rb_count(inode: u32): u32 { return inode < inode_cap ? count_of(inode) : 0; }
export function rb_total(): u32 { return nr_used; }
export function rb_last_visits(): u32 { return last_visits; }

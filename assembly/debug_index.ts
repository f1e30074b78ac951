// The debug build's entry (build/debug.wasm, `npm run build:wasm`): the release API of assembly/index.ts plus
// the test hooks, which release.wasm does not export: the writeback harness (tools/testing-style stepping),
// the rb-tree's raw pokes, and the fault plants that show each invariant checker fires.
export * from "./index";
export * from "./fuse/rbtree_exports";
export * from "./sim/harness";
export * from "./sim/plant";

// The core's own linear memory. Every array the core sizes at run time (struct page, per-pageblock state, the
// files' per-page maps, the event queue, requests, samples) is carved from here, above everything the
// AssemblyScript runtime allocated when the module started, and the core grows the memory itself with
// memory.grow. The runtime's allocator (the stub) caps one block at 1 GiB: the 8-byte list heads of a 512 GiB
// machine were that large. Here an array may take what wasm32 has: 2^28 pages of struct page are 3 GiB.
// Nothing is freed: like the stub, this is a bump allocator; an array that outgrows its room takes a new one.
// After the first arena_alloc() the runtime must allocate nothing (no `new` outside top-level statics): the
// canary below, where its next block header would go, tells the invariant checker if it ever does.

/** 16-byte alignment, as the runtime's blocks have: u64 and v128 loads stay aligned. */
const ALIGN: usize = 16;
const CANARY_WORDS: usize = 4;
const CANARY: u32 = 0x61726e61; // "arna"
const WASM_PAGE: u64 = 65536;
const WASM32_BYTES: u64 = 0x1_0000_0000;
/** 256 MiB: from here memory grows with slack (arena_alloc). */
const SLACK_FROM: u64 = 0x1000_0000;

/** 16 MiB: after boot, the least memory grows by (arena_grow_in_chunks()); boot reserves as much above struct page. */
export const CHUNK_AFTER_BOOT: u64 = 0x100_0000;

let canary: usize = 0;
let top: u64 = 0;
/** The least wasm pages a memory.grow asks for: 0 (exact) until a run starts, so that a machine's memory after boot
 *  is its struct pages plus the fixed CHUNK_AFTER_BOOT that boot reserves (test/page-metadata.test.ts measures 12
 *  bytes a page from the difference between two machines). */
let min_grow: i32 = 0;

/** From now on memory grows at least CHUNK_AFTER_BOOT at a time (sim_init(), once boot has placed struct page): a
 *  run's arrays after boot are many and small, and V8 answers a memory.grow with a full GC often enough that the
 *  16 GiB default run spent 4-5 Mark-Compacts (2.5-4 ms each) on them, 7 % of its whole run. Memory grown and not
 *  yet written costs the host no RAM, and host/sim/work-estimate.ts allows 64 MiB for such tables. */
export function arena_grow_in_chunks(): void { min_grow = <i32>(CHUNK_AFTER_BOOT / WASM_PAGE); }

function arena_start(): void {
  // heap.alloc(0) tells where the runtime's bump pointer stands: its next block header goes 12 bytes on
  const p = heap.alloc(0);
  canary = p + 12;
  for (let i: usize = 0; i < CANARY_WORDS; i++) store<u32>(canary + (i << 2), CANARY);
  top = <u64>((canary + (CANARY_WORDS << 2) + ALIGN - 1) & ~(ALIGN - 1));
}

/** Where the next allocation would start (the core's whole linear memory in use lies below). */
export function arena_top(): u64 {
  if (top == 0) arena_start();
  return top;
}

/** Would `bytes` more fit below wasm32's 4 GiB, with 64 KiB to spare? */
export function arena_has_room(bytes: u64): bool {
  return arena_top() + bytes + WASM_PAGE <= WASM32_BYTES;
}

/** Grows memory, in one memory.grow, so that `bytes` more fit above the top (boot: struct page, then the first
 *  CHUNK_AFTER_BOOT of the run's arrays, so that the run's first allocations do not grow memory again). */
export function arena_reserve(bytes: u64): void {
  const end = (arena_top() + bytes + <u64>(ALIGN - 1)) & ~<u64>(ALIGN - 1);
  const have = <u64>memory.size() * WASM_PAGE;
  if (end <= have || end > WASM32_BYTES) return; // arena_alloc() grows (or aborts) as it must
  if (memory.grow(<i32>((end - have + WASM_PAGE - 1) / WASM_PAGE)) < 0) abort("arena_reserve: memory.grow failed");
}

/** `bytes` of zeroed linear memory, 16-byte aligned: nothing writes above the top (the runtime's last block is
 *  below it, and memory.grow gives zeroed pages), and the arena never hands out memory twice. Boot relies on it
 *  (page.ts: page_metadata_init). The host checks that a run fits (host/sim/work-estimate.ts), so running out
 *  here is a bug, and aborts. */
export function arena_alloc(bytes: usize): usize {
  const at = arena_top();
  const end = (at + <u64>bytes + <u64>(ALIGN - 1)) & ~<u64>(ALIGN - 1);
  if (end > WASM32_BYTES) abort("arena_alloc: wasm32 linear memory (4 GiB) is full");
  const have = <u64>memory.size() * WASM_PAGE;
  if (end > have) {
    // the wasm pages needed; once memory is large, 1/32 of it more: V8 answers each memory.grow of a large
    // memory with a full GC ("external memory pressure", 5-7 ms each: 31 of them in a 1 TiB run, a fifth of its
    // wall time), and after boot the arrays come small and many. Below SLACK_FROM exactly what is needed during
    // boot (which reserves its struct pages and CHUNK_AFTER_BOOT at once: arena_reserve()), so a small machine's
    // memory is its struct pages and a constant, and at least CHUNK_AFTER_BOOT once a run has started. Near 4 GiB
    // the exact size is tried again.
    const need = <i32>((end - have + WASM_PAGE - 1) / WASM_PAGE);
    const want = have >= SLACK_FROM ? max(need, max(min_grow, <i32>(have / WASM_PAGE / 32))) : max(need, min_grow);
    if (memory.grow(want) < 0 && (want == need || memory.grow(need) < 0)) abort("arena_alloc: memory.grow failed");
  }
  top = end;
  return <usize>at;
}

/** false when the runtime allocated a block after the arena took over (its block header overwrote the canary). */
export function arena_intact(): bool {
  if (top == 0) return true;
  for (let i: usize = 0; i < CANARY_WORDS; i++) if (load<u32>(canary + (i << 2)) != CANARY) return false;
  return true;
}

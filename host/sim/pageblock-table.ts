// Every pageblock's census as the core fills it (assembly/sim/pageblock_map.ts): eight u16 a block, copied out of
// linear memory in one typed array. The reports read blocks from here, not from an object a block: a 1 TiB
// machine has 524,288 pageblocks, and an HTML report keeps five maps of each run (objects made that report spend
// 2 s building them and 1 s collecting them).
import type { PageblockCensus } from "./simulator.js";

/** u16 fields a block, in the core's order. */
export const PAGEBLOCK_FIELDS = 8;

export class PageblockTable {
  constructor(readonly data: Uint16Array) {}

  /** The number of pageblocks. */
  get length(): number { return this.data.length / PAGEBLOCK_FIELDS; }
  mt(b: number): number { return this.data[b * PAGEBLOCK_FIELDS]!; }
  free(b: number): number { return this.data[b * PAGEBLOCK_FIELDS + 1]!; }
  writeback(b: number): number { return this.data[b * PAGEBLOCK_FIELDS + 2]!; }
  temp(b: number): number { return this.data[b * PAGEBLOCK_FIELDS + 3]!; }
  spliced(b: number): number { return this.data[b * PAGEBLOCK_FIELDS + 4]!; }
  unmovable(b: number): number { return this.data[b * PAGEBLOCK_FIELDS + 5]!; }
  movable(b: number): number { return this.data[b * PAGEBLOCK_FIELDS + 6]!; }
  dirty(b: number): number { return this.data[b * PAGEBLOCK_FIELDS + 7]!; }

  /** Block b as an object (the embedding API's pageblockMap()). */
  census(b: number): PageblockCensus {
    const d = this.data, i = b * PAGEBLOCK_FIELDS;
    return { mt: d[i]!, free: d[i + 1]!, writeback: d[i + 2]!, temp: d[i + 3]!, spliced: d[i + 4]!, unmovable: d[i + 5]!, movable: d[i + 6]!, dirty: d[i + 7]! };
  }

  static fromCensus(blocks: readonly PageblockCensus[]): PageblockTable {
    const d = new Uint16Array(blocks.length * PAGEBLOCK_FIELDS);
    blocks.forEach((c, b) => d.set([c.mt, c.free, c.writeback, c.temp, c.spliced, c.unmovable, c.movable, c.dirty], b * PAGEBLOCK_FIELDS));
    return new PageblockTable(d);
  }
}

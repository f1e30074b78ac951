// Read-only views of the reference allocator's state (docs/allocator.md, "Views" and "State digest"), and
// the invariant checker (DESIGN.md section 5). Nothing here changes the state.
import type { ZoneView } from "../core/allocator-model.js";
import {
  MAX_NR_ZONES,
  MIGRATE_CMA,
  MIGRATE_HIGHATOMIC,
  MIGRATE_ISOLATE,
  MIGRATE_MOVABLE,
  MIGRATE_PCPTYPES,
  MIGRATE_TYPES,
  NR_PAGE_ORDERS,
  NR_PCP_LISTS,
  pageblock_nr_pages,
  zone_names,
} from "../core/constants.js";
import { pindex_to_order } from "./pcp.js";
import { at, type MemMap, type Zone } from "./buddy.js";

const bump = (a: number[], i: number): void => {
  a[i] = at(a, i) + 1;
};

// mm/page_owner.c: pagetypeinfo_showmixedcount_print()
export function mixedCount(mm: MemMap, zone: Zone): number[] {
  const count = new Array<number>(MIGRATE_TYPES).fill(0);
  let pfn = zone.start_pfn;
  while (pfn < zone.end_pfn) {
    const block_end_pfn = Math.min(pfn - (pfn % pageblock_nr_pages) + pageblock_nr_pages, zone.end_pfn);
    const pageblock_mt = mm.get_pageblock_migratetype(pfn);
    for (; pfn < block_end_pfn; pfn++) {
      const buddy_order = at(mm.buddy_order, pfn);
      if (buddy_order >= 0) {
        pfn += (1 << buddy_order) - 1;
        continue;
      }
      if (at(mm.alloc_order, pfn) < 0) continue; // !PAGE_EXT_OWNER_ALLOCATED (inside a buddy)
      if (at(mm.alloc_mt, pfn) !== pageblock_mt) {
        bump(count, pageblock_mt === MIGRATE_CMA ? MIGRATE_MOVABLE : pageblock_mt);
        pfn = block_end_pfn;
        break;
      }
      pfn += (1 << at(mm.alloc_order, pfn)) - 1;
    }
  }
  return count;
}

/** ZoneView of every present zone, in zone order. */
export function zoneViews(mm: MemMap): ZoneView[] {
  const views: ZoneView[] = [];
  for (const zone of mm.zones) {
    if (!zone) continue;
    const freeCount: number[][] = [];
    for (let mt = 0; mt < MIGRATE_TYPES; mt++) freeCount.push(zone.free_area.map((area) => at(area, mt).length));
    const blocks = new Array<number>(MIGRATE_TYPES).fill(0);
    for (let pfn = zone.start_pfn; pfn < zone.end_pfn; pfn += pageblock_nr_pages) bump(blocks, mm.get_pageblock_migratetype(pfn));
    views.push({
      name: at(zone_names, zone.idx),
      startPfn: zone.start_pfn,
      managedPages: zone.managed,
      freeCount,
      blocks,
      mixed: mixedCount(mm, zone),
      nrFreePages: zone.nr_free_pages,
      nrFreeCmaPages: zone.nr_free_cma_pages,
      nrFreeHighatomic: zone.nr_free_highatomic,
      nrReservedHighatomic: zone.nr_reserved_highatomic,
      watermark: { ...zone.watermark },
      watermarkBoost: zone.watermark_boost,
      lowmemReserve: [...zone.lowmem_reserve],
      pcp: { count: zone.pcp.count, high: zone.pcp.high, batch: zone.pcp.batch, highMin: zone.pcp.high_min, highMax: zone.pcp.high_max },
    });
  }
  return views;
}

/** Every non-empty free list as "zone order mt: pfn pfn ...", head to tail, in (zone, order, mt) order, then
 *  every non-empty per-cpu list as "pcp zone pindex: pfn ...". */
export function freeLists(mm: MemMap): string[] {
  const lines: string[] = [];
  for (const zone of mm.zones) {
    if (!zone) continue;
    for (let o = 0; o < NR_PAGE_ORDERS; o++)
      for (let mt = 0; mt < MIGRATE_TYPES; mt++) {
        const list = zone.list(o, mt);
        if (list.length > 0) lines.push(`${zone.idx} ${o} ${mt}: ${list.join(" ")}`);
      }
  }
  for (const zone of mm.zones) {
    if (!zone) continue;
    for (let pindex = 0; pindex < NR_PCP_LISTS; pindex++) {
      const list = zone.pcp.list(pindex);
      if (list.length > 0) lines.push(`pcp ${zone.idx} ${pindex}: ${list.join(" ")}`);
    }
  }
  return lines;
}

/** Word-wise FNV-1a over every free list (absent zones as empty lists), every per-cpu list, then every
 *  pageblock type. */
export function stateDigest(mm: MemMap): number {
  let h = 2166136261;
  const feed = (w: number): void => {
    h = Math.imul(h ^ w, 16777619) >>> 0;
  };
  for (let z = 0; z < MAX_NR_ZONES; z++) {
    const zone = mm.zones[z];
    for (let o = 0; o < NR_PAGE_ORDERS; o++)
      for (let mt = 0; mt < MIGRATE_TYPES; mt++) {
        const list = zone ? zone.list(o, mt) : [];
        feed(list.length);
        for (const pfn of list) feed(pfn);
      }
  }
  for (let z = 0; z < MAX_NR_ZONES; z++) {
    const zone = mm.zones[z];
    for (let pindex = 0; pindex < NR_PCP_LISTS; pindex++) {
      const list = zone ? zone.pcp.list(pindex) : [];
      feed(list.length);
      for (const pfn of list) feed(pfn);
    }
  }
  for (const t of mm.pageblock_mt) feed(t);
  return h;
}

/** DESIGN.md section 5 for the allocator: null when every invariant holds, else the first violation. */
export function checkInvariants(mm: MemMap): string | null {
  // owner[pfn]: 0 unseen, 1 covered by a buddy, 2 covered by an allocation, 3 covered by a per-cpu block
  const owner = new Uint8Array(mm.nr_pages);
  let listed = 0;
  for (const zone of mm.zones) {
    if (!zone) continue;
    const z = zone.idx;
    let nr_free = 0;
    let nr_cma = 0;
    let nr_highatomic = 0;
    for (let o = 0; o < NR_PAGE_ORDERS; o++)
      for (let mt = 0; mt < MIGRATE_TYPES; mt++)
        for (const pfn of zone.list(o, mt)) {
          const where = `free list (${z} ${o} ${mt}) PFN ${pfn}`;
          if (!Number.isInteger(pfn) || pfn % (1 << o) !== 0) return `${where}: not aligned to its order`;
          if (pfn < zone.start_pfn || pfn + (1 << o) > zone.end_pfn) return `${where}: buddy spans the zone boundary`;
          if (at(mm.buddy_order, pfn) !== o) return `${where}: page's buddy order is ${at(mm.buddy_order, pfn)}`;
          for (let p = pfn; p < pfn + (1 << o); p++) {
            if (owner[p] === 1) return `${where}: overlaps another buddy at PFN ${p}`;
            if (at(mm.alloc_order, p) >= 0 || at(mm.alloc_head, p)) return `${where}: overlaps an allocated page at PFN ${p}`;
            if (p !== pfn && at(mm.buddy_order, p) >= 0) return `${where}: PageBuddy set inside it at PFN ${p}`;
            owner[p] = 1;
            if (p % pageblock_nr_pages === 0 || p === pfn) {
              const bt = mm.get_pageblock_migratetype(p);
              if (bt !== mt) return `${where}: on the list of type ${mt} but PFN ${p}'s pageblock is type ${bt} (hygiene)`;
            }
          }
          listed++;
          if (mt !== MIGRATE_ISOLATE) nr_free += 1 << o;
          if (mt === MIGRATE_CMA) nr_cma += 1 << o;
          if (mt === MIGRATE_HIGHATOMIC) nr_highatomic += 1 << o;
        }
    if (nr_free !== zone.nr_free_pages) return `zone ${z}: NR_FREE_PAGES ${zone.nr_free_pages}, lists hold ${nr_free}`;
    if (nr_cma !== zone.nr_free_cma_pages) return `zone ${z}: NR_FREE_CMA_PAGES ${zone.nr_free_cma_pages}, lists hold ${nr_cma}`;
    if (nr_highatomic !== zone.nr_free_highatomic) return `zone ${z}: nr_free_highatomic ${zone.nr_free_highatomic}, lists hold ${nr_highatomic}`;
    const blocks = new Array<number>(MIGRATE_TYPES).fill(0);
    let nblocks = 0;
    for (let pfn = zone.start_pfn; pfn < zone.end_pfn; pfn += pageblock_nr_pages, nblocks++) {
      const t = mm.get_pageblock_migratetype(pfn);
      if (!(t < MIGRATE_TYPES)) return `pageblock at PFN ${pfn}: type ${t} is not a migratetype`;
      if (!mm.grouping && t !== 0 && t < MIGRATE_PCPTYPES) return `pageblock at PFN ${pfn}: type ${t} with mobility grouping disabled`;
      bump(blocks, t);
    }
    const census = blocks.reduce((a, b) => a + b, 0);
    if (census !== zone.managed / pageblock_nr_pages || census !== nblocks) return `zone ${z}: block census ${census}, zone has ${zone.managed / pageblock_nr_pages} blocks`;
    let on_pcp = 0;
    for (let pindex = 0; pindex < NR_PCP_LISTS; pindex++) {
      const o = pindex_to_order(pindex);
      for (const pfn of zone.pcp.list(pindex)) {
        const where = `per-cpu list (${z} ${pindex}) PFN ${pfn}`;
        if (!Number.isInteger(pfn) || pfn % (1 << o) !== 0) return `${where}: not aligned to order ${o}`;
        if (pfn < zone.start_pfn || pfn + (1 << o) > zone.end_pfn) return `${where}: block spans the zone boundary`;
        if (at(mm.pcp_order, pfn) !== o) return `${where}: page's pcp order is ${at(mm.pcp_order, pfn)}`;
        for (let p = pfn; p < pfn + (1 << o); p++) {
          if (owner[p] !== 0) return `${where}: overlaps a buddy or another per-cpu block at PFN ${p}`;
          if (at(mm.alloc_order, p) >= 0 || at(mm.alloc_head, p) || at(mm.buddy_order, p) >= 0) return `${where}: PFN ${p} is allocated or PageBuddy`;
          if (p !== pfn && at(mm.pcp_order, p) >= 0) return `${where}: another pcp head inside it at PFN ${p}`;
          owner[p] = 3;
        }
        on_pcp += 1 << o;
      }
    }
    if (on_pcp !== zone.pcp.count) return `zone ${z}: pcp->count ${zone.pcp.count}, per-cpu lists hold ${on_pcp}`;
    const highatomic = at(blocks, MIGRATE_HIGHATOMIC);
    if (highatomic * pageblock_nr_pages !== zone.nr_reserved_highatomic)
      return `zone ${z}: nr_reserved_highatomic ${zone.nr_reserved_highatomic}, ${highatomic} HIGHATOMIC blocks`;
  }
  let buddies = 0;
  for (let pfn = 0; pfn < mm.nr_pages; pfn++) if (at(mm.buddy_order, pfn) >= 0) buddies++;
  if (buddies !== listed) return `${buddies} pages have PageBuddy but the lists hold ${listed} buddies`;
  for (let pfn = 0; pfn < mm.nr_pages; ) {
    if (owner[pfn] === 1 || owner[pfn] === 3) {
      pfn++;
      continue;
    }
    const order = at(mm.alloc_order, pfn);
    if (order < 0 || !at(mm.alloc_head, pfn)) return `PFN ${pfn} is neither free nor the head of an allocation (leaked)`;
    if (pfn % (1 << order) !== 0 || pfn + (1 << order) > mm.nr_pages) return `allocation at PFN ${pfn}: not aligned to its order ${order}`;
    if (mm.zone_of(pfn) !== mm.zone_of(pfn + (1 << order) - 1)) return `allocation at PFN ${pfn}: spans a zone boundary`;
    for (let p = pfn; p < pfn + (1 << order); p++) {
      if (owner[p] !== 0) return `allocation at PFN ${pfn}: overlaps a buddy at PFN ${p}`;
      if (at(mm.alloc_order, p) !== order || (p !== pfn && at(mm.alloc_head, p))) return `allocation at PFN ${pfn}: inconsistent page state at PFN ${p}`;
      if (at(mm.alloc_mt, p) !== at(mm.alloc_mt, pfn) || at(mm.lru, p) !== at(mm.lru, pfn)) return `allocation at PFN ${pfn}: type or PG_lru differs at PFN ${p}`;
      owner[p] = 2;
    }
    pfn += 1 << order;
  }
  return null;
}

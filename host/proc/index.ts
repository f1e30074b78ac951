export { formatBuddyinfo } from "./buddyinfo.js";
export { formatPagetypeinfo } from "./pagetypeinfo.js";
export {
  fragmentationIndex,
  unusableFreeIndex,
  fillContigPageInfo,
  formatExtfragIndex,
  formatUnusableIndex,
  type ContigPageInfo,
} from "./extfrag.js";
export { procJson, perType, perOrder, type ProcJson, type PagetypeinfoJson, type PerOrder, type PerType, type PerZone, type MigratetypeName } from "./json.js";

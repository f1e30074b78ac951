// Sizes and durations as scenario files and fio job files write them.
//
// Sizes: a whole number of bytes (JSON number or string), or a number with k, M, G or T, powers of 1024 as in
// fio and the kernel's memparse(); the case of the letter does not matter, and "B" / "iB" may follow:
// "4k" = "4K" = "4KiB" = "4kB" = 4096. A decimal point is allowed if the result is a whole number of bytes
// ("1.5G", "0.5k"). No sign, no spaces around, one optional space before the unit ("1 MiB").
//
// Durations: a number with a unit, ns, us (or µs), ms, s, min or h: "10ns", "250us", "100ms", "15s", "2min".
// A plain number is NOT a duration (is 15 seconds or nanoseconds?), except 0, which means the same in any
// unit: 0 and "0" are accepted. The result is whole virtual nanoseconds.
import { InputError } from "../util/input-error.js";

/** The result of checking one value: the number, or why it is refused (`problem` = the value shown, then `reason`). */
export type UnitResult = { ok: true; value: number } | { ok: false; problem: string; reason: string };

function refuse(value: unknown, reason: string): UnitResult {
  return { ok: false, problem: `${show(value)} ${reason}`, reason };
}

const KiB = 1024;
const SIZE_MULT: Readonly<Record<string, number>> = { k: KiB, m: KiB ** 2, g: KiB ** 3, t: KiB ** 4 };
/** ECMA-262 without flags, so that the JSON Schema `pattern` is the same expression. */
export const SIZE_PATTERN = "^(\\d+(?:\\.\\d+)?) ?(?:([kKmMgGtT])(?:[iI]?[bB])?|[bB])?$";
const SIZE_RE = new RegExp(SIZE_PATTERN);
export const SIZE_FORM = 'use bytes or a number with k, M, G, T (powers of 1024), e.g. "4k"';

const NS_PER: Readonly<Record<string, number>> = { ns: 1, us: 1e3, "µs": 1e3, ms: 1e6, s: 1e9, min: 60e9, h: 3600e9 };
export const DURATION_PATTERN = "^(?:0|(\\d+(?:\\.\\d+)?) ?(ns|us|µs|ms|s|min|h))$";
const DURATION_RE = new RegExp(DURATION_PATTERN);
export const DURATION_FORM = 'use a number with ns, us, ms, s, min or h, e.g. "100ms" (0 may stand alone)';

/** A value as the user wrote it, short and on one line: strings quoted, objects abbreviated. */
export function show(value: unknown): string {
  if (value === undefined) return "nothing";
  if (Array.isArray(value)) return value.length === 0 ? "[]" : "[...]";
  if (typeof value === "object" && value !== null) return Object.keys(value).length === 0 ? "{}" : "{...}";
  // JSON has no Infinity or NaN (1e309 parses as Infinity): say them as numbers, not as JSON's null
  const text = typeof value === "number" && !Number.isFinite(value) ? String(value) : JSON.stringify(value) ?? String(value);
  return text.length > 48 ? `${text.slice(0, 45)}..."` : text;
}

/** Bytes as the shortest exact size string: 4096 → "4k", 3 << 30 → "3G", 1000 → "1000". */
export function formatSize(bytes: number): string {
  for (const [unit, mult] of [["T", KiB ** 4], ["G", KiB ** 3], ["M", KiB ** 2], ["k", KiB]] as const)
    if (bytes >= mult && bytes % mult === 0) return `${bytes / mult}${unit}`;
  return String(bytes);
}

/** Nanoseconds as the shortest exact duration string: 15e9 → "15s", 100e6 → "100ms", 0 → "0". */
export function formatDuration(ns: number): string {
  if (ns === 0) return "0";
  for (const [unit, mult] of [["h", 3600e9], ["min", 60e9], ["s", 1e9], ["ms", 1e6], ["us", 1e3]] as const)
    if (ns >= mult && ns % mult === 0) return `${ns / mult}${unit}`;
  return `${ns}ns`;
}

/** Limits a size field may add to "is a size". */
export interface SizeLimits {
  /** Smallest allowed, bytes (default 0). */
  min?: number;
  /** Largest allowed, bytes (default Number.MAX_SAFE_INTEGER). */
  max?: number;
  /** The size must be a multiple of this many bytes. */
  multipleOf?: number;
  /** Appended to the multipleOf complaint, e.g. "(one 512-page pageblock)". */
  multipleOfWhy?: string;
}

export function checkSize(value: unknown, limits: SizeLimits = {}): UnitResult {
  let bytes: number;
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value) || value < 0) return refuse(value, `is not a size; ${SIZE_FORM}`);
    bytes = value;
  } else if (typeof value === "string") {
    const m = SIZE_RE.exec(value);
    if (!m) return refuse(value, `is not a size; ${SIZE_FORM}`);
    const exact = Number(m[1]) * (m[2] ? SIZE_MULT[m[2].toLowerCase()]! : 1);
    bytes = Math.round(exact);
    if (Math.abs(exact - bytes) > 1e-6) return refuse(value, `is not a whole number of bytes; ${SIZE_FORM}`);
    if (!Number.isSafeInteger(bytes)) return refuse(value, `is too large to be a size`);
  } else {
    return refuse(value, `is not a size; ${SIZE_FORM}`);
  }
  const { min = 0, max = Number.MAX_SAFE_INTEGER, multipleOf } = limits;
  if (bytes < min) return refuse(value, `is not allowed; use at least ${formatSize(min)}${min < KiB ? (min === 1 ? " byte" : " bytes") : ""}`);
  if (bytes > max) return refuse(value, `is not allowed; use at most ${formatSize(max)}`);
  if (multipleOf !== undefined && bytes % multipleOf !== 0)
    return refuse(value, `is not allowed; use a multiple of ${formatSize(multipleOf)}${limits.multipleOfWhy ? ` ${limits.multipleOfWhy}` : ""}`);
  return { ok: true, value: bytes };
}

/** Limits a duration field may add to "is a duration". */
export interface DurationLimits {
  /** 0 is refused (an interval, a lifetime). */
  positive?: boolean;
  /** The kernel keeps this one in whole seconds (request timeouts). */
  wholeSeconds?: boolean;
  /** Largest allowed, ns. */
  maxNs?: number;
}

export function checkDuration(value: unknown, limits: DurationLimits = {}): UnitResult {
  let ns: number;
  if (value === 0 || value === "0") {
    ns = 0;
  } else if (typeof value === "number") {
    return refuse(value, `is not a duration; give it a unit, e.g. "${value}s" or "${value}ms" (only 0 may stand alone)`);
  } else if (typeof value === "string") {
    const m = DURATION_RE.exec(value);
    if (!m) {
      const bare = /^\d+(?:\.\d+)?$/.test(value);
      return refuse(value, bare ? `is not a duration; give it a unit, e.g. "${value}s" or "${value}ms" (only 0 may stand alone)` : `is not a duration; ${DURATION_FORM}`);
    }
    const exact = Number(m[1]) * NS_PER[m[2]!]!;
    ns = Math.round(exact);
    if (Math.abs(exact - ns) > 1e-6 * Math.max(1, exact)) return refuse(value, `is not a whole number of nanoseconds; ${DURATION_FORM}`);
    if (!Number.isSafeInteger(ns)) return refuse(value, `is too long; use at most ${formatDuration(Math.floor(Number.MAX_SAFE_INTEGER / 3600e9) * 3600e9)}`);
  } else {
    return refuse(value, `is not a duration; ${DURATION_FORM}`);
  }
  if (limits.positive && ns === 0) return refuse(value, `is not allowed; use a duration above 0, e.g. "1s"`);
  if (limits.wholeSeconds && ns % 1e9 !== 0) return refuse(value, `is not allowed; use whole seconds (the kernel counts this in seconds), e.g. "30s"`);
  if (limits.maxNs !== undefined && ns > limits.maxNs) return refuse(value, `is not allowed; use at most ${formatDuration(limits.maxNs)}`);
  return { ok: true, value: ns };
}

/** Bytes from a size, or an InputError `<field>: <value> is not a size; <allowed form>`. */
export function parseSize(value: unknown, field: string, limits?: SizeLimits): number {
  const r = checkSize(value, limits);
  if (!r.ok) throw new InputError(`${field}: ${r.problem}`);
  return r.value;
}

/** Nanoseconds from a duration, or an InputError `<field>: <value> is not a duration; <allowed form>`. */
export function parseDuration(value: unknown, field: string, limits?: DurationLimits): number {
  const r = checkDuration(value, limits);
  if (!r.ok) throw new InputError(`${field}: ${r.problem}`);
  return r.value;
}

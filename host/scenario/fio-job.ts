// fio job files (fio(1) "JOB FILE FORMAT"), the subset the emulator runs: buffered sequential or random
// writers. Ini-style: `[section]` starts a job, `key=value` sets an option, `;` or `#` starts a comment line.
// A `[global]` section sets defaults for the jobs after it, as in fio. Every other section is one job, and
// becomes one writer workload (numjobs clones, each writing its own file).
//
//   [global]
//   ioengine=sync
//   bs=1M
//   [seq]
//   rw=write
//   size=2G
//   numjobs=2
//   end_fsync=1
//
// fio lays each file out before the job's clock starts; its default, fallocate=native, gives the file its full
// size at once (fallocate(fd, 0, 0, size)), so a write smaller than a page lands inside i_size.
import { InputError } from "../util/input-error.js";
import { checkSize, formatSize } from "./units.js";
import { didYouMean } from "./issues.js";

/** One fio job, in scenario terms (bytes), before the runner names and expands it. */
export interface FioJob {
  /** The section name, or fio's `name=`; undefined when a scenario's structured fio workload gave none. */
  name: string | undefined;
  rw: "write" | "randwrite";
  /** Bytes per write(2). */
  bs: number;
  /** Bytes per job. */
  size: number;
  numjobs: number;
  /** fsync after this many writes, 0 = never. */
  fsync: number;
  /** fsync when the job ends (end_fsync or fsync_on_close). */
  endFsync: boolean;
  /** fio rate=: bytes per second this job may write, 0 = unlimited. */
  rate: number;
  /** fio fallocate=: how the file is laid out before the job's clock starts (fio's default on Linux: native). */
  fallocate: FioFallocate;
  /** fio time_based: at the end of the file the job goes on from its start until runtime has passed. */
  timeBased: boolean;
  /** fio runtime=, ns counted from the end of the ramp: the job stops issuing once it has passed (0 = none). */
  runtimeNs: number;
  /** fio ramp_time=, ns: the job's writes in this first period are made and not counted. */
  rampNs: number;
  /** fio invalidate= (default 1): posix_fadvise(POSIX_FADV_DONTNEED) of the file where fio drops its cache. */
  invalidate: boolean;
}

export const FIO_RW = ["write", "randwrite"] as const;
/** fio's fallocate= modes (options.c), "0" and "1" its old boolean spellings of none and posix. native and posix
 *  both end in fallocate(fd, 0, 0, size) on Linux; keep adds FALLOC_FL_KEEP_SIZE; truncate is ftruncate(size). */
export const FIO_FALLOCATE = ["none", "native", "posix", "keep", "truncate"] as const;
export type FioFallocate = (typeof FIO_FALLOCATE)[number];
const FALLOCATE_ALIASES: Readonly<Record<string, FioFallocate>> = { "0": "none", "1": "posix" };
export const FIO_IOENGINES = ["sync", "psync"] as const;
export const FIO_KEYS = [
  "name", "rw", "bs", "size", "numjobs", "ioengine", "fsync", "end_fsync", "fsync_on_close", "rate", "fallocate", "time_based", "runtime",
  "ramp_time", "invalidate", "direct", "group_reporting",
] as const;
/** Options that take no value as well as 0/1 (a bare key is 1). */
const BOOL_KEYS: readonly string[] = ["end_fsync", "fsync_on_close", "time_based", "invalidate", "direct", "group_reporting"];
type FioKey = (typeof FIO_KEYS)[number];

/** fio's defaults for the options it has defaults for (bs 4k, numjobs 1); size has none. */
export const FIO_DEFAULTS = {
  rw: "write", bs: 4096, numjobs: 1, fsync: 0, endFsync: false, rate: 0, fallocate: "native", timeBased: false, runtimeNs: 0, rampNs: 0,
  invalidate: true,
} as const;
export const MAX_NUMJOBS = 4096;

/** Cross-field rules a job must satisfy however it was written; returns the complaint or null. */
export function checkFioJob(job: Pick<FioJob, "bs" | "size" | "timeBased" | "runtimeNs">): string | null {
  if (job.bs > job.size) return `bs ${formatSize(job.bs)} is larger than size ${formatSize(job.size)}; give bs <= size`;
  // fio's fixup_options() turns time_based off with "time_based requires a runtime/timeout setting" and runs the job
  // once through its file; here it is refused, so that a job does not run other than it reads
  if (job.timeBased && job.runtimeNs === 0) return "time_based needs a runtime; give runtime=, e.g. runtime=20";
  // fio closes and reopens the file at each pass of such a job (fill_io_u() refuses the short last block), which
  // the model's wrap does not do
  if (job.timeBased && job.size % job.bs !== 0) return `time_based needs size a multiple of bs (${formatSize(job.size)} is not a multiple of ${formatSize(job.bs)}): fio reopens the file at each pass of such a job, which is not modelled`;
  return null;
}

/** fio's time options as fio's parse.c reads them (str_to_decimal() -> get_mult_time(), is_seconds): a whole
 *  number, in seconds without a unit, or with us/usec, ms/msec, s, m, h or d (lowercased). ns, or a reason: fio reads
 *  a fraction as its whole part ("1.5" is 1 s) and any other unit as microseconds ("20sec" is 20 us), so those are
 *  refused here rather than read as fio would silently read them. */
export function fioTimeNs(value: string): number | string {
  const m = /^(\d+)([a-z]*)$/i.exec(value.trim());
  if (!m) {
    if (/^\d+\.\d*[a-z]*$/i.test(value.trim())) return `fio reads only the whole part of ${value} (it takes no fractions): write it in a smaller unit, e.g. 1500ms`;
    return "give a whole number of seconds, or one with us, ms, s, m, h or d";
  }
  const unit = m[2]!.toLowerCase();
  const mult: Record<string, number> = { "": 1e9, us: 1e3, usec: 1e3, ms: 1e6, msec: 1e6, s: 1e9, m: 60e9, h: 3600e9, d: 86400e9 };
  if (mult[unit] === undefined) return `fio reads the unit "${m[2]}" as microseconds (it knows us, ms, s, m, h and d): write e.g. ${m[1]}s`;
  return Number(m[1]) * mult[unit]!;
}
/** The longest runtime= or ramp_time= the emulator takes (a day of virtual time). */
export const FIO_MAX_TIME_NS = 86400e9;

interface Setting {
  value: string;
  line: number;
}

class FioJobError extends Error {}

function fail(line: number, text: string): never {
  throw new FioJobError(`line ${line}: ${text}`);
}

/** `key=value` as the user wrote it, for messages. */
function shown(key: string, s: Setting): string {
  return s.value === "" ? key : `${key}=${s.value}`;
}

function sizeOf(key: string, s: Setting, min: number): number {
  const r = checkSize(s.value, { min });
  if (!r.ok) fail(s.line, `${shown(key, s)} ${r.reason}`);
  return r.value;
}

function countOf(key: string, s: Setting, min: number, max: number): number {
  if (!/^\d+$/.test(s.value) || Number(s.value) < min || Number(s.value) > max)
    fail(s.line, `${shown(key, s)} is not allowed; use a whole number ${max === Number.MAX_SAFE_INTEGER ? `${min} or more` : `from ${min} to ${max}`}`);
  return Number(s.value);
}

function timeOf(key: string, s: Setting): number {
  const ns = fioTimeNs(s.value);
  if (typeof ns === "string") fail(s.line, `${shown(key, s)} is not allowed; ${ns}`);
  if (ns > FIO_MAX_TIME_NS) fail(s.line, `${shown(key, s)} is not allowed; use at most 1d`);
  return ns;
}

function boolOf(key: string, s: Setting): boolean {
  if (s.value === "" || s.value === "1") return true;
  if (s.value === "0") return false;
  fail(s.line, `${shown(key, s)} is not allowed; use ${key}=1 or ${key}=0`);
}

function jobOf(section: string, headerLine: number, opts: ReadonlyMap<FioKey, Setting>): FioJob {
  const get = (k: FioKey): Setting | undefined => opts.get(k);
  const rwSetting = get("rw");
  const rw = rwSetting?.value ?? FIO_DEFAULTS.rw;
  if (rwSetting && !(FIO_RW as readonly string[]).includes(rw))
    fail(rwSetting.line, `${shown("rw", rwSetting)} is not allowed; the emulator runs writers: use rw=write or rw=randwrite`);
  const engine = get("ioengine");
  if (engine && !(FIO_IOENGINES as readonly string[]).includes(engine.value))
    fail(engine.line, `${shown("ioengine", engine)} is not allowed; use ioengine=sync or ioengine=psync (buffered write(2) / pwrite(2))`);
  const sizeSetting = get("size");
  if (!sizeSetting) fail(headerLine, `job [${section}] has no size; give size=, e.g. size=1G`);
  const bsSetting = get("bs");
  const bs = bsSetting ? sizeOf("bs", bsSetting, 1) : FIO_DEFAULTS.bs;
  const size = sizeOf("size", sizeSetting, 1);
  const nameSetting = get("name");
  if (nameSetting && nameSetting.value === "") fail(nameSetting.line, "name= is empty; give the job a name");
  const endFsync = get("end_fsync");
  const onClose = get("fsync_on_close");
  const fsync = get("fsync");
  const numjobs = get("numjobs");
  const rateSetting = get("rate");
  const fallocateSetting = get("fallocate");
  let fallocate: FioFallocate = FIO_DEFAULTS.fallocate;
  if (fallocateSetting) {
    const v = fallocateSetting.value;
    const mode = FALLOCATE_ALIASES[v] ?? (FIO_FALLOCATE as readonly string[]).find((m) => m === v);
    if (!mode) fail(fallocateSetting.line, `${shown("fallocate", fallocateSetting)} is not allowed; use fallocate=${FIO_FALLOCATE.join(", ")} (or 0, 1)`);
    fallocate = mode as FioFallocate;
  }
  const direct = get("direct");
  if (direct && boolOf("direct", direct)) fail(direct.line, `${shown("direct", direct)} is not allowed; the emulator runs buffered writers: use direct=0`);
  const timeBased = get("time_based");
  const runtime = get("runtime");
  const ramp = get("ramp_time");
  const invalidate = get("invalidate");
  const job: FioJob = {
    name: nameSetting?.value ?? section,
    rw: rw as FioJob["rw"],
    bs,
    size,
    numjobs: numjobs ? countOf("numjobs", numjobs, 1, MAX_NUMJOBS) : FIO_DEFAULTS.numjobs,
    fsync: fsync ? countOf("fsync", fsync, 0, Number.MAX_SAFE_INTEGER) : FIO_DEFAULTS.fsync,
    endFsync: (endFsync ? boolOf("end_fsync", endFsync) : false) || (onClose ? boolOf("fsync_on_close", onClose) : false),
    rate: rateSetting ? sizeOf("rate", rateSetting, 1) : FIO_DEFAULTS.rate,
    fallocate,
    timeBased: timeBased ? boolOf("time_based", timeBased) : FIO_DEFAULTS.timeBased,
    runtimeNs: runtime ? timeOf("runtime", runtime) : FIO_DEFAULTS.runtimeNs,
    rampNs: ramp ? timeOf("ramp_time", ramp) : FIO_DEFAULTS.rampNs,
    invalidate: invalidate ? boolOf("invalidate", invalidate) : FIO_DEFAULTS.invalidate,
  };
  const bad = checkFioJob(job);
  if (bad) fail(job.bs > job.size || !timeBased ? (bsSetting?.line ?? sizeSetting.line) : timeBased.line, bad);
  return job;
}

/** fio's parse_jobs_ini() and parse_cmd_line(): a section (or --name) whose name begins with "global" is global. */
const isGlobal = (name: string): boolean => name.startsWith("global");

function parse(text: string): FioJob[] {
  const jobs: FioJob[] = [];
  const global = new Map<FioKey, Setting>();
  let section: { name: string; line: number; opts: Map<FioKey, Setting> } | null = null;
  const finish = () => {
    if (section && !isGlobal(section.name)) jobs.push(jobOf(section.name, section.line, section.opts));
  };
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    const raw = lines[i]!.trim();
    if (raw === "" || raw.startsWith("#") || raw.startsWith(";")) continue;
    const header = /^\[(.*)\]$/.exec(raw);
    if (header) {
      finish();
      const name = header[1]!.trim();
      if (name === "") fail(line, "[] has no name; give the job a name, e.g. [seq-write]");
      section = { name, line, opts: isGlobal(name) ? global : new Map(global) };
      continue;
    }
    const eq = raw.indexOf("=");
    const key = (eq < 0 ? raw : raw.slice(0, eq)).trim();
    const value = eq < 0 ? "" : raw.slice(eq + 1).trim();
    if (!(FIO_KEYS as readonly string[]).includes(key))
      fail(line, `key "${key}" is not allowed;${didYouMean(key, FIO_KEYS)} allowed: ${FIO_KEYS.join(", ")}`);
    if (!section) fail(line, `${key} comes before any [section]; start the file with [global] or a job name in brackets`);
    if (value === "" && !BOOL_KEYS.includes(key)) fail(line, `${key} has no value; write ${key}=<value>`);
    section.opts.set(key as FioKey, { value, line });
  }
  finish();
  if (jobs.length === 0) throw new FioJobError("no job; add a [section] other than [global], with at least size=");
  return jobs;
}

/** Is `text` an fio command line (`fio --name=a --rw=write ...`, as commit messages quote them) rather than a job file? */
export function isFioCommandLine(text: string): boolean { return /^\s*(fio\s|--)/.test(text); }

/** A command line's words as a POSIX shell splits them: blanks outside quotes separate words, '...' keeps its text,
 *  "..." and a bare backslash escape the next character (commit messages quote `--name='seq write'`). */
function shellWords(text: string): string[] {
  const words: string[] = [];
  let word = "", inWord = false, quote: "'" | '"' | null = null;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote === "'") { if (ch === "'") quote = null; else word += ch; continue; }
    if (quote === '"') {
      if (ch === '"') quote = null;
      else if (ch === "\\" && i + 1 < text.length && '"\\$`'.includes(text[i + 1]!)) word += text[++i];
      else word += ch;
      continue;
    }
    if (/\s/.test(ch)) { if (inWord) { words.push(word); word = ""; inWord = false; } continue; }
    inWord = true;
    if (ch === "'" || ch === '"') quote = ch;
    else if (ch === "\\" && i + 1 < text.length) word += text[++i];
    else word += ch;
  }
  if (quote !== null) throw new FioJobError(`a ${quote === "'" ? "single" : "double"} quote is not closed; close it or leave the quotes out`);
  if (inWord) words.push(word);
  return words;
}

/** An fio command line as the job file it stands for (fio's parse_cmd_line(): options before the first --name are
 *  [global], each --name= starts a job), with the option each line came from. */
function commandLineToJobFile(text: string): { file: string; options: string[] } {
  const tokens = shellWords(text.replace(/\\\r?\n/g, " "));
  if (tokens[0] === "fio") tokens.shift();
  const lines: string[] = ["[global]"], options: string[] = [""];
  for (const t of tokens) {
    const m = /^--([A-Za-z_0-9]+)(?:=(.*))?$/.exec(t);
    if (!m) throw new FioJobError(`"${t}" is not allowed; give the job as --key=value options (a job file goes in job= as its text)`);
    const [, key, value] = m;
    if (key === "name") {
      if (!value) throw new FioJobError("--name has no value; give the job a name, e.g. --name=seq-write");
      lines.push(`[${value}]`);
    } else lines.push(value === undefined ? key! : `${key}=${value}`);
    options.push(t);
  }
  return { file: lines.join("\n"), options };
}

/** The jobs of a fio job file or command line, or a one-line reason (`line N: ...`, or the option at fault) it is
 *  refused (no InputError: for the schema). */
export function checkFioJobFile(text: string): { ok: true; jobs: FioJob[] } | { ok: false; problem: string } {
  let options: string[] | null = null;
  try {
    if (isFioCommandLine(text)) {
      const c = commandLineToJobFile(text);
      options = c.options;
      return { ok: true, jobs: parse(c.file) };
    }
    return { ok: true, jobs: parse(text) };
  } catch (e) {
    if (!(e instanceof FioJobError)) throw e;
    // a command line's problems name the option, not a line of the job file made from it
    const at = /^line (\d+): (.*)$/.exec(e.message);
    if (options && at) return { ok: false, problem: options[Number(at[1]) - 1] ? `${options[Number(at[1]) - 1]}: ${at[2]}` : at[2]! };
    return { ok: false, problem: e.message };
  }
}

/** The jobs of a fio job file; throws InputError `<source>: line N: ...`. */
export function parseFioJob(text: string, source = "fio job"): FioJob[] {
  const r = checkFioJobFile(text);
  if (!r.ok) throw new InputError(`${source}: ${r.problem}`);
  return r.jobs;
}

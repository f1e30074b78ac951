// Reading the user's input files and writing output files, safely: only regular files (or standard input) are
// read, never more than a stated size (so /dev/zero or a FIFO that never ends cannot fill memory), and every
// failure is one InputError line that names the option or file.
import { closeSync, fstatSync, openSync, readSync, statSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { InputError } from "./input-error.js";

const MiB = 1 << 20;

/** Largest input of each kind, in bytes. A scenario (fio job files included) is a few KiB; a trace has a line
 *  per allocation; a shard has a JSON report per run; a /proc file is a few KiB even on a large machine. */
export const INPUT_LIMITS = {
  scenario: 16 * MiB,
  trace: 512 * MiB,
  shard: 512 * MiB,
  proc: 4 * MiB,
} as const;
export type InputKind = keyof typeof INPUT_LIMITS;

const formatMiB = (bytes: number): string => `${bytes / MiB} MiB`;

function tooLarge(path: string, kind: InputKind): never {
  throw new InputError(`${path}: larger than ${formatMiB(INPUT_LIMITS[kind])}, the limit for a ${kind} file`);
}

/** Reads fd until its end, or throws once it has given more than `limit` bytes. */
function readCapped(fd: number, path: string, kind: InputKind): string {
  const limit = INPUT_LIMITS[kind];
  const chunks: Buffer[] = [];
  let total = 0;
  const buf = Buffer.allocUnsafe(64 * 1024);
  for (;;) {
    let n: number;
    try {
      n = readSync(fd, buf, 0, buf.length, null);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "EAGAIN") { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5); continue; } // a non-blocking stdin
      if (code === "EOF") break;
      throw e;
    }
    if (n === 0) break;
    total += n;
    if (total > limit) tooLarge(path, kind);
    chunks.push(Buffer.from(buf.subarray(0, n)));
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** The text of an input file (or of standard input for "-"): a regular file of at most INPUT_LIMITS[kind]. */
export function readInputFile(path: string, kind: InputKind): string {
  if (path === "-") return readCapped(0, "stdin", kind);
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (e) {
    throw new InputError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) {
      const what = st.isDirectory() ? "a directory" : st.isCharacterDevice() || st.isBlockDevice() ? "a device" : st.isFIFO() ? "a pipe" : "not a regular file";
      throw new InputError(`${path}: is ${what}; give a regular file (or - for standard input)`);
    }
    // /proc files say size 0, so the cap is enforced while reading, not from the size
    if (st.size > INPUT_LIMITS[kind]) tooLarge(path, kind);
    return readCapped(fd, path, kind);
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  } finally {
    closeSync(fd);
  }
}

/** Checks, before any work, that an output path named by an option can be written: not a directory, and in a
 *  directory that exists. */
export function checkOutputPath(option: string, path: string): void {
  const st = statSync(path, { throwIfNoEntry: false });
  if (st?.isDirectory()) throw new InputError(`${option}: ${path} is a directory; give a file name`);
  if (st && !st.isFile()) throw new InputError(`${option}: ${path} is not a regular file; give a file name`);
  const dir = dirname(path);
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new InputError(`${option}: cannot write ${path}: the directory ${dir} does not exist`);
}

/** Writes an output file named by an option (`--out`, `--html`); a directory or an unwritable path is one line. */
export function writeOutputFile(option: string, path: string, text: string): void {
  try {
    if (statSync(path, { throwIfNoEntry: false })?.isDirectory()) throw new InputError(`${option}: ${path} is a directory; give a file name`);
    writeFileSync(path, text);
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`${option}: cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}

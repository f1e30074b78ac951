// Sizes and durations as scenario files write them (host/scenario/units.ts).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { checkDuration, checkSize, formatDuration, formatSize, parseDuration, parseSize } from "../host/scenario/units.js";
import { InputError } from "../host/util/input-error.js";

const size = (v: unknown) => {
  const r = checkSize(v);
  return r.ok ? r.value : r.problem;
};
const duration = (v: unknown) => {
  const r = checkDuration(v);
  return r.ok ? r.value : r.problem;
};

test("sizes are bytes, or k/M/G/T in powers of 1024 with an optional B or iB", () => {
  assert.is(size(512), 512);
  assert.is(size("512"), 512);
  assert.is(size("512B"), 512);
  assert.is(size("4k"), 4096);
  assert.is(size("4K"), 4096);
  assert.is(size("4KiB"), 4096);
  assert.is(size("4kB"), 4096);
  assert.is(size("1M"), 1 << 20);
  assert.is(size("1 MiB"), 1 << 20);
  assert.is(size("2G"), 2 * 2 ** 30);
  assert.is(size("1T"), 2 ** 40);
  assert.is(size("1.5G"), 1.5 * 2 ** 30);
  assert.is(size("0.5k"), 512);
  assert.is(size(0), 0);
});

test("a size that is not one says what the allowed form is", () => {
  for (const bad of ["3X", "-1G", "1 G B", "G", "", " 4k", "4k ", "1e3", "0x10", true, null, [], {}, -1, 1.5])
    assert.match(String(size(bad)), /is not a size; use bytes or a number with k, M, G, T \(powers of 1024\), e\.g\. "4k"$/, JSON.stringify(bad));
  // 1.3 KiB = 1331.2 bytes.
  assert.match(String(size("1.3k")), /^"1\.3k" is not a whole number of bytes/);
});

test("size limits: minimum, maximum, multiple", () => {
  const r = checkSize("1001M", { multipleOf: 2 << 20, multipleOfWhy: "(one pageblock)" });
  assert.equal(r.ok ? r.value : r.problem, '"1001M" is not allowed; use a multiple of 2M (one pageblock)');
  const small = checkSize(0, { min: 1 });
  assert.equal(small.ok ? small.value : small.problem, "0 is not allowed; use at least 1 byte");
  const big = checkSize("2T", { max: 2 ** 40 });
  assert.equal(big.ok ? big.value : big.problem, '"2T" is not allowed; use at most 1T');
});

test("durations need a unit; only 0 stands alone", () => {
  assert.is(duration("10ns"), 10);
  assert.is(duration("250us"), 250_000);
  assert.is(duration("250µs"), 250_000);
  assert.is(duration("100ms"), 100_000_000);
  assert.is(duration("15s"), 15e9);
  assert.is(duration("1.5s"), 1.5e9);
  assert.is(duration("2min"), 120e9);
  assert.is(duration("1h"), 3600e9);
  assert.is(duration(0), 0);
  assert.is(duration("0"), 0);
  assert.is(duration("0ms"), 0);
  assert.is(duration(15), '15 is not a duration; give it a unit, e.g. "15s" or "15ms" (only 0 may stand alone)');
  assert.is(duration("15"), '"15" is not a duration; give it a unit, e.g. "15s" or "15ms" (only 0 may stand alone)');
  for (const bad of ["15 sec", "2m", "1d", "-1s", "s", true, null])
    assert.match(String(duration(bad)), /is not a duration; use a number with ns, us, ms, s, min or h/, JSON.stringify(bad));
  assert.match(String(duration("0.5ns")), /is not a whole number of nanoseconds/);
});

test("duration limits: positive, whole seconds, maximum", () => {
  const zero = checkDuration("0", { positive: true });
  assert.is(zero.ok ? zero.value : zero.problem, '"0" is not allowed; use a duration above 0, e.g. "1s"');
  const ms = checkDuration("1500ms", { wholeSeconds: true });
  assert.match(ms.ok ? String(ms.value) : ms.problem, /use whole seconds/);
  const long = checkDuration("2h", { maxNs: 3600e9 });
  assert.is(long.ok ? long.value : long.problem, '"2h" is not allowed; use at most 1h');
});

test("formatting picks the largest exact unit", () => {
  assert.is(formatSize(4096), "4k");
  assert.is(formatSize(3 * 2 ** 30), "3G");
  assert.is(formatSize(1000), "1000");
  assert.is(formatSize(1536 * 1024), "1536k");
  assert.is(formatDuration(15e9), "15s");
  assert.is(formatDuration(100e6), "100ms");
  assert.is(formatDuration(90e9), "90s");
  assert.is(formatDuration(7), "7ns");
  assert.is(formatDuration(0), "0");
});

test("parseSize and parseDuration throw one InputError line naming the field", () => {
  try {
    parseSize("3X", "fuse.max_write");
    assert.unreachable();
  } catch (e) {
    assert.instance(e, InputError);
    assert.is((e as Error).message, 'fuse.max_write: "3X" is not a size; use bytes or a number with k, M, G, T (powers of 1024), e.g. "4k"');
  }
  assert.throws(() => parseDuration(30, "run.duration"), (e: Error) => e instanceof InputError && e.message.startsWith("run.duration: 30 is not a duration"));
  assert.is(parseSize("2G", "x"), 2 ** 31);
  assert.is(parseDuration("15s", "x"), 15e9);
});

test.run();

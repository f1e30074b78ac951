// The results array of AllocatorModel.apply(): the caller's, when it passes one to reuse, or a new one.

/** A view of the first n entries of `results`, or a new array of n; a too-short array is a caller's bug. */
export function resultsArray(n: number, results?: Int32Array): Int32Array {
  if (!results) return new Int32Array(n);
  if (results.length < n) throw new Error(`apply: results has ${results.length} entries, the batch needs ${n}`);
  return results.subarray(0, n);
}

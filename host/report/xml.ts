// Text helpers shared by the report's SVG and HTML writers. No DOM: the report is built as a string in Node,
// and the same modules run in the browser demo.

/** Escapes text for an XML/HTML text node or a double-quoted attribute. */
export function esc(text: string | number): string {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A number short enough for an axis tick or a table cell: 1234567 -> "1.23M", 0.000123 -> "0.000123". */
export function shortNumber(x: number): string {
  const a = Math.abs(x);
  if (a >= 1e9) return `${trim(x / 1e9)}G`;
  if (a >= 1e6) return `${trim(x / 1e6)}M`;
  if (a >= 1e4) return `${trim(x / 1e3)}k`;
  return trim(x);
}

function trim(x: number): string {
  return String(Number(x.toPrecision(3)));
}

/** Virtual nanoseconds as seconds for a caption: 412345678 -> "0.412 s". */
export function seconds(ns: number): string {
  return `${(ns / 1e9).toFixed(ns >= 100e9 ? 1 : 3)} s`;
}

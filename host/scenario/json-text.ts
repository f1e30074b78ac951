// JSON text → value, with syntax errors as `line L, column C: <what>`. JSON.parse does the parsing; only when
// it fails does a small RFC 8259 scanner walk the text to find where and why (V8's messages give neither a
// line nor, always, a position).
import { InputError } from "../util/input-error.js";

class SyntaxAt extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

function describeChar(text: string, at: number): string {
  if (at >= text.length) return "end of input";
  const c = text[at]!;
  return c === "'" ? `"'"` : `'${c}'`;
}

/** Throws SyntaxAt at the first place `text` is not JSON. */
function scan(text: string): void {
  let i = 0;
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i]!)) i++;
    if (text.startsWith("//", i) || text.startsWith("/*", i)) throw new SyntaxAt(i, "comments are not allowed in JSON");
  };
  const unexpected = (expected: string): never => {
    if (text[i] === "'") throw new SyntaxAt(i, "strings need double quotes");
    throw new SyntaxAt(i, `unexpected ${describeChar(text, i)}; expected ${expected}`);
  };
  const string = () => {
    const start = i++;
    for (;;) {
      if (i >= text.length) throw new SyntaxAt(start, "this string is never closed");
      const c = text.charCodeAt(i);
      if (c === 0x22) return void i++;
      if (c < 0x20) throw new SyntaxAt(i, c === 0x0a ? "line break inside a string; write it as \\n" : "control character inside a string");
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) throw new SyntaxAt(i, "\\u needs four hex digits");
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else throw new SyntaxAt(i, `unknown escape \\${e ?? ""}`);
      } else i++;
    }
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      ws();
      if (text[i] === "}") return void i++;
      for (;;) {
        ws();
        if (text[i] !== '"') unexpected(text[i] === "}" ? "another property (a comma before '}' is not allowed)" : "a property name in double quotes");
        string();
        ws();
        if (text[i] !== ":") unexpected("':' after the property name");
        i++;
        value();
        ws();
        if (text[i] === ",") { i++; continue; }
        if (text[i] === "}") return void i++;
        unexpected("',' or '}' after the property value");
      }
    }
    if (c === "[") {
      i++;
      ws();
      if (text[i] === "]") return void i++;
      for (;;) {
        ws();
        if (text[i] === "]") unexpected("another element (a comma before ']' is not allowed)");
        value();
        ws();
        if (text[i] === ",") { i++; continue; }
        if (text[i] === "]") return void i++;
        unexpected("',' or ']' after the element");
      }
    }
    if (c === '"') return string();
    if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) {
      const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i));
      if (!m) throw new SyntaxAt(i, "malformed number");
      i += m[0].length;
      if (/^[0-9.eE+-]/.test(text[i] ?? "")) throw new SyntaxAt(i, "malformed number");
      return;
    }
    const word = /^[A-Za-z_]\w*/.exec(text.slice(i))?.[0];
    if (word === "true" || word === "false" || word === "null") return void (i += word.length);
    if (word !== undefined) throw new SyntaxAt(i, `${word} is not a JSON value; strings need double quotes, and true, false, null are lower case`);
    unexpected("a value");
  };
  value();
  ws();
  if (i < text.length) throw new SyntaxAt(i, `unexpected ${describeChar(text, i)} after the end of the JSON value`);
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lines = before.split("\n");
  return { line: lines.length, column: lines[lines.length - 1]!.length + 1 };
}

/** How deep JSON input may nest. A scenario nests 5 levels at most (server.faults, workloads[i]); the limit
 *  keeps every later step (the syntax scanner, validation, messages) clear of the stack's depth. */
export const MAX_JSON_DEPTH = 64;

/** The offset of the first [ or { that opens level MAX_JSON_DEPTH + 1, or -1. Iterative: any input is safe. */
export function jsonTooDeepAt(text: string): number {
  let depth = 0, inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_JSON_DEPTH) return i;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return -1;
}

/** Parses JSON text; a syntax error becomes InputError `<source>: line L, column C: JSON syntax error: ...`. */
export function parseJsonText(text: string, source: string): unknown {
  const body = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const deep = jsonTooDeepAt(body);
  if (deep >= 0) {
    const { line, column } = lineColumn(body, deep);
    throw new InputError(`${source}: line ${line}, column ${column}: nested deeper than ${MAX_JSON_DEPTH} levels; a scenario needs 4`);
  }
  try {
    return JSON.parse(body) as unknown;
  } catch (e) {
    if (!(e instanceof SyntaxError)) throw e;
    if (body.trim() === "") throw new InputError(`${source}: empty file; a scenario is a JSON object`);
    try {
      scan(body);
    } catch (s) {
      if (!(s instanceof SyntaxAt)) throw s;
      const { line, column } = lineColumn(body, s.offset);
      throw new InputError(`${source}: line ${line}, column ${column}: JSON syntax error: ${s.message}`);
    }
    // The scanner found nothing: fall back on V8's words, on one line.
    throw new InputError(`${source}: JSON syntax error: ${e.message.replace(/\s+/g, " ").slice(0, 200)}`);
  }
}

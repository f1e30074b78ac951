// `--vary path=v1,v2,...`: the values one scenario field takes in a sweep, and the cartesian product of
// several. Each value is applied like `--set path=value` (host/scenario/overrides.ts): JSON if it parses as
// JSON, else the text itself. Commas inside [...], {...} or "..." do not split values.
import { InputError } from "../util/input-error.js";
import { overrideValue } from "../scenario/overrides.js";

export interface Vary {
  path: string;
  /** The values as written, each one `path=value` override. */
  texts: string[];
}

/** One configuration of the product: the override text and parsed value per varied path. */
export interface Combination {
  overrides: string[];
  vary: Record<string, unknown>;
}


/** "a,[1,2],{"x":1,"y":2}" → ["a", "[1,2]", "{\"x\":1,\"y\":2}"]. */
export function splitValues(text: string): string[] {
  const out: string[] = [];
  let depth = 0, quoted = false, start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === "\\") i++;
      else if (ch === '"') quoted = false;
    } else if (ch === '"') quoted = true;
    else if (ch === "[" || ch === "{") depth++;
    else if (ch === "]" || ch === "}") depth--;
    else if (ch === "," && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out.map((v) => v.trim());
}

export function parseVary(option: string): Vary {
  const eq = option.indexOf("=");
  const path = eq > 0 ? option.slice(0, eq).trim() : "";
  if (path === "") throw new InputError(`--vary ${JSON.stringify(option)}: write <field.path>=<value>,<value>,..., e.g. fuse.max_pages=32,256`);
  const texts = splitValues(option.slice(eq + 1));
  if (texts.some((t) => t === "")) throw new InputError(`--vary ${JSON.stringify(option)}: an empty value; separate values with single commas, e.g. ${path}=32,256`);
  const seen = new Set<string>();
  for (const t of texts) {
    if (seen.has(t)) throw new InputError(`--vary ${JSON.stringify(option)}: ${t} is listed twice`);
    seen.add(t);
  }
  return { path, texts };
}

/** Most combinations one sweep makes (each is planned, resolved and validated before any runs). */
export const MAX_COMBINATIONS = 100_000;

/** Every combination, the first --vary changing slowest and the last fastest (nested loops in the order given). */
export function cartesianProduct(varies: readonly Vary[]): Combination[] {
  const paths = new Set<string>();
  for (const v of varies) {
    if (paths.has(v.path)) throw new InputError(`--vary: ${v.path} is varied twice; give all its values in one --vary`);
    paths.add(v.path);
  }
  const count = varies.reduce((n, v) => n * v.texts.length, 1);
  if (count > MAX_COMBINATIONS)
    throw new InputError(`--vary: ${count} combinations are not allowed; at most ${MAX_COMBINATIONS} in one sweep (split it, and use --shard to spread it)`);
  let combos: Combination[] = [{ overrides: [], vary: {} }];
  for (const v of varies) {
    combos = combos.flatMap((c) => v.texts.map((t) => ({
      overrides: [...c.overrides, `${v.path}=${t}`],
      vary: { ...c.vary, [v.path]: overrideValue(t, v.path, "--vary") },
    })));
  }
  return combos;
}

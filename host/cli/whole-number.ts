// A command-line option that must be a whole number within bounds (--seed, --jobs, --runs): digits only, no sign,
// exponent or hex; `error` is the option's own one-line message.
import { InputError } from "../util/input-error.js";

export function wholeNumberOption(text: string, min: number, max: number, error: string): number {
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) throw new InputError(error);
  return Number(text);
}

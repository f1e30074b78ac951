// A bad-input check: fn must throw an InputError whose message matches and is one line (the CLI's rule).
import * as assert from "uvu/assert";
import { InputError } from "../../host/util/input-error.js";

export function throwsInput(fn: () => unknown, pattern: RegExp): void {
  try {
    fn();
  } catch (e) {
    assert.instance(e, InputError);
    assert.match((e as Error).message, pattern);
    assert.not.match((e as Error).message, /\n/);
    return;
  }
  assert.unreachable(`expected an InputError matching ${pattern}`);
}

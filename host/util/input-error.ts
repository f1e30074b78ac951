/** Bad input from the user (scenario, trace, option): printed as one line, exit code 2, no stack trace. */
export class InputError extends Error {
  override readonly name = "InputError";
}

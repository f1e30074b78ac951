// The `fusewb` command line: one subcommand per job, parsed with node:util parseArgs.
import { parseArgs } from "node:util";
import { InputError } from "../util/input-error.js";
import type { Command } from "./command.js";
import { replayCommand } from "./replay-command.js";
import { runCommand } from "./run-command.js";
import { fioTableCommand } from "./fio-table-command.js";
import { procCommand } from "./proc-command.js";
import { sweepCommand } from "./sweep-command.js";
import { mergeCommand } from "./merge-command.js";
import { compareCommand } from "./compare-command.js";
import { checkCommand } from "./check-command.js";

const commands: Command[] = [runCommand, compareCommand, checkCommand, fioTableCommand, replayCommand, procCommand, sweepCommand, mergeCommand];

/** Every command's usage and options, or (`fusewb <command> --help`) one command's. */
function help(only?: Command): string {
  const lines = ["usage: fusewb <command> [options]", "", only ? "command:" : "commands:"];
  for (const c of only ? [only] : commands) {
    lines.push(`  ${c.usage}`, `      ${c.summary}`);
    for (const [name, o] of Object.entries(c.options))
      lines.push(`      --${name}${o.type === "string" ? " <value>" : ""}${o.multiple ? " (repeatable)" : ""}  ${o.help}`);
  }
  lines.push("", "exit codes: 0 ok, 1 an integrity or invariant check (or, for check, an expectation) failed, 2 bad input");
  return lines.join("\n") + "\n";
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(help());
    return name === undefined ? 2 : 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) throw new InputError(`unknown command "${name}"; allowed: ${commands.map((c) => c.name).join(", ")}`);
  const options = Object.fromEntries(
    Object.entries(command.options).map(([k, o]) => [
      k,
      { type: o.type, ...(o.multiple ? { multiple: true } : {}), ...(o.short ? { short: o.short } : {}) },
    ]),
  );
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: { ...options, help: { type: "boolean" } }, allowPositionals: true, strict: true });
  } catch (e) {
    const message = (e as Error).message;
    // "--seed -1": parseArgs will not take a value that starts with a dash as the option's
    const ambiguous = /^Option '(--[^']+)' argument is ambiguous/.exec(message);
    if (ambiguous) {
      const at = rest.indexOf(ambiguous[1]!);
      const value = at >= 0 ? rest[at + 1] : undefined;
      if (value !== undefined) throw new InputError(`${name}: ${ambiguous[1]} ${value}: a value that starts with "-" goes after "=": ${ambiguous[1]}=${value}`);
    }
    // parseArgs explains over several lines; the first says what is wrong
    throw new InputError(`${name}: ${message.split("\n")[0]}`);
  }
  if (parsed.values.help) {
    process.stdout.write(help(command));
    return 0;
  }
  return command.run(parsed.positionals, parsed.values as Record<string, string | boolean | string[] | undefined>);
}


/** Runs one command line; never throws: bad input is one line on stderr and exit code 2. */
export async function runCli(argv: string[]): Promise<number> {
  try {
    return await main(argv);
  } catch (e) {
    if (e instanceof InputError) {
      process.stderr.write(`fusewb: ${e.message}\n`);
      return 2;
    }
    process.stderr.write(`fusewb: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

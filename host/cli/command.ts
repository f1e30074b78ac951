// The shape every `fusewb` subcommand has, so that --help lists them all from one table.
export interface OptionSpec {
  type: "boolean" | "string";
  help: string;
  multiple?: boolean;
  short?: string;
}

export type OptionValues = Record<string, string | boolean | string[] | undefined>;

export interface Command {
  name: string;
  usage: string;
  summary: string;
  options: Record<string, OptionSpec>;
  /** Returns the exit code: 0 ok, 1 an integrity or invariant check failed, 2 bad input (thrown as InputError). */
  run(args: string[], values: OptionValues): number | Promise<number>;
}

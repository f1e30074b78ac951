// Runs a `fusewb` command line in-process and captures what it writes (the CLI's own entry, host/cli/main.ts).
import { runCli } from "../../host/cli/main.js";

export async function cli(argv: string[]): Promise<{ code: number; stderr: string; stdout: string }> {
  let stderr = "", stdout = "";
  const origErr = process.stderr.write.bind(process.stderr), origOut = process.stdout.write.bind(process.stdout);
  process.stderr.write = ((chunk: string | Uint8Array) => { stderr += String(chunk); return true; }) as typeof process.stderr.write;
  process.stdout.write = ((chunk: string | Uint8Array) => { stdout += String(chunk); return true; }) as typeof process.stdout.write;
  try {
    return { code: await runCli(argv), stderr, stdout };
  } finally {
    process.stderr.write = origErr;
    process.stdout.write = origOut;
  }
}

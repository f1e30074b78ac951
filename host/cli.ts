// The `fusewb` executable: host/cli/main.ts does the work (tests call it in-process).
import { runCli } from "./cli/main.js";

process.exitCode = await runCli(process.argv.slice(2));

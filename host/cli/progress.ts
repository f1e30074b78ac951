// A progress bar on stderr for runs longer than about a second: virtual time and data written. Silent with
// --json, or when stderr is not a terminal.
import cliProgress from "cli-progress";
import type { RunProgress } from "../sim/simulator.js";

export interface Progress {
  update: (p: RunProgress) => void;
  done: () => void;
}

const DELAY_MS = 1000;

export function progressReporter(enabled: boolean, label: string): Progress {
  if (!enabled || !process.stderr.isTTY) return { update: () => {}, done: () => {} };
  const start = performance.now();
  let bar: cliProgress.SingleBar | null = null;
  return {
    update(p) {
      if (!bar) {
        if (performance.now() - start < DELAY_MS) return;
        bar = new cliProgress.SingleBar({
          stream: process.stderr,
          format: `${label} | {virtual} virtual | {mib} MiB written | {eta_formatted} wall left`,
          hideCursor: true,
          clearOnComplete: true,
        }, cliProgress.Presets.shades_classic);
        bar.start(1, 0, { virtual: "0 s", mib: 0 });
      }
      bar.update(0, { virtual: `${(p.virtualNs / 1e9).toFixed(2)} s`, mib: Math.round(p.bytesWritten / 2 ** 20) });
    },
    done() { bar?.stop(); },
  };
}

// Ctrl-C during a long run: the first SIGINT asks the run to stop at its next batch of events, so the command
// still prints a (partial) report and exits 130; a second one exits at once.
let requested = false;

/** True once Ctrl-C was pressed while watchInterrupt() was on. */
export function interruptRequested(): boolean {
  return requested;
}

/** Catches SIGINT until the returned function is called; onInterrupt runs on the first one. */
export function watchInterrupt(onInterrupt?: () => void): () => void {
  requested = false;
  const handler = (): void => {
    if (requested) process.exit(130);
    requested = true;
    process.stderr.write("\nfusewb: stopping at the next batch of events; the report will be partial (Ctrl-C again to quit now)\n");
    onInterrupt?.();
  };
  process.on("SIGINT", handler);
  return () => process.off("SIGINT", handler);
}

/** Exit code of a command that was interrupted (128 + SIGINT). */
export const EXIT_INTERRUPTED = 130;

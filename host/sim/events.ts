// Names of the core's event types (the EV_ constants of assembly/fs/writer.ts, fs/writeback.ts, fs/wb_bandwidth.ts,
// fuse/server.ts, sim/run.ts, sim/churn.ts and sim/highorder.ts; test/layout.test.ts keeps the two sides equal), and what an
// event's argument is, for messages that say which event an invariant failure followed.
export const EVENT_NAMES: Readonly<Record<number, { name: string; arg?: string }>> = {
  1: { name: "writer step", arg: "writer" },
  2: { name: "flusher step" },
  3: { name: "writer memory retry", arg: "writer" },
  4: { name: "flusher timer (wb_wakeup_delayed)" },
  10: { name: "server pick", arg: "server thread" },
  11: { name: "server reply", arg: "server thread" },
  12: { name: "splice release" },
  13: { name: "server store retry", arg: "server thread" },
  20: { name: "sample" },
  21: { name: "request timeout check" },
  22: { name: "server crash" },
  23: { name: "kswapd" },
  30: { name: "churn alloc", arg: "workload" },
  31: { name: "churn free", arg: "allocation slot" },
  32: { name: "high-order attempt", arg: "workload" },
  33: { name: "high-order free", arg: "allocation slot" },
  40: { name: "writer throttle pause end", arg: "writer" },
  41: { name: "bandwidth update (wb_update_bandwidth)" },
  50: { name: "kcompactd" },
  51: { name: "kcompactd timeout", arg: "timer generation" },
  52: { name: "vmstat_update" },
};

/** "event 1234 (server reply, request 5) at 1234567 ns" */
export function describeEvent(number: number, type: number, arg: number, ns: number): string {
  const e = EVENT_NAMES[type];
  const what = e ? (e.arg ? `${e.name}, ${e.arg} ${arg}` : e.name) : `type ${type}, arg ${arg}`;
  return `event ${number} (${what}) at ${ns} ns`;
}

// What the core's event types (the EV_ constants, host/gen/contract.ts EV) are called in messages, and what an
// event's argument is, for messages that say which event an invariant failure followed. The compiler wants a text
// for every EV_ the core declares, and no other.
import { EV } from "../gen/contract.js";

const TEXT: Readonly<Record<keyof typeof EV, { name: string; arg?: string }>> = {
  EV_WRITER: { name: "writer step", arg: "writer" },
  EV_FLUSHER: { name: "flusher step" },
  EV_WRITER_MEMORY_RETRY: { name: "writer memory retry", arg: "writer" },
  EV_FLUSHER_TIMER: { name: "flusher timer (wb_wakeup_delayed)" },
  EV_SERVER_PICK: { name: "server pick", arg: "server thread" },
  EV_SERVER_REPLY: { name: "server reply", arg: "server thread" },
  EV_SPLICE_RELEASE: { name: "splice release" },
  EV_SERVER_STORE: { name: "server store retry", arg: "server thread" },
  EV_SAMPLE: { name: "sample" },
  EV_TIMEOUT_CHECK: { name: "request timeout check" },
  EV_CRASH: { name: "server crash" },
  EV_KSWAPD: { name: "kswapd" },
  EV_CHURN_ALLOC: { name: "churn alloc", arg: "workload" },
  EV_CHURN_FREE: { name: "churn free", arg: "allocation slot" },
  EV_HIGHORDER: { name: "high-order attempt", arg: "workload" },
  EV_HIGHORDER_FREE: { name: "high-order free", arg: "allocation slot" },
  EV_WRITER_PAUSE: { name: "writer throttle pause end", arg: "writer" },
  EV_WB_BW_DWORK: { name: "bandwidth update (wb_update_bandwidth)" },
  EV_KCOMPACTD: { name: "kcompactd" },
  EV_KCOMPACTD_TIMER: { name: "kcompactd timeout", arg: "timer generation" },
  EV_VMSTAT: { name: "vmstat_update" },
};

export const EVENT_NAMES: Readonly<Record<number, { name: string; arg?: string }>> =
  Object.fromEntries(Object.entries(TEXT).map(([k, v]) => [EV[k as keyof typeof EV], v]));

/** "event 1234 (server reply, request 5) at 1234567 ns" */
export function describeEvent(number: number, type: number, arg: number, ns: number): string {
  const e = EVENT_NAMES[type];
  const what = e ? (e.arg ? `${e.name}, ${e.arg} ${arg}` : e.name) : `type ${type}, arg ${arg}`;
  return `event ${number} (${what}) at ${ns} ns`;
}

// FUSE_INIT's limits for a server without CAP_SYS_ADMIN (fs/fuse/inode.c process_init_limits(), 6.1.192 and 6.12.118
// alike): max_background and congestion_threshold are capped at max_user_bgreq and max_user_congthresh, which
// sanitize_global_limit() sets to "1/2^13 of the total memory, assuming 392 bytes per request", at most 65,535.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { resolveScenario } from "../host/scenario/resolve.js";
import { maxUserBgreq } from "../host/scenario/fuse-init.js";
import { Simulator } from "../host/sim/simulator.js";
import { coreModuleSync } from "../host/core/load-node.js";
import { CFG, CFG_WORDS } from "../host/sim/layout.js";

test("max_user_bgreq: RAM / 8 KiB / 392, at most 65,535", () => {
  // 8 GiB: 2^33 / 2^13 = 1,048,576 / 392 = 2,674.9; 64 MiB: 8,192 / 392 = 20.9; 1 TiB: 2^27 / 392 = 342,392 -> 65,535
  assert.is(maxUserBgreq(2 * 2 ** 20), 2674);
  assert.is(maxUserBgreq(16384), 20);
  assert.is(maxUserBgreq(2 ** 28), 65535);
});

test("an unprivileged server's max_background and congestion_threshold are capped; root's are not", () => {
  const words = (privileged: boolean): [number, number] => {
    const config = resolveScenario({
      machine: { memory: "64M" },
      fuse: { max_background: 200, congestion_threshold: 150 },
      server: { privileged, splice: false },
      workloads: [{ type: "fio", rw: "write", bs: "1M", size: "4M" }],
    }, "fuse-init");
    const sim = new Simulator(config, coreModuleSync("release"));
    const cfg = new Float64Array(sim.allocator.core.memory.buffer, sim.allocator.core.cfg_ptr(), CFG_WORDS);
    return [cfg[CFG.MAX_BACKGROUND]!, cfg[CFG.CONGESTION_THRESHOLD]!];
  };
  assert.equal(words(true), [200, 150]);
  assert.equal(words(false), [20, 20]);
});

test.run();

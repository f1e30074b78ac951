// Scenarios that a test checks and scripts/readme-probes.mts reports for the README: one definition for both.
import { readFileSync } from "node:fs";
import { applyOverrides, resolveScenario } from "../../host/scenario/resolve.js";
import type { SimConfig } from "../../host/scenario/sim-config.js";

/** Pageblock conversion (test/block-conversion.test.ts): scenarios/default.json's server and FUSE limits on a 3 GiB
 *  machine, one job writing 1 GiB. */
export function blockConversionScenario(policy: string, machine: Record<string, unknown> = {}, bs = "1M"): SimConfig {
  return resolveScenario({
    machine: { memory: "3G", ...machine },
    fuse: { max_pages: 256, max_write: "1M", writeback_cache: true },
    policy,
    server: {
      name: "passthrough_ll", threads: 4, per_request: { dist: "fixed", mean: "2us" }, per_byte_ns: 1.0, splice: true,
      privileged: true,
    },
    workloads: [{ type: "fio", name: "seq-write", rw: "write", bs, size: "1G", numjobs: 1 }],
    run: { duration: "0", seed: 1, sample_interval: "10ms" },
  }, "block-conversion");
}

/** Gorman's experiment (test/high-order-runs.test.ts): scenarios/mobility-grouping.json run for 10 s instead of its
 *  5 s, with mobility grouping on or off. */
export function gormanScenario(grouping: boolean): SimConfig {
  const raw = JSON.parse(readFileSync(new URL("../../scenarios/mobility-grouping.json", import.meta.url), "utf8")) as unknown;
  return resolveScenario(applyOverrides(raw, ["run.duration=10s", `machine.mobility_grouping=${grouping}`]), "gorman");
}

// The headline result (DESIGN.md 1.2, section 6): the modelled copy-free gains of the fio table within
// +-5 percentage points of the published -3 %, +23 %, +45 %, from the one cost model.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { parseScenario } from "../host/scenario/resolve.js";
import { fioTable } from "../host/sim/fio-table.js";
import { coreModuleSync } from "../host/core/load-node.js";

test("fio table: modelled gains within 5 points of the published ones at 1k, 4k and 1M", () => {
  const base = parseScenario(readFileSync(new URL("../scenarios/default.json", import.meta.url), "utf8"), "default.json");
  for (const row of fioTable(base, coreModuleSync("release"))) {
    const off = Math.abs(row.gainPct - row.publishedGainPct);
    assert.ok(off <= 5, `${row.bs}: modelled ${row.gainPct} % against published ${row.publishedGainPct} % (${off.toFixed(1)} points off)`);
  }
});

test.run();

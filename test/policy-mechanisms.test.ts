// Policies as mechanisms (host/scenario/policy.ts, assembly/sim/mechanisms.ts): the presets, a scenario's own
// combination, its validation, and a combination no preset has (a request timeout with migrate-skip) behaving as
// each of its mechanisms predicts.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { resolveScenario } from "../host/scenario/resolve.js";
import { runScenario } from "../host/sim/run-scenario.js";
import { coreModuleSync } from "../host/core/load-node.js";
import { PRESETS, PRESET_NAMES, runPolicyOf, choiceName } from "../host/scenario/policy.js";
import { InputError } from "../host/util/input-error.js";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { cli } from "./helpers/cli.js";
import { harness, MIGRATE_SYNC, MIGRATE_WAIT, EBUSY, PG_folio_writeback, type ScenarioPolicy } from "./helpers/harness.js";

const release = coreModuleSync("release");
const fio = { type: "fio", rw: "write", bs: "1M", size: "64M", numjobs: 1 };
const scenario = (policy: unknown, extra: Record<string, unknown> = {}) => ({ machine: { memory: "256M" }, policy, workloads: [fio], ...extra });

test("a preset given as an object is the preset: same name, same mechanisms", () => {
  for (const preset of PRESET_NAMES) {
    const named = resolveScenario(scenario(preset)), object = resolveScenario(scenario({ preset }));
    assert.is(choiceName(object.policy), preset);
    assert.equal(runPolicyOf(object), runPolicyOf(named));
  }
});

test("a combination names its preset and what differs, and the mechanisms replace the preset's", () => {
  const c = resolveScenario(scenario({ preset: "nocopy", timeout: "15s", migrate: "skip" }));
  const rp = runPolicyOf(c);
  assert.is(rp.name, "nocopy+migrate=skip+timeout=15s");
  assert.is(rp.preset, "nocopy");
  // what nocopy has (copy-free, splice allowed, no area) with the two it was given
  assert.equal(rp.mechanisms, { writeback: "copy-free", migrate: "skip", splice: "allow", timeoutS: 15, wbAreaPages: 0, largeFolios: "auto" });
  // giving a preset's own value changes nothing, so the name stays the preset's
  assert.is(choiceName(resolveScenario(scenario({ preset: "nocopy-cancel", migrate: "cancel-if-not-spliced" })).policy), "nocopy-cancel");
});

test("the kernel's request timeout wins over a preset's: nocopy-timeout runs with fuse.request_timeout when one is set", () => {
  // fs/fuse/inode.c: fuse_init_server_timeout() takes the negotiated timeout; the preset's 15 s applies where none is
  assert.is(runPolicyOf(resolveScenario(scenario("nocopy-timeout", { fuse: { request_timeout: "20s" } }))).mechanisms.timeoutS, 20);
  assert.is(runPolicyOf(resolveScenario(scenario("nocopy-timeout"))).mechanisms.timeoutS, PRESETS["nocopy-timeout"].timeoutS);
  assert.is(runPolicyOf(resolveScenario(scenario("nocopy", { fuse: { request_timeout: "20s" } }))).mechanisms.timeoutS, 20);
});

function refuses(policy: unknown, pattern: RegExp, extra: Record<string, unknown> = {}): void {
  try {
    resolveScenario(scenario(policy, extra), "p.json");
  } catch (e) {
    assert.instance(e, InputError);
    const line = (e as Error).message;
    assert.not.match(line, /\n/, "one line");
    assert.match(line, pattern);
    return;
  }
  assert.unreachable(`${JSON.stringify(policy)} was accepted`);
}

test("a bad combination is one line naming the field and what is allowed", () => {
  refuses({ preset: "nocopy", migrate: "skp" }, /^p\.json: policy\.migrate: "skp" is not allowed; did you mean "skip"\? allowed: kernel, skip, cancel-if-not-spliced$/);
  refuses({ preset: "nocpy" }, /^p\.json: policy\.preset: "nocpy" is not allowed; did you mean "nocopy"\?/);
  refuses({ preset: "nocopy", splice: true }, /^p\.json: policy\.splice: true is not allowed; allowed: allow, copy$/);
  refuses({ preset: "nocopy", timeout: "10s" }, /^p\.json: policy\.timeout: "10s" is not allowed; use "off" or at least "15s"/);
  refuses({ preset: "nocopy", timeot: "15s" }, /^p\.json: policy\.timeot: unknown key; did you mean "timeout"\? allowed here: preset, writeback, migrate, splice, timeout, wb_area, large_folios$/);
  refuses({ preset: "legacy-copy", migrate: "skip" }, /^p\.json: policy\.migrate: "skip" is not allowed with writeback "copy"/);
  refuses({ preset: "nocopy", wb_area: "3M" }, /^p\.json: policy\.wb_area: "3M" is not allowed; use a multiple of 2M/);
  refuses({ preset: "nocopy", timeout: "30s" }, /^p\.json: policy\.timeout: 30s is not allowed; the kernel's settings give the connection a request timeout of 20s already/, { fuse: { request_timeout: "20s" } });
  refuses("nocpy", /^p\.json: policy: "nocpy" is not allowed; did you mean "nocopy"\? allowed: legacy-copy, nocopy,/);
});

test("migrate-skip with a timeout, one folio: MIGRATE_SYNC does not wait where the kernel's rule waits", () => {
  // mm/migrate.c: migrate_folio_unmap() waits for writeback in MIGRATE_SYNC (nocopy, and nocopy-timeout: the timeout
  // does not change migration); the skip mechanism returns -EBUSY for a FUSE folio under writeback instead
  const outcome = (policy: ScenarioPolicy): number => {
    const { h, page, ok } = harness(policy);
    h.harness_do_write(0, 0, 4 * 4096);
    h.harness_writeback(0);
    const pfn = h.harness_mapping_pfn(0, 0);
    assert.ok(page(pfn).flags & PG_folio_writeback);
    const r = h.harness_migrate_pfn(pfn, MIGRATE_SYNC);
    ok();
    return r;
  };
  assert.is(outcome("nocopy"), MIGRATE_WAIT);
  assert.is(outcome("nocopy-timeout"), MIGRATE_WAIT);
  assert.is(outcome({ preset: "nocopy", timeout: "15s", migrate: "skip" }), EBUSY);
  assert.is(outcome({ preset: "nocopy-timeout", migrate: "skip" }), EBUSY);
});

// A small loaded machine (test/high-order-runs.test.ts's): two writers, churn, a contiguous allocation and a THP
// fault every 100 ms, and a server that stops answering at 1 s; 31 s, one timeout check past the expiry.
function stuck(policy: ScenarioPolicy) {
  return runScenario(resolveScenario({
    machine: { memory: "128M", bdi: { max_ratio: 50 } },
    policy,
    server: { threads: 4, per_request: { dist: "exponential", mean: "50us" }, faults: { stop_at: "1s" } },
    workloads: [
      { type: "fio", rw: "write", bs: "1M", size: "2G", rate: "64M", numjobs: 2 },
      { type: "churn", name: "anon", kind: "movable", order: 2, rate: 500, lifetime: "2s" },
      { type: "churn", name: "slab", kind: "unmovable", rate: 50, lifetime: "5s" },
      { type: "highorder", name: "contig", kind: "contig", order: 9, interval: "100ms", hold: "50ms" },
      { type: "highorder", name: "thp", kind: "thp", interval: "100ms", hold: "200ms" },
    ],
    run: { duration: "31s" },
  }, "stuck"), { module: release, timing: false });
}

test("migrate-skip with a timeout, a stuck server: the timeout's abort and losses, and skip's contiguous allocations that never wait", () => {
  const combo = stuck({ preset: "nocopy", timeout: "15s", migrate: "skip" });
  const skip = stuck("nocopy-migrate-skip"), timeout = stuck("nocopy-timeout");
  assert.is(combo.policy, "nocopy+migrate=skip+timeout=15s");
  // the timeout (fuse_check_timeout() every 15 s): at 15 s the oldest request is about 14 s old, at 30 s it has
  // expired, so the connection is aborted once; the writers' blocked requests end with an error (no hang), and what
  // the server never stored is lost and attributed to its file
  for (const r of [combo, timeout]) {
    assert.is(r.modelled.connectionAborts, 1, r.policy);
    assert.is(r.modelled.hangs, 0, r.policy);
    assert.ok(r.integrity.writesLost > 0, `${r.policy}: pages lost to the abort`);
    assert.ok(r.integrity.filesWithErrors > 0, r.policy);
  }
  // without it, nothing ends the requests: the writers hang and nothing is lost
  assert.is(skip.modelled.connectionAborts, 0);
  assert.ok(skip.modelled.hangs > 0, "migrate-skip alone: the writers hang on the stuck server");
  assert.is(skip.integrity.writesLost, 0);
  // skip: alloc_contig_range() waits only where migration returns MIGRATE_WAIT, which skip never returns for a FUSE
  // folio: no contiguous allocation ever waits, with or without the timeout
  for (const r of [combo, skip]) {
    assert.is(r.highOrder.contigWaitNs, 0, r.policy);
    assert.is(r.highOrder.contigHangs, 0, r.policy);
  }
  // the kernel's rule with the timeout: a wait may start, but the abort ends every writeback, so none outlives it
  assert.is(timeout.highOrder.contigHangs, 0);
  for (const r of [combo, skip, timeout]) assert.is(r.integrity.corrupt, 0, r.policy);
});

test("a combination in `policies` runs beside the presets, and expect checks name it as reports do", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fusewb-combo-"));
  const file = join(dir, "combo.json");
  const combo = "nocopy+migrate=skip+timeout=15s";
  writeFileSync(file, JSON.stringify({
    name: "combo", machine: { memory: "256M" }, fuse: { max_pages: 32, max_write: "128k" },
    policies: ["nocopy", { preset: "nocopy", migrate: "skip", timeout: "15s" }],
    server: { name: "s", threads: 2, per_request: { dist: "fixed", mean: "5us" } },
    workloads: [{ type: "fio", rw: "write", bs: "64k", size: "8M", numjobs: 1 }], run: { duration: "0", seed: 3 },
    expect: { checks: [
      // the combination's timeout is on where nocopy's is off; its writeback is nocopy's (copy-free: nothing copied)
      { policy: combo, path: "mechanisms.timeoutS", "==": 15 },
      { policy: "nocopy", path: "mechanisms.timeoutS", "==": 0 },
      { policy: combo, path: "modelled.bytesCopiedWriteback", "==": 0 },
    ] },
  }));
  const r = await cli(["check", file]);
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, new RegExp(`${combo.replace(/\+/g, "\\+")}/s runs clean`));
  // a name no run has is refused before anything runs, with the names the scenario runs
  const typo = join(dir, "typo.json");
  writeFileSync(typo, JSON.stringify({ ...JSON.parse(readFileSync(file, "utf8")), expect: { checks: [{ policy: "nocopy+migrate=skp", path: "mechanisms.timeoutS", "==": 15 }] } }));
  const bad = await cli(["check", typo]);
  assert.is(bad.code, 2);
  assert.match(bad.stderr, /expect\.checks\.0\.policy: "nocopy\+migrate=skp" is not allowed; the scenario runs nocopy, nocopy\+migrate=skip\+timeout=15s/);
});

test("a page whose writeback was cancelled before the server read it is not held by the splicing server's pipe", () => {
  // Found by the random scenarios (seed 4 of the soak): nocopy-cancel cancels an unread request's pages (its slots
  // become NONE); the server then splices the request, taking references only on the pages left, and a pipe that
  // keeps its pages past the reply (faults.splice_hold) kept the NONE slots too, whose release wrote below struct
  // page (invariant 19). The shrunk scenario runs clean with the checker after every event.
  const config = resolveScenario(JSON.parse(readFileSync(new URL("./fixtures/splice-hold-cancelled.json", import.meta.url), "utf8")), "splice-hold-cancelled");
  const r = runScenario(config, { module: coreModuleSync("debug"), timing: false });
  assert.is(r.integrity.corrupt, 0);
});

test.run();

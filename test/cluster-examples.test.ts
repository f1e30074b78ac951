// examples/kubernetes and examples/slurm, run here as a cluster would run them: each shard a separate process
// with the environment its scheduler gives it (JOB_COMPLETION_INDEX; SLURM_ARRAY_TASK_ID and _COUNT), the
// commands taken from the files themselves, `fusewb` a shim for the sources. The merged output must be the
// unsharded one, byte for byte.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { tinyScenario } from "./helpers/tiny-scenario.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), "fusewb-cluster-"));
const shimDir = join(tmp, "bin");
mkdirSync(shimDir);
// `fusewb` on PATH, as `npm install -g fusewb` would put it, but running this checkout's sources
writeFileSync(join(shimDir, "fusewb"), `#!/bin/sh\nexec "${process.execPath}" --import tsx "${join(root, "host/cli.ts")}" "$@"\n`);
chmodSync(join(shimDir, "fusewb"), 0o755);

interface Done { code: number | null; stdout: string; stderr: string }

function run(cmd: string, args: string[], env: Record<string, string>): Promise<Done> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, env: { ...process.env, NO_COLOR: "1", PATH: `${shimDir}:${process.env.PATH}`, ...env } });
    let stdout = "", stderr = "";
    child.stdout.on("data", (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on("data", (d: Buffer) => { stderr += d.toString(); });
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** The script of a manifest's container: the `- |` block under `args:`, dedented. */
function containerScript(yaml: string): string {
  const lines = yaml.split("\n");
  const at = lines.findIndex((l, i) => /^\s*args:\s*$/.test(l) && /^\s*- \|\s*$/.test(lines[i + 1] ?? ""));
  assert.ok(at >= 0, "the manifest has an args: - | block");
  const block: string[] = [];
  const dash = lines[at + 1]!.search(/\S/);
  for (const l of lines.slice(at + 2)) {
    if (l.trim() !== "" && l.search(/\S/) <= dash) break;
    block.push(l);
  }
  const indent = Math.min(...block.filter((l) => l.trim()).map((l) => l.search(/\S/)));
  return block.map((l) => l.slice(indent)).join("\n");
}

/** The manifest's env entries (`- name: X` / `value: Y`). */
function containerEnv(yaml: string): Record<string, string> {
  return Object.fromEntries([...yaml.matchAll(/- name: (\w+)\n\s+value: "?([^"\n]*)"?/g)].map((m) => [m[1]!, m[2]!]));
}

test("kubernetes: the indexed Job's shards and the merge Job give the unsharded check", async () => {
  const shardsYaml = readFileSync(join(root, "examples/kubernetes/check-shards.yaml"), "utf8");
  const mergeYaml = readFileSync(join(root, "examples/kubernetes/check-merge.yaml"), "utf8");
  const env = containerEnv(shardsYaml);
  const completions = Number(/completions: (\d+)/.exec(shardsYaml)?.[1]);
  assert.is(Number(env.SHARDS), completions, "SHARDS is the Job's completions");
  // a small scenario with expectations stands for the ConfigMap of the user's scenarios
  const scenarios = join(tmp, "scenarios"), results = join(tmp, "k8s-results");
  mkdirSync(scenarios);
  mkdirSync(results);
  writeFileSync(join(scenarios, "tiny.json"), JSON.stringify({
    ...tinyScenario(5),
    expect: {
      variants: { "write-through": ["fuse.writeback_cache=false"] },
      checks: [
        { policy: "nocopy", path: "modelled.bytesCopiedWriteback", "==": 0 },
        { variant: "write-through", path: "modelled.peakNrDirty", "==": 0 },
        { policy: "legacy-copy", path: "modelled.bytesCopiedWriteback", "==": { path: "modelled.bytesWritten" } },
      ],
    },
  }));
  const paths = { SCENARIOS: scenarios, RESULTS: results };
  const shardScript = containerScript(shardsYaml);
  const pods = await Promise.all(Array.from({ length: completions }, (_, i) => run("sh", ["-c", shardScript], { ...env, ...paths, JOB_COMPLETION_INDEX: String(i) })));
  for (const p of pods) assert.is(p.code, 0, p.stderr);
  const merge = await run("sh", ["-c", containerScript(mergeYaml)], { ...containerEnv(mergeYaml), ...paths });
  assert.is(merge.code, 0, merge.stderr);
  // unsharded, as CI on one machine runs it
  const unshardedRuns = join(tmp, "k8s-unsharded.jsonl");
  const unsharded = await run("fusewb", ["check", scenarios, "--out", unshardedRuns], {});
  assert.is(unsharded.code, 0, unsharded.stderr);
  assert.is(readFileSync(join(results, "runs.jsonl"), "utf8"), readFileSync(unshardedRuns, "utf8"));
  assert.is(merge.stdout, unsharded.stdout);
  assert.match(merge.stdout, /^ok 1 - .*tiny\.json$/m);
  assert.match(readFileSync(join(results, "junit.xml"), "utf8"), /<testsuites name="fusewb check" tests="\d+" failures="0"/);
});

test("slurm: the array's tasks and the merge job give the unsharded sweep", async () => {
  const array = join(root, "examples/slurm/sweep-array.sbatch");
  const m = /#SBATCH --array=0-(\d+)/.exec(readFileSync(array, "utf8"));
  const count = Number(m?.[1]) + 1;
  const scenario = join(tmp, "sweep.json"), results = join(tmp, "slurm-results");
  writeFileSync(scenario, JSON.stringify(tinyScenario(9)));
  const env = { SCENARIO: scenario, RESULTS: results, SLURM_ARRAY_TASK_COUNT: String(count), SLURM_CPUS_PER_TASK: "1" };
  const tasks = await Promise.all(Array.from({ length: count }, (_, i) => run("bash", [array], { ...env, SLURM_ARRAY_TASK_ID: String(i) })));
  for (const t of tasks) assert.is(t.code, 0, t.stderr);
  const merge = await run("bash", [join(root, "examples/slurm/sweep-merge.sbatch")], { RESULTS: results });
  assert.is(merge.code, 0, merge.stderr);
  // the same script as one task of one is the unsharded sweep
  const alone = join(tmp, "slurm-alone");
  const one = await run("bash", [array], { ...env, RESULTS: alone, SLURM_ARRAY_TASK_ID: "0", SLURM_ARRAY_TASK_COUNT: "1" });
  assert.is(one.code, 0, one.stderr);
  const merged = readFileSync(join(results, "sweep.jsonl"), "utf8");
  assert.is(merged, readFileSync(join(alone, "shard-0.jsonl"), "utf8"));
  // 7 max_ratio values x 2 folio settings x the scenario's 2 policies
  assert.is(merged.trimEnd().split("\n").length, 28);
  assert.match(merge.stdout, /^#\s+machine\.bdi\.max_ratio\s+fuse\.large_folios\s+policy\s+MiB\/s/);
  assert.match(readFileSync(join(results, "max-ratio.svg"), "utf8"), /^<svg /);
});

test("the scripts are valid shell", () => {
  for (const f of ["examples/slurm/sweep-array.sbatch", "examples/slurm/sweep-merge.sbatch"])
    assert.is(spawnSync("bash", ["-n", join(root, f)]).status, 0, f);
});

test.run();

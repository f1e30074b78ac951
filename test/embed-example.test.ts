// The README's embedding example (examples/embed.mjs, kept equal to the README's code block) runs in the checkout
// and in a project that has fusewb installed; saved where "fusewb" does not resolve it fails with
// ERR_MODULE_NOT_FOUND, as the README says.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const example = join(root, "examples/embed.mjs");
// plain output: uvu's FORCE_COLOR would make the example's console.log colour its numbers
const { FORCE_COLOR: _, ...env } = process.env;

// "fusewb/node" is dist/node.js (package.json "exports"): build it so the test never runs a stale one
const build = spawnSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", join(root, "tsconfig.build.json")], { encoding: "utf8" });
if (build.status !== 0) process.stderr.write(`note: npm run build:host reported errors; the example uses what it emitted:\n${build.stdout}`);

test("examples/embed.mjs is the README's code", () => {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const block = /## Embedding[\s\S]*?```js\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(block, "README has the Embedding code block");
  const code = readFileSync(example, "utf8").split("\n").filter((l) => !l.startsWith("// ")).join("\n").replace(/^\n+/, "");
  assert.is(code, block);
});

function runExample(dir: string): { status: number | null; stdout: string; stderr: string } {
  const file = join(dir, "embed.mjs");
  copyFileSync(example, file);
  return spawnSync(process.execPath, [file], { cwd: dir, encoding: "utf8", env });
}

test("in the checkout and in a project with fusewb installed it runs; elsewhere ERR_MODULE_NOT_FOUND", () => {
  const inCheckout = spawnSync(process.execPath, [example], { cwd: root, encoding: "utf8", env });
  assert.is(inCheckout.status, 0, inCheckout.stderr);
  assert.match(inCheckout.stdout, /^Node 0, zone +Normal/m);
  assert.match(inCheckout.stdout, /\d+(\.\d+)? MiB\/s\n$/);
  // npm install /path/to/checkout links the package into node_modules
  const project = mkdtempSync(join(tmpdir(), "fusewb-embed-"));
  mkdirSync(join(project, "node_modules"));
  symlinkSync(root, join(project, "node_modules/fusewb"), "dir");
  const installed = runExample(project);
  assert.is(installed.status, 0, installed.stderr);
  assert.is(installed.stdout, inCheckout.stdout);
  const elsewhere = runExample(mkdtempSync(join(tmpdir(), "fusewb-embed-bare-")));
  assert.is.not(elsewhere.status, 0);
  assert.match(elsewhere.stderr, /ERR_MODULE_NOT_FOUND/);
  assert.match(elsewhere.stderr, /Cannot find package 'fusewb'/);
});

test.run();

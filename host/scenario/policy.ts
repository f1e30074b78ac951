// A run's writeback policy as the mechanisms the core reads (assembly/sim/mechanisms.ts), and the named policies
// as presets of them. PRESETS is the one place a policy name means something: everything else reads mechanisms.
import { PAGE_SIZE } from "../core/constants.js";
import type { FuseConfig, PolicyChoice, SimConfig } from "./sim-config.js";

export const WRITEBACK_MODES = ["copy", "copy-free"] as const;
export const MIGRATE_MODES = ["kernel", "skip", "cancel-if-not-spliced"] as const;
export const SPLICE_MODES = ["allow", "copy"] as const;
export const LARGE_FOLIO_MODES = ["auto", "on", "off"] as const;

/** What a run does, resolved against its scenario (sizes and the kernel's own settings filled in). */
export interface Mechanisms {
  /** fs/fuse/file.c: temp-page copy with the rb-tree (<= 6.15), or the folio itself under writeback (6.16+). */
  writeback: (typeof WRITEBACK_MODES)[number];
  /** A FUSE folio under writeback meets migration: mm/migrate.c as merged (-EBUSY; MIGRATE_SYNC waits), skip
   *  (the rejected v6 patch: never wait on these mappings), or cancel the writeback and redirty (not once spliced). */
  migrate: (typeof MIGRATE_MODES)[number];
  /** An unprivileged server that splices: allowed (the kernel), or given a copy instead. */
  splice: (typeof SPLICE_MODES)[number];
  /** The connection's request timeout, s; 0 = none. The kernel's settings (fuse.request_timeout and the
   *  fs.fuse sysctls, fuse_init_server_timeout()) win; the policy's timeout applies where they give none. */
  timeoutS: number;
  /** Pages of the dedicated writeback area (a ZONE_MOVABLE folios move into before their writeback); 0 = none. */
  wbAreaPages: number;
  /** fuse.large_folios, unless the policy says otherwise (kernel.ts folioOrder()). */
  largeFolios: (typeof LARGE_FOLIO_MODES)[number];
}

/** A preset's row: the writeback area is on (sized by fuse.wb_area) or off; large folios come from fuse. */
interface PresetRow {
  writeback: Mechanisms["writeback"];
  migrate: Mechanisms["migrate"];
  splice: Mechanisms["splice"];
  timeoutS: number;
  wbArea: boolean;
  /** One line for the README and --help. */
  what: string;
}

/** The named policies (DESIGN.md 1.3). README.md, "Policies", has this table. */
export const PRESETS = {
  "legacy-copy": { writeback: "copy", migrate: "kernel", splice: "allow", timeoutS: 0, wbArea: false, what: "<= 6.15: temp page copy, rb-tree, secondary requests" },
  nocopy: { writeback: "copy-free", migrate: "kernel", splice: "allow", timeoutS: 0, wbArea: false, what: "6.16 as merged: folio under writeback until the reply; migration -EBUSY / waits" },
  "nocopy-migrate-skip": { writeback: "copy-free", migrate: "skip", splice: "allow", timeoutS: 0, wbArea: false, what: "the rejected v6 patch: migration never waits on these mappings" },
  // FUSE_TIMEOUT_TIMER_FREQ: the smallest timeout the kernel accepts (one check period)
  "nocopy-timeout": { writeback: "copy-free", migrate: "kernel", splice: "allow", timeoutS: 15, wbArea: false, what: "6.15 request timeouts on: the kernel's setting, or 15 s; abort the connection when one expires" },
  "nocopy-splice-copy": { writeback: "copy-free", migrate: "kernel", splice: "copy", timeoutS: 0, wbArea: false, what: "unprivileged servers get a copy instead of spliced pages: the kernel copies each page into a fresh unmovable pipe page (fuse_copy_fill(), as for user pages)" },
  "nocopy-cancel": { writeback: "copy-free", migrate: "cancel-if-not-spliced", splice: "allow", timeoutS: 0, wbArea: false, what: "cancel writeback and redirty when a folio must migrate (not once spliced)" },
  "nocopy-wb-area": { writeback: "copy-free", migrate: "kernel", splice: "allow", timeoutS: 0, wbArea: true, what: "folios under writeback are placed in / migrated into a dedicated movable area (fuse.wb_area)" },
} as const satisfies Record<string, PresetRow>;
export type PresetName = keyof typeof PRESETS;
export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];

/** A policy as a scenario gives it: a preset, and mechanisms that replace the preset's ("policy": { "preset":
 *  "nocopy", "timeout": "15s", "migrate": "skip" }). wbArea: false (off), true (on, fuse.wb_area's size) or bytes. */
export interface PolicySpec {
  preset: PresetName;
  writeback?: Mechanisms["writeback"];
  migrate?: Mechanisms["migrate"];
  splice?: Mechanisms["splice"];
  timeoutS?: number;
  wbArea?: boolean | number;
  largeFolios?: Mechanisms["largeFolios"];
}

/** A run's policy: its name in reports (the preset's, or the preset and what differs), and its mechanisms. */
export interface RunPolicy {
  name: string;
  preset: PresetName;
  mechanisms: Mechanisms;
}

/** What a policy is resolved against: the scenario's FUSE settings. */
export interface PolicyContext {
  /** The kernel's request timeout (fuse.request_timeout and the sysctls), s; 0 = none. */
  requestTimeoutS: number;
  /** fuse.wb_area resolved: pages of the area when one is on. */
  wbAreaPages: number;
  largeFolios: Mechanisms["largeFolios"];
}

/** A policy that differs from its preset: `nocopy+migrate=skip+timeout=15s` (the fields in spec order). */
export function policyName(spec: PolicySpec): string {
  const row: PresetRow = PRESETS[spec.preset];
  const parts: string[] = [spec.preset];
  if (spec.writeback !== undefined && spec.writeback !== row.writeback) parts.push(`writeback=${spec.writeback}`);
  if (spec.migrate !== undefined && spec.migrate !== row.migrate) parts.push(`migrate=${spec.migrate}`);
  if (spec.splice !== undefined && spec.splice !== row.splice) parts.push(`splice=${spec.splice}`);
  if (spec.timeoutS !== undefined && spec.timeoutS !== row.timeoutS) parts.push(`timeout=${spec.timeoutS === 0 ? "off" : `${spec.timeoutS}s`}`);
  if (spec.wbArea !== undefined && spec.wbArea !== row.wbArea) {
    const v = spec.wbArea;
    parts.push(`wb_area=${v === false ? "off" : v === true ? "on" : `${v / (1 << 20)}M`}`);
  }
  if (spec.largeFolios !== undefined) parts.push(`large_folios=${spec.largeFolios}`);
  return parts.join("+");
}

/** The problem with a combination, or null: the remedies act on copy-free writeback's folios, and a size or a
 *  timeout the kernel's settings already give is said in one place. */
export function policyProblem(spec: PolicySpec, ctx: PolicyContext): { field: string; text: string } | null {
  const row: PresetRow = PRESETS[spec.preset];
  const writeback = spec.writeback ?? row.writeback;
  if (writeback === "copy") {
    for (const [field, v, kernel] of [["migrate", spec.migrate ?? row.migrate, "kernel"], ["splice", spec.splice ?? row.splice, "allow"]] as const)
      if (v !== kernel) return { field, text: `${JSON.stringify(v)} is not allowed with writeback "copy"; it acts on copy-free writeback's folios (allowed: ${JSON.stringify(kernel)})` };
    if (wbAreaOf(spec) !== false) return { field: "wb_area", text: `is not allowed with writeback "copy"; the area holds copy-free writeback's folios (allowed: "off")` };
  }
  if (spec.timeoutS !== undefined && spec.timeoutS > 0 && ctx.requestTimeoutS > 0)
    return { field: "timeout", text: `${spec.timeoutS}s is not allowed; the kernel's settings give the connection a request timeout of ${ctx.requestTimeoutS}s already (fuse.request_timeout, machine.sysctl.*_request_timeout): give it in one place` };
  return null;
}

/** The spec's writeback area: off (false), on with fuse.wb_area's size (true), or bytes. */
export const wbAreaOf = (spec: PolicySpec): boolean | number => spec.wbArea ?? (PRESETS[spec.preset] as PresetRow).wbArea;

/** The spec against its scenario. policyProblem() must have passed. */
export function runPolicy(spec: PolicySpec, ctx: PolicyContext): RunPolicy {
  const row: PresetRow = PRESETS[spec.preset];
  const area = wbAreaOf(spec);
  const timeoutS = spec.timeoutS ?? row.timeoutS;
  return {
    name: policyName(spec),
    preset: spec.preset,
    mechanisms: {
      writeback: spec.writeback ?? row.writeback,
      migrate: spec.migrate ?? row.migrate,
      splice: spec.splice ?? row.splice,
      timeoutS: ctx.requestTimeoutS || timeoutS,
      wbAreaPages: area === false ? 0 : area === true ? ctx.wbAreaPages : area / PAGE_SIZE,
      largeFolios: spec.largeFolios ?? ctx.largeFolios,
    },
  };
}

/** The preset's spec for a name (a --policy or `policies` entry). */
export const presetSpec = (preset: PresetName): PolicySpec => ({ preset });

/** A preset's name or a spec, as SimConfig.policy holds it, as a spec. */
export const specOf = (choice: PolicyChoice): PolicySpec => (typeof choice === "string" ? { preset: choice } : choice);

/** A run's policy name in reports: the preset's, or the preset and what differs. */
export const choiceName = (choice: PolicyChoice): string => policyName(specOf(choice));

/** What the scenario's FUSE settings give a policy. */
export const policyContext = (fuse: FuseConfig): PolicyContext => ({ requestTimeoutS: fuse.requestTimeoutS, wbAreaPages: fuse.wbAreaPages, largeFolios: fuse.largeFolios });

/** The run's policy: its name and mechanisms. */
export const runPolicyOf = (config: Pick<SimConfig, "policy" | "fuse">): RunPolicy => runPolicy(specOf(config.policy), policyContext(config.fuse));

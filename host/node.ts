// fusewb's Node entry ("fusewb/node"): everything of the embedding API, plus what needs the file system:
// the compiled core from build/, and a real machine's /proc files.
export * from "./index.js";
export { coreModule as loadCoreModule, coreModuleSync as loadCoreModuleSync, type CoreTarget } from "./core/load-node.js";
export { machineFromProc } from "./proc-import/from-dir.js";

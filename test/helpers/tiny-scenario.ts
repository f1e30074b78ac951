/** A 256 MiB machine writing 8 MiB under both paths: a run takes milliseconds (CLI and sweep tests). */
export function tinyScenario(seed: number) {
  return {
    name: "tiny",
    machine: { memory: "256M" },
    fuse: { max_pages: 32, max_write: "128k", writeback_cache: true },
    policy: "nocopy",
    policies: ["legacy-copy", "nocopy"],
    server: { name: "s", threads: 2, per_request: { dist: "fixed", mean: "5us" } },
    workloads: [{ type: "fio", rw: "write", bs: "64k", size: "8M", numjobs: 1 }],
    run: { duration: "0", seed },
  };
}

// `--shard i/n`: a sweep's configurations split over n machines. Configuration k (0-based, in the sweep's
// stable order) belongs to shard k mod n, and shards are numbered 0..n-1, so a Slurm array
// (--shard $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT), a Kubernetes indexed Job
// ($JOB_COMPLETION_INDEX/<completions>) or GNU parallel ({%}-1) can run one shard each.
import { InputError } from "../util/input-error.js";

export interface Shard {
  index: number;
  count: number;
}

export const NO_SHARD: Shard = { index: 0, count: 1 };

export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN, count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index >= count || !Number.isSafeInteger(count))
    throw new InputError(`--shard: "${text}" is not allowed; write i/n with 0 <= i < n, e.g. 0/4 (shards are numbered from 0)`);
  return { index, count };
}

export function inShard(k: number, shard: Shard): boolean {
  return k % shard.count === shard.index;
}

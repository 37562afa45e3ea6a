/**
 * Failpoints: named moments where a test can kill the process the hard way (SIGKILL, as
 * `kill -9` does: no `finally`, no flush, no exit handlers), to show that a run killed there
 * resumes to the same run. Off unless the environment asks:
 *
 * - `MTSL_FAILPOINT=NAME:N` kills the process at the N-th time (1-based) it reaches NAME;
 * - `MTSL_FAILPOINT=list` prints `failpoint NAME N [WHAT]` on stderr at every one it reaches (WHAT:
 *   the file of a write), so a test can list the moments of a whole run and pick some at random.
 *
 * The names: `step` (after a training step, before the next), `phase` (inside a
 * structural-learning phase, after the similarities, before any merge), `distill` (after a
 * knowledge-transfer step of a merge), `write` (an atomic write's temporary file written, not
 * yet flushed), `rename` (flushed, not yet renamed over the target).
 */
export type FailpointName = "step" | "phase" | "distill" | "write" | "rename";

interface Plan {
  readonly list: boolean;
  readonly name: string | null;
  readonly at: number;
}

let plan: Plan | null = null;
const hits = new Map<string, number>();

function readPlan(): Plan {
  const spec = process.env["MTSL_FAILPOINT"] ?? "";
  if (spec === "list") return { list: true, name: null, at: 0 };
  const m = /^([a-z]+):(\d+)$/.exec(spec);
  return m ? { list: false, name: m[1]!, at: Number(m[2]) } : { list: false, name: null, at: 0 };
}

/** Marks a moment where the process may be killed; does nothing unless MTSL_FAILPOINT names it. */
export function failpoint(name: FailpointName, what = ""): void {
  plan ??= readPlan();
  if (!plan.list && plan.name !== name) return;
  const n = (hits.get(name) ?? 0) + 1;
  hits.set(name, n);
  if (plan.list) process.stderr.write(`failpoint ${name} ${n}${what === "" ? "" : ` ${what}`}\n`);
  else if (n === plan.at) process.kill(process.pid, "SIGKILL");
}

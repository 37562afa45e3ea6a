/**
 * The simplex solver behind CAGrad's inner problem: projected gradient, then Newton's method on
 * the solution's face. Checked on random instances of CAGrad's own inner problem
 * (cagradInnerProblem), A a Gram matrix of gradients of very different scales (rank-deficient when there
 * are fewer dimensions than tasks), by the KKT conditions of the simplex in float64 and against
 * projected gradient alone run to its own convergence.
 */
import { readFileSync } from "node:fs";

import fc from "fast-check";
import { describe, expect, it } from "vitest";

import { cagradInnerProblem, minimiseOnSimplex, simplexKktResidual } from "../../../runtime/train/weighting/cagrad.js";
import { gram, projectToSimplex } from "../../../runtime/train/weighting/linalg.js";

function cagradProblem(vectors: number[][], scales: number[], c: number) {
  const grads = vectors.map((v, i) => Float64Array.from(v, (x) => x * scales[i]!));
  return cagradInnerProblem(gram(grads), c);
}

/** Projected gradient with a fixed step 1 / L, many iterations: slow, simple, independent. */
function slowReference(p: ReturnType<typeof cagradProblem>, lipschitz: number): number[] {
  let x = [...p.start];
  for (let k = 0; k < 20_000; k++) {
    const g = p.grad(x);
    x = projectToSimplex(x.map((v, i) => v - g[i]! / lipschitz));
  }
  return x;
}

const problem = fc.integer({ min: 2, max: 6 }).chain((n) =>
  fc.record({
    dims: fc.integer({ min: 1, max: 12 }),
    c: fc.constantFrom(0.1, 0.4, 0.5, 1),
    scales: fc.array(fc.constantFrom(1e-3, 0.1, 1, 10, 300), { minLength: n, maxLength: n }),
    seed: fc.integer({ min: 1, max: 2 ** 31 - 2 }),
  }),
);

function vectorsOf(n: number, dims: number, seed: number): number[][] {
  let s = seed;
  const next = () => ((s = (s * 16807) % 2147483647) / 2147483647) * 2 - 1;
  const shared = Array.from({ length: dims }, next);
  return Array.from({ length: n }, () => shared.map((v) => 0.7 * v + next()));
}

describe("minimiseOnSimplex", () => {
  it("meets the simplex KKT conditions and is no worse than projected gradient alone", () => {
    fc.assert(
      fc.property(problem, ({ dims, c, scales, seed }) => {
        const p = cagradProblem(vectorsOf(scales.length, dims, seed), scales, c);
        const x = minimiseOnSimplex(p, p.start);
        expect(Math.abs(x.reduce((s, v) => s + v, 0) - 1)).toBeLessThan(1e-14);
        expect(Math.min(...x)).toBeGreaterThanOrEqual(0);
        const g = p.grad(x);
        expect(simplexKktResidual(x, g) / Math.max(1, ...g.map(Math.abs))).toBeLessThan(1e-9);
        const h = p.hessian(p.start);
        const lipschitz = 4 * Math.max(...h.map((row) => row.reduce((s, v) => s + Math.abs(v), 0)), 1e-12);
        const reference = slowReference(p, lipschitz);
        expect(p.f(x)).toBeLessThanOrEqual(p.f(reference) + 1e-12 * Math.max(1, Math.abs(p.f(reference))));
      }),
      { numRuns: 60, seed: 7 },
    );
  });

  it("solves the recorded case whose solution lies inside a face (two tasks in the support)", () => {
    const fixture = JSON.parse(readFileSync(new URL("fixtures/libmtl.json", import.meta.url), "utf8")) as {
      cases: { name: string; grads: number[][] }[];
    };
    const recorded = fixture.cases.find((c) => c.name === "case6-T5-d40")!;
    const p = cagradProblem(recorded.grads, new Array<number>(recorded.grads.length).fill(1), 0.4);
    const x = minimiseOnSimplex(p, p.start);
    expect(x.filter((v) => v > 0)).toHaveLength(2);
    const g = p.grad(x);
    expect(simplexKktResidual(x, g) / Math.max(1, ...g.map(Math.abs))).toBeLessThan(1e-12);
  });

  it("the KKT residual sees a wrong answer", () => {
    const p = cagradProblem(
      [
        [1, 0],
        [0, 1],
      ],
      [1, 5],
      0.4,
    );
    const x = minimiseOnSimplex(p, p.start);
    expect(simplexKktResidual(x, p.grad(x))).toBeLessThan(1e-12);
    const wrong = [x[1]!, x[0]!];
    expect(simplexKktResidual(wrong, p.grad(wrong))).toBeGreaterThan(1e-3);
  });
});

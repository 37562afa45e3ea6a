/**
 * Seeded weight initialisation, computed in JavaScript (not by the backend) so
 * that every backend starts from bit-identical weights. Every copy of a stage
 * starts from the same values: the stream depends on the run's seed, the stage
 * (not the instance), the layer and the weight name, never on the task group.
 *
 * he_normal: N(0, 2/fan_in); he_uniform: U(+-sqrt(6/fan_in)); glorot_normal:
 * N(0, 2/(fan_in+fan_out)); glorot_uniform: U(+-sqrt(6/(fan_in+fan_out)));
 * lecun_normal: N(0, 1/fan_in). Plain (untruncated) normals. For a convolution
 * kernel [k, k, in, out], fan_in = k*k*in and fan_out = k*k*out.
 */
import type { IrWeight } from "../../compiler/ir/types.js";
import { fnv1a32, Rng } from "../random.js";

function fans(shape: number[]): { fanIn: number; fanOut: number } {
  if (shape.length === 4) {
    const [kh, kw, cin, cout] = shape as [number, number, number, number];
    return { fanIn: kh * kw * cin, fanOut: kh * kw * cout };
  }
  if (shape.length === 2) return { fanIn: shape[0]!, fanOut: shape[1]! };
  const n = shape.reduce((a, b) => a * b, 1);
  return { fanIn: n, fanOut: n };
}

/** The initial values of one weight. `scope` names what the weights belong to (a stage or a head). */
export function initialValues(seed: number, scope: string, layerIndex: number, weight: IrWeight): Float32Array {
  const size = weight.shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(size);
  if (weight.init === "zeros") return out;
  if (weight.init === "ones") return out.fill(1);
  const rng = Rng.fromSeed((seed ^ fnv1a32(`${scope}/${layerIndex}.${weight.name}`)) >>> 0);
  const { fanIn, fanOut } = fans(weight.shape);
  switch (weight.init) {
    case "he_normal":
      return fillNormal(out, rng, Math.sqrt(2 / fanIn));
    case "lecun_normal":
      return fillNormal(out, rng, Math.sqrt(1 / fanIn));
    case "glorot_normal":
      return fillNormal(out, rng, Math.sqrt(2 / (fanIn + fanOut)));
    case "he_uniform":
      return fillUniform(out, rng, Math.sqrt(6 / fanIn));
    case "glorot_uniform":
      return fillUniform(out, rng, Math.sqrt(6 / (fanIn + fanOut)));
  }
}

function fillNormal(out: Float32Array, rng: Rng, std: number): Float32Array {
  for (let i = 0; i < out.length; i++) out[i] = rng.normal() * std;
  return out;
}

function fillUniform(out: Float32Array, rng: Rng, limit: number): Float32Array {
  for (let i = 0; i < out.length; i++) out[i] = (rng.uniform() * 2 - 1) * limit;
  return out;
}

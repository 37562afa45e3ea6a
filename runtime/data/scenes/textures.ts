/**
 * Procedural textures: a colour at a 3-D point, from two colours mixed by a
 * pattern (plain, stripes, checker, value noise). Every texture kind and
 * colour is drawn the same way for every object class, so neither gives the
 * class away.
 */

import type { Rng } from "../../random.js";

export const PLAIN = 0;
export const STRIPES = 1;
export const CHECKER = 2;
export const NOISE = 3;

/** A texture: pattern kind, two RGB colours, frequency, stripe axis, noise seed. */
export interface Texture {
  kind: number;
  /** Colour A, then colour B: r, g, b in [0, 1]. */
  colors: Float64Array;
  freq: number;
  /** Unit axis of the stripes. */
  ax: number;
  ay: number;
  az: number;
  phase: number;
  seed: number;
}

/** HSV (all in [0, 1]) to RGB, written into `out` at `at`. */
export function hsvToRgb(h: number, s: number, v: number, out: Float64Array, at: number): void {
  const i = Math.floor(h * 6);
  const f = h * 6 - i;
  const p = v * (1 - s);
  const q = v * (1 - f * s);
  const t = v * (1 - (1 - f) * s);
  let r: number, g: number, b: number;
  switch (((i % 6) + 6) % 6) {
    case 0:
      r = v;
      g = t;
      b = p;
      break;
    case 1:
      r = q;
      g = v;
      b = p;
      break;
    case 2:
      r = p;
      g = v;
      b = t;
      break;
    case 3:
      r = p;
      g = q;
      b = v;
      break;
    case 4:
      r = t;
      g = p;
      b = v;
      break;
    default:
      r = v;
      g = p;
      b = q;
      break;
  }
  out[at] = r;
  out[at + 1] = g;
  out[at + 2] = b;
}

/**
 * A random texture. `scale` is the size of the thing it covers (metres), so
 * patterns repeat a few times across an object whatever its size.
 */
export function randomTexture(rng: Rng, scale: number): Texture {
  const colors = new Float64Array(6);
  const h = rng.uniform();
  hsvToRgb(h, rng.range(0.15, 0.85), rng.range(0.45, 0.95), colors, 0);
  // The second colour: a nearby or an opposite hue, with a clearly different value.
  const h2 = (h + (rng.uniform() < 0.5 ? rng.range(-0.08, 0.08) : rng.range(0.3, 0.7)) + 1) % 1;
  hsvToRgb(h2, rng.range(0.15, 0.85), rng.range(0.15, 0.6), colors, 3);
  const kind = rng.int(4);
  // A random unit axis for stripes.
  const u = rng.range(-1, 1);
  const phi = rng.range(0, 2 * Math.PI);
  const sq = Math.sqrt(1 - u * u);
  return {
    kind,
    colors,
    freq: rng.range(1.5, 4) / scale,
    ax: sq * Math.cos(phi),
    ay: u,
    az: sq * Math.sin(phi),
    phase: rng.range(0, 2 * Math.PI),
    seed: rng.nextUint32() | 0,
  };
}

/** A lattice hash: 16 bits, so it stays a small integer (no boxing in V8). */
function hash3(x: number, y: number, z: number, seed: number): number {
  let hsh = Math.imul(x, 0x27d4eb2d) ^ Math.imul(y, 0x165667b1) ^ Math.imul(z, 0x9e3779b1) ^ seed;
  hsh = Math.imul(hsh ^ (hsh >>> 15), 0x85ebca6b);
  hsh = Math.imul(hsh ^ (hsh >>> 13), 0xc2b2ae35);
  return (hsh ^ (hsh >>> 16)) & 0xffff;
}

/** Trilinear value noise in [0, 1] with smoothstep interpolation. */
export function valueNoise(x: number, y: number, z: number, seed: number): number {
  const ix = Math.floor(x) | 0;
  const iy = Math.floor(y) | 0;
  const iz = Math.floor(z) | 0;
  const fx = x - ix;
  const fy = y - iy;
  const fz = z - iz;
  const ux = fx * fx * (3 - 2 * fx);
  const uy = fy * fy * (3 - 2 * fy);
  const uz = fz * fz * (3 - 2 * fz);
  const c000 = hash3(ix, iy, iz, seed);
  const c100 = hash3(ix + 1, iy, iz, seed);
  const c010 = hash3(ix, iy + 1, iz, seed);
  const c110 = hash3(ix + 1, iy + 1, iz, seed);
  const c001 = hash3(ix, iy, iz + 1, seed);
  const c101 = hash3(ix + 1, iy, iz + 1, seed);
  const c011 = hash3(ix, iy + 1, iz + 1, seed);
  const c111 = hash3(ix + 1, iy + 1, iz + 1, seed);
  const x00 = c000 + (c100 - c000) * ux;
  const x10 = c010 + (c110 - c010) * ux;
  const x01 = c001 + (c101 - c001) * ux;
  const x11 = c011 + (c111 - c011) * ux;
  const y0 = x00 + (x10 - x00) * uy;
  const y1 = x01 + (x11 - x01) * uy;
  return (y0 + (y1 - y0) * uz) / 65535;
}

/**
 * Writes into `rgb` the texture's colour at the point `pt` = [x, y, z]:
 * colour A mixed towards colour B by the pattern (0 or 1 for stripes and
 * checker, smooth for noise).
 */
export function textureColor(tex: Texture, pt: Float64Array, rgb: Float64Array): void {
  const x = pt[0]!,
    y = pt[1]!,
    z = pt[2]!;
  let w = 0;
  if (tex.kind === STRIPES) {
    w = Math.sin(tex.freq * 2 * Math.PI * (x * tex.ax + y * tex.ay + z * tex.az) + tex.phase) > 0 ? 1 : 0;
  } else if (tex.kind === CHECKER) {
    const f = tex.freq;
    w = (Math.floor(f * x) + Math.floor(f * y) + Math.floor(f * z)) & 1;
  } else if (tex.kind === NOISE) {
    const f = tex.freq * 1.5;
    const n =
      0.65 * valueNoise(f * x, f * y, f * z, tex.seed) +
      0.35 * valueNoise(2.7 * f * x, 2.7 * f * y, 2.7 * f * z, tex.seed ^ 0x5bd1e995);
    w = (n - 0.3) / 0.4;
    w = w < 0 ? 0 : w > 1 ? 1 : w;
  }
  const c = tex.colors;
  rgb[0] = c[0]! + (c[3]! - c[0]!) * w;
  rgb[1] = c[1]! + (c[4]! - c[1]!) * w;
  rgb[2] = c[2]! + (c[5]! - c[2]!) * w;
}

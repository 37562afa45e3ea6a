/**
 * A small seedable pseudo-random generator: xoshiro128** (Blackman and Vigna),
 * seeded through splitmix32.
 *
 * Everything random in the runtime (data generation, shuffling, initialisation)
 * draws from an {@link Rng}, so one seed fixes a run. Streams are derived by
 * label with {@link Rng.fork}, which does not advance the parent: the stream
 * for `"scenes/train/17"` is the same whatever else was drawn before, so the
 * order in which parts of a program ask for randomness never changes results.
 * The state is plain JSON ({@link RngState}) so a checkpoint can save and
 * restore it exactly.
 */

import { MtslError } from "./errors.js";

/** The serialisable state of an {@link Rng}. */
export interface RngState {
  algorithm: "xoshiro128**";
  /** The four 32-bit state words, as unsigned integers. */
  s: [number, number, number, number];
  /** The second normal of the last Box-Muller pair, not yet returned; null when none. */
  spare: number | null;
}

const TWO_POW_32 = 4294967296;

/**
 * One step of splitmix32: advances `x` by the golden-ratio increment and
 * returns `[newX, output]` with output a well-mixed unsigned 32-bit word.
 * (The finaliser is the `0x21f0aaad`/`0x735a2d97` hash from hash-prospector.)
 */
export function splitmix32(x: number): [number, number] {
  const next = (x + 0x9e3779b9) | 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  z = z ^ (z >>> 15);
  return [next >>> 0, z >>> 0];
}

/** FNV-1a (32 bit) of the UTF-8 bytes of `text`. */
export function fnv1a32(text: string): number {
  const bytes = new TextEncoder().encode(text);
  let h = 0x811c9dc5;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Four state words from a splitmix32 stream starting at `x`. */
function expand(x: number): [number, number, number, number] {
  const out: number[] = [];
  let cur = x >>> 0;
  for (let i = 0; i < 4; i++) {
    const [nx, z] = splitmix32(cur);
    cur = nx;
    out.push(z);
  }
  if (!out.some((w) => w !== 0)) out[0] = 1; // xoshiro's one forbidden state
  return out as [number, number, number, number];
}

/**
 * A seedable generator. Not cryptographic. Construct with {@link Rng.fromSeed}
 * or {@link Rng.fromState}.
 */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare: number | null = null;

  private constructor(s: readonly [number, number, number, number]) {
    this.s0 = s[0] | 0;
    this.s1 = s[1] | 0;
    this.s2 = s[2] | 0;
    this.s3 = s[3] | 0;
  }

  /**
   * A generator from an integer seed in `[0, 2^53)`. The seed's low and high
   * 32-bit halves are folded into one splitmix32 start value, whose next four
   * outputs are the xoshiro state.
   */
  static fromSeed(seed: number): Rng {
    if (!Number.isSafeInteger(seed) || seed < 0) {
      throw new MtslError("MTSL3006", "a random seed must be a whole number in [0, 2^53)", {
        option: "seed",
        expected: "an integer >= 0",
        found: String(seed),
      });
    }
    const lo = seed % TWO_POW_32;
    const hi = Math.floor(seed / TWO_POW_32);
    const [, mixedHi] = splitmix32(hi);
    return new Rng(expand((lo ^ mixedHi) >>> 0));
  }

  /** A generator that continues from a saved state (see {@link Rng.getState}). */
  static fromState(state: RngState): Rng {
    const r = new Rng([1, 0, 0, 0]);
    r.setState(state);
    return r;
  }

  /** The next raw output, an unsigned 32-bit integer. */
  nextUint32(): number {
    const s1 = this.s1;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result >>> 0;
  }

  /** A float uniform in `[0, 1)`, a multiple of 2^-32. */
  uniform(): number {
    return this.nextUint32() / TWO_POW_32;
  }

  /** A float uniform in `[lo, hi)`. */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform();
  }

  /** An integer uniform in `[0, n)`, without modulo bias. `n` is a whole number in `[1, 2^32]`. */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > TWO_POW_32) {
      throw new RangeError(`Rng.int: n must be an integer in [1, 2^32], got ${n}`);
    }
    const limit = TWO_POW_32 - (TWO_POW_32 % n);
    for (;;) {
      const x = this.nextUint32();
      if (x < limit) return x % n;
    }
  }

  /** A standard normal deviate (Box-Muller; the pair's second value is kept for the next call). */
  normal(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    const u1 = 1 - this.uniform(); // (0, 1]: log is finite
    const u2 = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u1));
    const a = 2 * Math.PI * u2;
    this.spare = r * Math.sin(a);
    return r * Math.cos(a);
  }

  /** Shuffles `array` in place (Fisher-Yates) and returns it. */
  shuffle<T extends { length: number; [i: number]: unknown }>(array: T): T {
    for (let i = array.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = array[i];
      array[i] = array[j];
      array[j] = tmp;
    }
    return array;
  }

  /** A random permutation of `0 .. n-1`. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p);
  }

  /**
   * An independent generator derived from this one's current state and `label`.
   * Does not advance this generator: the same label from the same state gives
   * the same stream; different labels give unrelated streams.
   */
  fork(label: string): Rng {
    let x = fnv1a32(label);
    for (const w of [this.s0, this.s1, this.s2, this.s3]) {
      const [, z] = splitmix32((x ^ w) >>> 0);
      x = z;
    }
    return new Rng(expand(x));
  }

  /** The current state, as plain JSON-safe data. */
  getState(): RngState {
    return {
      algorithm: "xoshiro128**",
      s: [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0],
      spare: this.spare,
    };
  }

  /** Restores a state from {@link Rng.getState}; throws MTSL3011 on a malformed one. */
  setState(state: RngState): void {
    const bad = (found: string): MtslError =>
      new MtslError("MTSL3011", "bad random-generator state", {
        expected: '{algorithm: "xoshiro128**", s: four uint32 not all 0, spare: number | null}',
        found,
      });
    if (typeof state !== "object" || state === null) throw bad(String(state));
    if (state.algorithm !== "xoshiro128**") throw bad(`algorithm ${JSON.stringify(state.algorithm)}`);
    const s = state.s as unknown;
    if (
      !Array.isArray(s) ||
      s.length !== 4 ||
      !s.every((w) => Number.isInteger(w) && w >= 0 && w < TWO_POW_32) ||
      s.every((w) => w === 0)
    ) {
      throw bad(`s = ${JSON.stringify(s)}`);
    }
    if (state.spare !== null && !(typeof state.spare === "number" && Number.isFinite(state.spare))) {
      throw bad(`spare = ${String(state.spare)}`);
    }
    this.s0 = s[0] | 0;
    this.s1 = s[1] | 0;
    this.s2 = s[2] | 0;
    this.s3 = s[3] | 0;
    this.spare = state.spare;
  }
}

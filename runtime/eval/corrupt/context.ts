/** What every corruption receives besides the images: the seed, where the batch starts, the spatial scale. */
import { Rng } from "../../random.js";

export interface CorruptionContext {
  /** The seed every random draw derives from. */
  seed: number;
  /** Index in the dataset of the batch's first image: image i draws from stream `offset + i`. */
  offset: number;
  /** Spatial scale of the reference parameters: min(H, W) / 64 (Tiny ImageNet-C images are 64 x 64). */
  scale: number;
}

/**
 * The random stream of image `i` of the batch for corruption `name`. It does not
 * depend on the severity, so all severities of an image use the same draws
 * (common random numbers: a higher severity changes the parameters, not the dice).
 */
export function imageRng(ctx: CorruptionContext, name: string, i: number): Rng {
  return Rng.fromSeed(ctx.seed).fork(`corruption/${name}/${ctx.offset + i}`);
}

/** Severity s (1..5) picks entry s - 1 of a table of 5 parameters. */
export function pick<const A extends readonly unknown[]>(table: A, severity: number): A[number] {
  return table[severity - 1] as A[number];
}

// @ts-check
/**
 * Free kernel-output arrays kept for reuse, by length, within a byte limit. The array
 * taken for a length is the one freed last (it is likely still in cache); the array evicted
 * when the lists hold more than the limit is the one free the longest, whatever its length.
 *
 * Why the age of each array and not of each length: a training step frees and takes the
 * same lengths in the same order every time, so its arrays cycle and stay young, while an
 * evaluation at another batch size, or an earlier structural-learning phase, leaves arrays
 * no step takes again. Those age and go first. Evicting whole lengths, least recently used
 * first, kept them whenever the step also used their length (it looked recent however many
 * stale arrays it held), and evicted the step's own largest arrays instead: they were
 * reallocated at every step (measured on the 64x64 scene network after its first
 * validation: ~50 fresh arrays and 55 MB more RSS per step).
 */
export class FreeLists {
  /** @param {(values: Float32Array) => void} onDrop called with every array evicted */
  constructor(onDrop) {
    this.onDrop = onDrop;
    /** Free arrays by length, each list in the order its arrays were freed. @type {Map<number, Float32Array[]>} */
    this.byLength = new Map();
    /** Every free array in the order it was freed (Map order): the first is the oldest. @type {Map<Float32Array, true>} */
    this.order = new Map();
    this.bytes = 0;
  }

  /**
   * The array of this length freed last, or undefined.
   * @param {number} length
   * @returns {Float32Array | undefined}
   */
  take(length) {
    const out = this.byLength.get(length)?.pop();
    if (out === undefined) return undefined;
    this.order.delete(out);
    this.bytes -= 4 * length;
    return out;
  }

  /**
   * Keeps `values` for reuse, then evicts the oldest free arrays while more than `limit`
   * bytes are kept; an array larger than the limit is dropped at once.
   * @param {Float32Array} values
   * @param {number} limit
   */
  put(values, limit) {
    if (4 * values.length > limit) {
      this.onDrop(values);
      return;
    }
    let list = this.byLength.get(values.length);
    if (list === undefined) {
      list = [];
      this.byLength.set(values.length, list);
    }
    list.push(values);
    this.order.set(values, true);
    this.bytes += 4 * values.length;
    while (this.bytes > limit) {
      const oldest = /** @type {Float32Array} */ (this.order.keys().next().value);
      this.order.delete(oldest);
      const same = /** @type {Float32Array[]} */ (this.byLength.get(oldest.length));
      // The oldest free array of a length is the first of its list (lists are in freeing order).
      same.shift();
      if (same.length === 0) this.byLength.delete(oldest.length);
      this.bytes -= 4 * oldest.length;
      this.onDrop(oldest);
    }
  }

  /** How many arrays of each length are free, in no particular order. */
  counts() {
    return new Map([...this.byLength].map(([length, list]) => [length, list.length]));
  }
}

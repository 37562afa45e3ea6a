import { describe, expect, it } from "vitest";
import { closest, didYouMean, editDistance, maxSuggestionDistance } from "../../grammar/suggest.js";

describe("editDistance (optimal string alignment)", () => {
  it("matches hand-worked distances", () => {
    expect(editDistance("", "")).toBe(0);
    expect(editDistance("", "abc")).toBe(3);
    expect(editDistance("abc", "")).toBe(3);
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(editDistance("depth", "dpeth")).toBe(1); // one transposition
    expect(editDistance("ca", "abc")).toBe(3); // OSA, not unrestricted Damerau (which gives 2)
    expect(editDistance("segmentation", "segmentaton")).toBe(1);
    expect(editDistance("flaw", "lawn")).toBe(2);
  });

  it("is symmetric and zero only for equal strings", () => {
    const words = ["conv", "bn", "relu", "leaky_relu", "gap", "dense", "", "a"];
    for (const a of words) {
      for (const b of words) {
        expect(editDistance(a, b)).toBe(editDistance(b, a));
        expect(editDistance(a, b) === 0).toBe(a === b);
      }
    }
  });
});

describe("closest / didYouMean", () => {
  it("suggests the nearest known name, ignoring case", () => {
    expect(closest("dpeth", ["segmentation", "depth", "normals"])).toBe("depth");
    expect(closest("ReLU", ["relu", "elu"])).toBe("relu");
    expect(didYouMean("ckaa", ["cka"])).toBe("did you mean 'cka'?");
  });

  it("prefers the closer candidate and breaks ties by order", () => {
    expect(closest("relu", ["elu", "relu6", "gelu"])).toBe("elu");
    expect(closest("xx", ["xa", "ax"])).toBe("xa");
  });

  it("suggests nothing when no name is close enough", () => {
    expect(closest("softmax", ["conv", "bn", "relu", "maxpool"])).toBeUndefined();
    expect(closest("ab", ["xyz"])).toBeUndefined();
    expect(closest("x", ["y"])).toBeUndefined(); // a full rewrite is no suggestion
    expect(didYouMean("zzzzzz", ["depth"])).toBeUndefined();
  });

  it("never suggests the name itself", () => {
    expect(closest("relu", ["relu"])).toBeUndefined();
  });

  it("allows more edits for longer names", () => {
    expect(maxSuggestionDistance(3)).toBe(1);
    expect(maxSuggestionDistance(6)).toBe(2);
    expect(maxSuggestionDistance(12)).toBe(3);
    expect(closest("structral_lerning", ["structural_learning"])).toBe("structural_learning");
  });
});

import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { graphFormat, runGraph } from "../../cli/commands/graph.js";
import type { CliContext } from "../../cli/io.js";
import { compileSource } from "../../compiler/compile.js";
import {
  dotString,
  graphDot,
  graphMermaid,
  graphSvg,
  mermaidText,
  shareStyle,
  sharingTree,
} from "../../compiler/graph/index.js";
import type { IrModel } from "../../compiler/ir/types.js";

function ir(source: string): IrModel {
  const result = compileSource(source, { file: "test.mtsl" });
  expect(result.diagnostics.filter((d) => d.severity === "error").map((d) => d.message)).toEqual([]);
  return result.ir!;
}

/** Two tasks share enc1 and branch at enc2; dec1 takes a skip from the shared enc1. */
const SMALL = `model Small {
  input image: f32[16, 16, 3]
  data scenes(size: 16, train: 10, val: 2, test: 2, seed: 1)

  task seg: segmentation(classes: 6) {
    head: conv(6, 1)
    loss: ce
    metrics: [miou]
  }

  task depth: depth {
    head: conv(1, 1)
    loss: rmse
    metrics: [rmse]
  }

  backbone {
    enc1: conv(4, 3) relu
    enc2: conv(8, 3, stride: 2) relu
    dec1: upsample(2) concat(enc1) conv(4, 3) relu
  }

  sharing {
    enc1: {seg depth}
    enc2..dec1: {seg} {depth}
  }
}
`;

const SMALL_DOT = `digraph "Small" {
  graph [rankdir="TB", ordering="out", nodesep=0.25, ranksep=0.35, fontname="Helvetica"];
  node [shape="box", style="rounded,filled", fontname="Helvetica", fontsize=11];
  edge [color="#4a5d73", arrowsize=0.6];
  "input" [label="image\\nf32[16, 16, 3]", shape="invtrapezium", style="filled", fillcolor="#f4f4f4"];
  "enc1@seg+depth" [label="enc1\\nseg depth", fillcolor="#17457a", color="#0b2545", fontcolor="#ffffff", width=1.8, penwidth=3];
  "enc2@seg" [label="enc2\\nseg", fillcolor="#e3eefa", color="#5b7fa8", fontcolor="#10243e", width=1.2, penwidth=1];
  "enc2@depth" [label="enc2\\ndepth", fillcolor="#e3eefa", color="#5b7fa8", fontcolor="#10243e", width=1.2, penwidth=1];
  "dec1@seg" [label="dec1\\nseg", fillcolor="#e3eefa", color="#5b7fa8", fontcolor="#10243e", width=1.2, penwidth=1];
  "dec1@depth" [label="dec1\\ndepth", fillcolor="#e3eefa", color="#5b7fa8", fontcolor="#10243e", width=1.2, penwidth=1];
  "head@seg" [label="seg\\nsegmentation", shape="ellipse", style="filled", fillcolor="#fff6e0", color="#b07d12"];
  "head@depth" [label="depth\\ndepth", shape="ellipse", style="filled", fillcolor="#fff6e0", color="#b07d12"];
  "input" -> "enc1@seg+depth" [penwidth=4];
  "enc1@seg+depth" -> "enc2@seg" [penwidth=1];
  "enc1@seg+depth" -> "enc2@depth" [penwidth=1];
  "enc2@seg" -> "dec1@seg" [penwidth=1];
  "enc2@depth" -> "dec1@depth" [penwidth=1];
  "enc1@seg+depth" -> "dec1@seg" [style="dashed", color="#8a9bb0", constraint="false"];
  "enc1@seg+depth" -> "dec1@depth" [style="dashed", color="#8a9bb0", constraint="false"];
  "dec1@seg" -> "head@seg" [penwidth=1];
  "dec1@depth" -> "head@depth" [penwidth=1];
}
`;

const SMALL_MERMAID = `flowchart TD
  input[/"image<br/>f32[16, 16, 3]"\\]
  n0["enc1<br/>seg depth"]
  n1["enc2<br/>seg"]
  n2["enc2<br/>depth"]
  n3["dec1<br/>seg"]
  n4["dec1<br/>depth"]
  h0(["seg<br/>segmentation"])
  h1(["depth<br/>depth"])
  input --> n0
  n0 --> n1
  n0 --> n2
  n1 --> n3
  n2 --> n4
  n0 -.-> n3
  n0 -.-> n4
  n3 --> h0
  n4 --> h1
  classDef share1 fill:#e3eefa,stroke:#5b7fa8,color:#10243e,stroke-width:1px
  class n1,n2,n3,n4 share1
  classDef share2 fill:#17457a,stroke:#0b2545,color:#ffffff,stroke-width:3px
  class n0 share2
  classDef head fill:#fff6e0,stroke:#b07d12
  class h0,h1 head
  linkStyle 1,2,3,4,7,8 stroke-width:1px
  linkStyle 0 stroke-width:4px
  linkStyle 5,6 stroke:#8a9bb0,stroke-dasharray:4 3
`;

const scenes = readFileSync(new URL("../../examples/scenes.mtsl", import.meta.url), "utf8");
const PARTLY_MERGED = scenes.replace(
  "stem..dec4: {seg} {depth} {normal} {edge} {ae}",
  "stem..enc2: {seg depth normal edge ae}\n    enc3..enc4: {seg edge ae} {depth normal}\n    enc5..dec4: {seg edge} {ae} {depth} {normal}",
);

describe("graphDot and graphMermaid", () => {
  it("draw the small model exactly as the golden text", () => {
    expect(graphDot(ir(SMALL))).toBe(SMALL_DOT);
    expect(graphMermaid(ir(SMALL))).toBe(SMALL_MERMAID);
  });

  it("are deterministic", () => {
    const model = ir(PARTLY_MERGED);
    expect(graphDot(model)).toBe(graphDot(ir(PARTLY_MERGED)));
    expect(graphMermaid(model)).toBe(graphMermaid(ir(PARTLY_MERGED)));
  });

  it("have the input at the root, a node per instance, heads as leaves and dashed skips", () => {
    const model = ir(PARTLY_MERGED);
    const tree = sharingTree(model);
    expect(tree.nodes.filter((n) => n.kind === "instance").map((n) => n.id)).toEqual(model.instances.map((i) => i.id));
    const from = new Set(tree.edges.map((e) => e.from));
    const to = new Set(tree.edges.map((e) => e.to));
    expect(to.has("input")).toBe(false);
    for (const h of model.heads) expect(from.has(h.id)).toBe(false);
    // 4 decoder stages x 4 groups, one skip each.
    expect(tree.edges.filter((e) => e.kind === "skip")).toHaveLength(16);
    expect(graphDot(model).match(/style="dashed"/g)).toHaveLength(16);
    expect(graphMermaid(model).match(/-\.->/g)).toHaveLength(16);
  });

  it("draw an instance wider, darker and with a thicker border the more tasks share it", () => {
    const styles = [1, 2, 3, 4, 5].map((k) => shareStyle(k, 5));
    const luminance = (hex: string): number => [1, 3, 5].reduce((s, i) => s + parseInt(hex.slice(i, i + 2), 16), 0);
    for (let k = 1; k < styles.length; k++) {
      expect(styles[k]!.width).toBeGreaterThan(styles[k - 1]!.width);
      expect(styles[k]!.penwidth).toBeGreaterThan(styles[k - 1]!.penwidth);
      expect(luminance(styles[k]!.fill)).toBeLessThan(luminance(styles[k - 1]!.fill));
    }
  });

  it("escape text for DOT and Mermaid", () => {
    expect(dotString('a "b" \\ c\nd')).toBe('"a \\"b\\" \\\\ c\\nd"');
    expect(mermaidText(['x"<y>&', "z"])).toBe("x#quot;#lt;y#gt;#amp;<br/>z");
  });
});

describe("graphSvg", () => {
  it("renders an SVG with a node per instance and head", async () => {
    const model = ir(PARTLY_MERGED);
    const svg = await graphSvg(model);
    expect(svg.startsWith("<?xml")).toBe(true);
    expect(svg).toContain("<svg");
    const titles = [...svg.matchAll(/<g id="node\d+" class="node">\s*<title>([^<]*)<\/title>/g)].map((m) => m[1]);
    expect([...titles].sort()).toEqual(
      ["input", ...model.instances.map((i) => i.id), ...model.heads.map((h) => h.id)].sort(),
    );
    expect(svg).toContain('stroke-dasharray="5,2"');
  });
});

describe("mtslc graph", () => {
  const dir = mkdtempSync(join(tmpdir(), "mtsl-graph-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function context(): { ctx: CliContext; out: () => string; err: () => string } {
    let out = "";
    let err = "";
    const ctx: CliContext = {
      stdout: { write: (t) => void (out += t) },
      stderr: { write: (t) => void (err += t) },
      cwd: dir,
      env: {},
    };
    return { ctx, out: () => out, err: () => err };
  }

  it("picks the format from --format, else from the output's extension, else SVG", () => {
    expect(graphFormat({ format: "dot", output: "x.svg" })).toBe("dot");
    expect(graphFormat({ output: "x.gv" })).toBe("dot");
    expect(graphFormat({ output: "x.MMD" })).toBe("mermaid");
    expect(graphFormat({})).toBe("svg");
    expect(graphFormat({ output: "tree" })).toBe("svg");
    expect(graphFormat({ output: "x.png" })).toBeNull();
    expect(graphFormat({ output: "x.png", format: "svg" })).toBe("svg");
  });

  it("prints DOT to stdout and writes an SVG file", async () => {
    const file = join(dir, "small.mtsl");
    await import("node:fs").then((fs) => fs.writeFileSync(file, SMALL));
    const a = context();
    expect(await runGraph(file, { format: "dot" }, a.ctx)).toBe(0);
    expect(a.out()).toBe(SMALL_DOT);
    const b = context();
    const svgPath = join(dir, "small.svg");
    expect(await runGraph(file, { output: svgPath }, b.ctx)).toBe(0);
    expect(b.out()).toBe(`wrote ${svgPath}\n`);
    expect(readFileSync(svgPath, "utf8")).toContain("<title>enc1@seg+depth</title>");
  });

  it("refuses an output whose extension names another format, and writes nothing", async () => {
    const file = join(dir, "small-png.mtsl");
    await import("node:fs").then((fs) => fs.writeFileSync(file, SMALL));
    const png = join(dir, "tree.png");
    const a = context();
    expect(await runGraph(file, { output: png }, a.ctx)).toBe(2);
    expect(a.err()).toContain("cannot tell a format from the name");
    expect(a.err()).toContain("--format");
    expect(existsSync(png)).toBe(false);
  });

  it("exits 1 with rendered diagnostics for a file with errors, 2 for a missing file", async () => {
    const file = join(dir, "broken.mtsl");
    await import("node:fs").then((fs) =>
      fs.writeFileSync(file, SMALL.replace("enc2..dec1: {seg} {depth}", "enc2..dec1: {seg} {dpth}")),
    );
    const a = context();
    expect(await runGraph(file, { format: "mermaid" }, a.ctx)).toBe(1);
    expect(a.out()).toBe("");
    expect(a.err()).toMatch(/broken\.mtsl:\d+:\d+: error MTSL\d+/);
    const b = context();
    expect(await runGraph(join(dir, "nope.mtsl"), {}, b.ctx)).toBe(2);
    expect(b.err()).toContain("no such file");
  });
});

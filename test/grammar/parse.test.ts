import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Call, Seq, Setting, StageDecl, TaskDecl } from "../../grammar/ast.js";
import { parse, positionAt } from "../../grammar/parse.js";

const codes = (source: string): string[] => parse(source).diagnostics.map((d) => d.code);
const at = (source: string): string[] =>
  parse(source).diagnostics.map((d) => `${d.span.start.line}:${d.span.start.column} ${d.code}`);

describe("parse", () => {
  it("parses every example without diagnostics", () => {
    const files = readdirSync("examples").filter((f) => f.endsWith(".mtsl"));
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const f of files) {
      const { document, diagnostics } = parse(readFileSync(`examples/${f}`, "utf8"));
      expect(diagnostics, f).toEqual([]);
      expect(document.model?.members.length, f).toBeGreaterThan(4);
    }
  });

  it("builds the expected nodes", () => {
    const { document, diagnostics } = parse(
      'model M { input x: f32[8, 8, 1]; data scenes(size: 8, train: 10); task t: depth { head: conv(1, 1) relu; metrics: a, b; note: "q\\"x" }\n' +
        "backbone { s1: conv(4, 3, stride: 2) bn\n s2: dense(3) }\n sharing { s1..s2: {t} {u v} }\n train { lr: -1.5e-3; flag: false } }",
    );
    expect(diagnostics).toEqual([]);
    const model = document.model!;
    expect(model.name.name).toBe("M");
    expect(model.members.map((m) => m.kind)).toEqual(["Input", "Data", "Task", "Backbone", "Sharing", "Block"]);
    const input = model.members[0]!;
    expect(input.kind === "Input" && input.shape.map((n) => n.value)).toEqual([8, 8, 1]);
    const data = model.members[1]!;
    // `train` is a keyword where a member starts, an ordinary name elsewhere
    expect(data.kind === "Data" && (data.source as Call).args.map((a) => a.name?.name)).toEqual(["size", "train"]);
    const task = model.members[2] as TaskDecl;
    const [head, metrics, note] = task.settings as [Setting, Setting, Setting];
    expect(head.value.kind).toBe("Seq");
    expect((head.value as Seq).items.map((i) => (i.kind === "Call" ? i.callee.name : i.name))).toEqual([
      "conv",
      "relu",
    ]);
    expect(metrics.value.kind).toBe("List");
    expect(note.value).toMatchObject({ kind: "String", value: 'q"x' });
    const backbone = model.members[3]!;
    expect(backbone.kind === "Backbone" && backbone.stages.map((s: StageDecl) => s.layers.length)).toEqual([2, 1]);
    const sharing = model.members[4]!;
    expect(sharing.kind === "Sharing" && sharing.rows[0]!.to?.name).toBe("s2");
    expect(sharing.kind === "Sharing" && sharing.rows[0]!.groups.map((g) => g.tasks.length)).toEqual([1, 2]);
    const train = model.members[5]!;
    expect(train.kind === "Block" && train.settings.map((s) => s.value)).toMatchObject([
      { kind: "Number", value: -0.0015 },
      { kind: "Bool", value: false },
    ]);
  });

  it("reports spans of nodes in 1-based lines and columns", () => {
    const { document } = parse("model M {\n  backbone {\n    stem: relu\n  }\n}\n");
    const stage = (document.model!.members[0] as { stages: StageDecl[] }).stages[0]!;
    expect(stage.span.start).toEqual({ offset: 27, line: 3, column: 5 });
    expect(stage.span.end).toEqual({ offset: 37, line: 3, column: 15 });
  });

  it("recovers and reports several independent errors in one pass", () => {
    const source = [
      "model X {",
      "  input image: f32[64, 64 3]",
      "  task seg: segmentation(classes: 6) {",
      "    head: conv(6, 1) relu",
      "    loss ce(balanced: true)",
      "  }",
      "  backbone {",
      "    enc1: basic(16) $",
      "  }",
      '  train { epochs: "80 }',
      "}",
    ].join("\n");
    expect(at(source)).toEqual([
      "2:27 MTSL0004",
      "5:10 MTSL0004",
      "8:21 MTSL0001",
      "10:19 MTSL0002",
      "11:1 MTSL0005",
      "11:2 MTSL0004",
    ]);
    // the parts that were fine are still in the AST
    const { document } = parse(source);
    expect(document.model?.members.map((m) => m.kind)).toContain("Backbone");
  });

  it("continues a layer sequence only on the same line", () => {
    const ok = parse("model M { backbone { a: conv(1) bn relu\n b: relu } }");
    expect(ok.diagnostics).toEqual([]);
    const stages = (ok.document.model!.members[0] as { stages: StageDecl[] }).stages;
    expect(stages.map((s) => s.layers.length)).toEqual([3, 1]);
    expect(at("model M { backbone { a: conv(1)\n bn relu } }")).toEqual(["2:5 MTSL0004"]);
  });

  it("gives each lexical and syntax problem its own code", () => {
    expect(codes("model M { } §")).toEqual(["MTSL0001"]);
    expect(codes('model M { train { a: "x } }')).toContain("MTSL0002");
    expect(codes('model M { train { a: "\\q" } }')).toContain("MTSL0002");
    expect(codes("model M { } /* open")).toEqual(["MTSL0003"]);
    expect(codes("model M { train { a: } }")).toEqual(["MTSL0005"]);
    expect(codes("model A {} model B {}")).toEqual(["MTSL0006"]);
    expect(codes("")).toEqual(["MTSL0007"]);
    expect(codes("// only a comment\n")).toEqual(["MTSL0007"]);
    expect(codes("model M { train { a: 1e999 } }")).toEqual(["MTSL0008"]);
  });

  it("reports the end of the file at its real position", () => {
    const d = parse("model M {\n  task a: b {\n").diagnostics;
    expect(d).toHaveLength(1);
    expect(d[0]!.span.start).toEqual({ offset: 24, line: 3, column: 1 });
    expect(d[0]!.message).toContain("end of the file");
  });

  it("attaches comments as leading, trailing and dangling trivia", () => {
    const source = [
      "// file header",
      "model M {",
      "  // about the input",
      "  input x: f32[4, 4, 1] // trailing",
      "",
      "  /* block */ train {",
      "    epochs: 1",
      "    // dangling in train",
      "  }",
      "  // dangling in model",
      "}",
      "// end of file",
    ].join("\n");
    const { document, diagnostics } = parse(source);
    expect(diagnostics).toEqual([]);
    const model = document.model!;
    expect(model.trivia.leading.map((c) => c.text)).toEqual(["// file header"]);
    const [input, train] = model.members as [
      (typeof model.members)[number],
      Extract<(typeof model.members)[number], { kind: "Block" }>,
    ];
    expect(input.trivia.leading.map((c) => c.text)).toEqual(["// about the input"]);
    expect(input.trivia.trailing?.text).toBe("// trailing");
    expect(input.trivia.blankBefore).toBe(false);
    expect(train.trivia.leading.map((c) => c.text)).toEqual(["/* block */"]);
    expect(train.trivia.blankBefore).toBe(true);
    expect(train.dangling.map((c) => c.text)).toEqual(["// dangling in train"]);
    expect(model.dangling.map((c) => c.text)).toEqual(["// dangling in model"]);
    expect(document.dangling.map((c) => c.text)).toEqual(["// end of file"]);
  });

  it("keeps every comment somewhere, even inside a statement", () => {
    const source = "model M { backbone { a: conv(/* filters */ 4, 3) // t\n } }";
    const { document } = parse(source);
    const stage = (document.model!.members[0] as { stages: StageDecl[] }).stages[0]!;
    expect(stage.trivia.leading.map((c) => c.text)).toEqual(["/* filters */"]);
    expect(stage.trivia.trailing?.text).toBe("// t");
  });

  it("maps offsets to lines and columns", () => {
    expect(positionAt("ab\ncd", 0)).toEqual({ offset: 0, line: 1, column: 1 });
    expect(positionAt("ab\ncd", 3)).toEqual({ offset: 3, line: 2, column: 1 });
    expect(positionAt("ab\ncd", 99)).toEqual({ offset: 5, line: 2, column: 3 });
  });
});

/**
 * `generateModelModule(ir)`: the TypeScript model module of an IR, the
 * `NAME.model.ts` that `mtslc compile --emit ts` writes. The module imports only
 * `@tensorflow/tfjs` and exports the input shape, the weight specs, a typed
 * outputs interface, `checkWeights` and `forward`, which computes exactly what
 * the runtime's interpreter (runtime/model/network.ts) computes from the same
 * weights: the same instances in the same order, op for op.
 *
 * Built with ts-morph, formatted with prettier. The IR is data: it is validated
 * first (validate.ts), and names reach the code only as sanitised identifiers,
 * quoted property names or escaped string literals (names.ts).
 */
import * as prettier from "prettier";
import {
  Project,
  StructureKind,
  VariableDeclarationKind,
  type ClassDeclarationStructure,
  type CodeBlockWriter,
  type FunctionDeclarationStructure,
  type InterfaceDeclarationStructure,
  type OptionalKind,
  type StatementStructures,
  type TypeAliasDeclarationStructure,
  type VariableStatementStructure,
} from "ts-morph";
import { headId, weightEntries } from "../ir/lint.js";
import { layerStages, type IrHead, type IrLayer, type IrModel, type IrStage, type Shape } from "../ir/types.js";
import { outputDoc } from "./describe.js";
import { describeLayer, layerExpression, numberLiteral, shapeText, tensorType, type HelperName } from "./layers.js";
import { commentText, NameScope, objectLiteralKey, propertyName, sanitise, stringLiteral } from "./names.js";
import { HELPER_ORDER, helpersFor } from "./prelude.js";
import { validateForCodegen } from "./validate.js";

export { CodegenError, CODEGEN_ERROR_CODES, type CodegenErrorCode } from "./errors.js";

/** Names the module declares itself (and globals it uses), which no generated name may take. */
const FIXED_NAMES = [
  "tf",
  "modelName",
  "inputShape",
  "taskNames",
  "WeightSpec",
  "weightSpecs",
  "Weights",
  "ForwardOptions",
  "WrongShape",
  "WeightsError",
  "checkWeights",
  "weightsFromTfjs",
  "forward",
  "Run",
  "makeRun",
  "findWeight",
  "checkInput",
  "weightsMessage",
  "sameShape",
  ...HELPER_ORDER,
  "weights",
  "input",
  "options",
  "run",
  "owner",
  "x",
  "Object",
  "Array",
  "Error",
  "Math",
  "JSON",
  "Number",
  "String",
  "Boolean",
  "Symbol",
  "Map",
  "Set",
  "Promise",
  "Reflect",
  "Proxy",
  "globalThis",
  "undefined",
  "console",
  "process",
  "require",
  "module",
  "exports",
  "eval",
  "Function",
];

/**
 * Collects the module's statements as ts-morph structures; they are inserted
 * in one call, so the file is parsed once rather than after every addition.
 */
class ModuleBuilder {
  readonly statements: StatementStructures[] = [];

  addVariableStatement(s: OptionalKind<VariableStatementStructure>): void {
    this.statements.push({ ...s, kind: StructureKind.VariableStatement });
  }
  addInterface(s: OptionalKind<InterfaceDeclarationStructure>): void {
    this.statements.push({ ...s, kind: StructureKind.Interface });
  }
  addTypeAlias(s: OptionalKind<TypeAliasDeclarationStructure>): void {
    this.statements.push({ ...s, kind: StructureKind.TypeAlias });
  }
  addClass(s: OptionalKind<ClassDeclarationStructure>): void {
    this.statements.push({ ...s, kind: StructureKind.Class });
  }
  addFunction(s: OptionalKind<FunctionDeclarationStructure>): void {
    this.statements.push({ ...s, kind: StructureKind.Function });
  }
}

/** An owner of layers that becomes one generated function: a stage or a head. */
interface OwnerFunction {
  name: string;
  doc: string;
  layers: IrLayer[];
  inShape: Shape;
  outShape: Shape;
  /** Parameter names of the skip inputs, one per stage the layers read (`layerStages`). */
  skipParams: string[];
}

/** Generates the model module of `ir` (validated first; throws CodegenError when it is unsafe or unsound). */
export async function generateModelModule(ir: IrModel): Promise<string> {
  const model = validateForCodegen(ir);
  const text = buildModule(model);
  // quoteProps "preserve": property names the generator quoted (`"__proto__"`, `"constructor"`) stay quoted
  return prettier.format(text, { parser: "typescript", printWidth: 100, quoteProps: "preserve" });
}

/** The unformatted module text, built with ts-morph. */
export function buildModule(ir: IrModel): string {
  const project = new Project({ useInMemoryFileSystem: true });
  const source = project.createSourceFile("model.ts", "", { overwrite: true });
  const file = new ModuleBuilder();
  const scope = new NameScope(FIXED_NAMES);
  const outputsName = scope.allocate(`${sanitise(ir.name)}Outputs`);
  const stageFns = new Map(
    ir.stages.map((s) => [
      s.name,
      ownerFunction(scope, `stage_${s.name}`, stageDoc(s), s.layers, s.inShape, s.outShape),
    ]),
  );
  const headFns = new Map(
    ir.heads.map((h) => [h.id, ownerFunction(scope, `head_${h.task}`, headDoc(h), h.layers, h.inShape, h.outShape)]),
  );
  const helpers = new Set<HelperName>();

  file.statements.push({
    kind: StructureKind.ImportDeclaration,
    namespaceImport: "tf",
    moduleSpecifier: "@tensorflow/tfjs",
  });
  addConstants(file, ir);
  addWeightSpecs(file, ir);
  addTypes(file, ir, outputsName);
  addWeightChecks(file);
  addForward(file, ir, outputsName, scope, stageFns, headFns);
  addRunContext(file, ir);
  for (const fn of [...stageFns.values(), ...headFns.values()]) addOwnerFunction(file, fn, helpers);
  for (const helper of helpersFor(helpers)) {
    file.addFunction({
      name: helper.name,
      docs: [helper.docs],
      typeParameters: helper.typeParameters ?? [],
      parameters: helper.parameters,
      returnType: helper.returnType,
      statements: helper.statements,
    });
  }
  // A blank line between top-level declarations (structures alone are written back to back).
  source.addStatements(
    file.statements.flatMap((s, i) => (i === 0 ? [s] : [(w: CodeBlockWriter) => w.blankLineIfLastNot(), s])),
  );
  return header(ir) + source.getFullText();
}

function header(ir: IrModel): string {
  const heads = new Map(ir.heads.map((h) => [h.task, h]));
  const tasks = ir.tasks.map((t) => {
    const out = heads.get(t.name);
    return ` *   ${commentText(t.name)} (${commentText(String(t.kind))}) -> ${out ? shapeText(out.outShape) : "?"}`;
  });
  return [
    "/**",
    ` * Generated from model ${commentText(ir.name)} by mtslc; do not edit.`,
    " *",
    " * The network as plain TensorFlow.js code: `forward` computes what the mtsl runtime's",
    " * interpreter computes from the same weights (keys as in its WeightStore).",
    ` * Input ${shapeText(ir.input.shape)} (NHWC); ${ir.stages.length} stages in ${ir.instances.length} instances; tasks:`,
    ...tasks,
    " */",
    "",
  ].join("\n");
}

function addConstants(file: ModuleBuilder, ir: IrModel): void {
  const constant = (name: string, initializer: string, doc: string): void => {
    file.addVariableStatement({
      isExported: true,
      declarationKind: VariableDeclarationKind.Const,
      docs: [doc],
      declarations: [{ name, initializer }],
    });
  };
  constant("modelName", stringLiteral(ir.name), "The model's name in its `.mtsl` file.");
  constant(
    "inputShape",
    `[${ir.input.shape.map((d) => numberLiteral(d)).join(", ")}] as const`,
    "The input's shape without the batch dimension: [height, width, channels] (NHWC).",
  );
  constant(
    "taskNames",
    `[${ir.tasks.map((t) => stringLiteral(t.name)).join(", ")}] as const`,
    "The tasks in declaration order; `forward` returns one output for each.",
  );
}

function addWeightSpecs(file: ModuleBuilder, ir: IrModel): void {
  file.addInterface({
    name: "WeightSpec",
    isExported: true,
    docs: ["One weight tensor the network reads."],
    properties: [
      {
        name: "key",
        type: "string",
        isReadonly: true,
        docs: ["`owner/layer.weight`, as in the mtsl runtime's WeightStore: `enc2@seg+depth/0.conv1.kernel`."],
      },
      { name: "shape", type: "readonly number[]", isReadonly: true },
      {
        name: "trainable",
        type: "boolean",
        isReadonly: true,
        docs: ["False for batch-norm running statistics (state, not learned by gradients)."],
      },
    ],
  });
  const specs = weightEntries(ir).map(
    (w) =>
      `{ key: ${stringLiteral(w.key)}, shape: [${w.shape.map((d) => numberLiteral(d)).join(", ")}], trainable: ${String(w.trainable === true)} }`,
  );
  file.addVariableStatement({
    isExported: true,
    declarationKind: VariableDeclarationKind.Const,
    docs: ["Every weight of the network: stage instances in IR order, then heads; layers and weights in order."],
    declarations: [{ name: "weightSpecs", type: "readonly WeightSpec[]", initializer: `[\n${specs.join(",\n")}\n]` }],
  });
}

function addTypes(file: ModuleBuilder, ir: IrModel, outputsName: string): void {
  file.addTypeAlias({
    name: "Weights",
    isExported: true,
    docs: [
      "The weights, by key (see `weightSpecs`): a record, or a lookup function such as\n" +
        "`(key) => store.get(key)` for an mtsl WeightStore. A record is read by own keys only.",
    ],
    type: "Readonly<Record<string, tf.Tensor>> | ((key: string) => tf.Tensor | undefined)",
  });
  file.addInterface({
    name: "ForwardOptions",
    isExported: true,
    docs: ["Options of `forward`."],
    properties: [
      {
        name: "training",
        type: "boolean",
        hasQuestionToken: true,
        isReadonly: true,
        docs: ["Batch norm normalises with the batch's statistics and dropout is active. Default false (inference)."],
      },
      {
        name: "dropoutSeed",
        type: "number | undefined",
        hasQuestionToken: true,
        isReadonly: true,
        docs: [
          "Seed of the dropout masks in training: layer j of every owner uses `dropoutSeed + j`, as the mtsl runtime does.",
        ],
      },
    ],
  });
  const heads = new Map(ir.heads.map((h) => [h.task, h]));
  file.addInterface({
    name: outputsName,
    isExported: true,
    docs: [`The outputs of ${commentText(ir.name)}: one tensor per task, batch first.`],
    properties: ir.tasks.map((task) => {
      const head = heads.get(task.name)!;
      return {
        name: propertyName(task.name),
        type: tensorType(head.outShape),
        isReadonly: true,
        docs: [outputDoc(task, head)],
      };
    }),
  });
}

function addWeightChecks(file: ModuleBuilder): void {
  file.addInterface({
    name: "WrongShape",
    isExported: true,
    docs: ["A weight whose shape differs from its spec."],
    properties: [
      { name: "key", type: "string", isReadonly: true },
      { name: "expected", type: "readonly number[]", isReadonly: true },
      { name: "found", type: "readonly number[]", isReadonly: true },
    ],
  });
  file.addClass({
    name: "WeightsError",
    isExported: true,
    extends: "Error",
    docs: ["The weights do not fit the network: lists every missing key and every wrong shape."],
    properties: [
      { name: "missing", type: "readonly string[]", isReadonly: true },
      { name: "wrongShapes", type: "readonly WrongShape[]", isReadonly: true },
    ],
    ctors: [
      {
        parameters: [
          { name: "missing", type: "readonly string[]" },
          { name: "wrongShapes", type: "readonly WrongShape[]" },
        ],
        statements: [
          "super(weightsMessage(missing, wrongShapes));",
          'this.name = "WeightsError";',
          "this.missing = missing;",
          "this.wrongShapes = wrongShapes;",
        ],
      },
    ],
  });
  file.addFunction({
    name: "checkWeights",
    isExported: true,
    docs: [
      "Checks that `weights` holds every weight of `weightSpecs` with its shape; throws a\n" +
        "`WeightsError` naming every missing key and every wrong shape. Extra keys are ignored.",
    ],
    parameters: [{ name: "weights", type: "Weights" }],
    returnType: "void",
    statements: [
      "const missing: string[] = [];",
      "const wrongShapes: WrongShape[] = [];",
      "for (const spec of weightSpecs) {",
      "  const tensor = findWeight(weights, spec.key);",
      "  if (tensor === undefined) missing.push(spec.key);",
      "  else if (!sameShape(tensor.shape, spec.shape)) {",
      "    wrongShapes.push({ key: spec.key, expected: spec.shape, found: [...tensor.shape] });",
      "  }",
      "}",
      "if (missing.length > 0 || wrongShapes.length > 0) throw new WeightsError(missing, wrongShapes);",
    ],
  });
  file.addFunction({
    name: "weightsFromTfjs",
    isExported: true,
    docs: [
      "The weights of `mtslc export RUN --format tfjs -o DIR`: TensorFlow.js's weights manifest (DIR/weights.json)\n" +
        "and its binary (DIR/weights.bin, an ArrayBuffer or a Node Buffer), decoded and checked with `checkWeights`.\n" +
        "The caller owns (and disposes) the tensors.",
    ],
    parameters: [
      { name: "manifest", type: "tf.io.WeightsManifestConfig" },
      { name: "data", type: "ArrayBuffer | Uint8Array" },
    ],
    returnType: "Record<string, tf.Tensor>",
    statements: [
      "const buffer =",
      "  data instanceof Uint8Array ? data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) : data;",
      "const weights = tf.io.decodeWeights(buffer as ArrayBuffer, manifest.flatMap((group) => group.weights));",
      "checkWeights(weights);",
      "return weights;",
    ],
  });
  file.addFunction({
    name: "findWeight",
    docs: ["The tensor under `key`, or undefined when it is absent, not a tensor, or the lookup throws."],
    parameters: [
      { name: "weights", type: "Weights" },
      { name: "key", type: "string" },
    ],
    returnType: "tf.Tensor | undefined",
    statements: [
      "let value: unknown;",
      'if (typeof weights === "function") {',
      "  try {",
      "    value = weights(key);",
      "  } catch {",
      "    return undefined;",
      "  }",
      "} else {",
      "  value = Object.prototype.hasOwnProperty.call(weights, key) ? weights[key] : undefined;",
      "}",
      'const shape = typeof value === "object" && value !== null ? (value as { shape?: unknown }).shape : undefined;',
      "return Array.isArray(shape) ? (value as tf.Tensor) : undefined;",
    ],
  });
  file.addFunction({
    name: "sameShape",
    parameters: [
      { name: "a", type: "readonly number[]" },
      { name: "b", type: "readonly number[]" },
    ],
    returnType: "boolean",
    statements: ["return a.length === b.length && a.every((d, i) => d === b[i]);"],
  });
  file.addFunction({
    name: "weightsMessage",
    parameters: [
      { name: "missing", type: "readonly string[]" },
      { name: "wrongShapes", type: "readonly WrongShape[]" },
    ],
    returnType: "string",
    statements: [
      "const list = (items: readonly string[]): string =>",
      '  items.slice(0, 10).join(", ") + (items.length > 10 ? `, and ${items.length - 10} more` : "");',
      "const parts: string[] = [];",
      "if (missing.length > 0) parts.push(`${missing.length} missing: ${list(missing)}`);",
      "if (wrongShapes.length > 0) {",
      '  const shapes = wrongShapes.map((w) => `${w.key} (expected [${w.expected.join(", ")}], found [${w.found.join(", ")}])`);',
      "  parts.push(`${wrongShapes.length} of the wrong shape: ${list(shapes)}`);",
      "}",
      'return `${modelName}: the weights do not fit the network: ${parts.join("; ")}`;',
    ],
  });
}

function addForward(
  file: ModuleBuilder,
  ir: IrModel,
  outputsName: string,
  scope: NameScope,
  stageFns: Map<string, OwnerFunction>,
  headFns: Map<string, OwnerFunction>,
): void {
  const locals = new Map<string, string>([["input", "input"]]);
  const body: string[] = [];
  const stages = new Map(ir.stages.map((s) => [s.name, s]));
  for (const inst of ir.instances) {
    const local = scope.allocate(inst.id);
    const stage = stages.get(inst.stage)!;
    const fn = stageFns.get(inst.stage)!;
    const skips = inst.skips.map((s) => ` + skip ${commentText(s)}`).join("");
    body.push(
      `// ${commentText(inst.id)}: stage ${commentText(inst.stage)}, tasks ${inst.tasks.map(commentText).join(", ")}; ` +
        `reads ${commentText(inst.input)}${skips} -> ${shapeText(stage.outShape)}`,
    );
    const args = ["run", stringLiteral(inst.id), locals.get(inst.input)!, ...inst.skips.map((s) => locals.get(s)!)];
    body.push(`const ${local} = ${fn.name}(${args.join(", ")});`);
    locals.set(inst.id, local);
  }
  const outputs: string[] = [];
  for (const task of ir.tasks) {
    const head = ir.heads.find((h) => h.id === headId(task.name))!;
    const local = scope.allocate(`out_${task.name}`);
    const skips = head.skips.map((s) => ` + skip ${commentText(s)}`).join("");
    body.push(
      `// ${commentText(head.id)}: task ${commentText(task.name)}; reads ${commentText(head.input)}${skips} -> ${shapeText(head.outShape)}`,
    );
    const args = ["run", stringLiteral(head.id), locals.get(head.input)!, ...head.skips.map((s) => locals.get(s)!)];
    body.push(`const ${local} = ${headFns.get(head.id)!.name}(${args.join(", ")});`);
    outputs.push(`${objectLiteralKey(task.name)}: ${local}`);
  }
  body.push(`return { ${outputs.join(", ")} };`);
  file.addFunction({
    name: "forward",
    isExported: true,
    docs: [
      `Runs ${commentText(ir.name)} on a batch of images ${shapeText(ir.input.shape)} and returns one output per task.\n` +
        "Inference (the default): batch norm uses its running statistics and dropout is the identity.\n" +
        "`training: true`: batch norm uses the statistics of this batch and dropout drops values; the\n" +
        "running statistics are NOT updated here (the mtsl runtime does that when it trains).\n" +
        "Intermediate tensors are disposed; the caller owns (and disposes) the outputs.\n" +
        "Throws a `WeightsError` when a weight is missing (call `checkWeights` first for a full report).",
    ],
    parameters: [
      { name: "weights", type: "Weights" },
      { name: "input", type: "tf.Tensor4D" },
      { name: "options", type: "ForwardOptions", initializer: "{}" },
    ],
    returnType: outputsName,
    statements: [
      "checkInput(input);",
      "const run = makeRun(weights, options);",
      `return tf.tidy(() => {\n${body.join("\n")}\n});`,
    ],
  });
}

function addRunContext(file: ModuleBuilder, ir: IrModel): void {
  file.addInterface({
    name: "Run",
    docs: ["What every layer of one forward pass reads."],
    properties: [
      {
        name: "weight",
        type: "(owner: string, layer: number, name: string) => tf.Tensor",
        isReadonly: true,
        docs: ["The weight `owner/layer.name`."],
      },
      { name: "training", type: "boolean", isReadonly: true },
      { name: "dropoutSeed", type: "number | undefined", isReadonly: true },
    ],
  });
  file.addFunction({
    name: "makeRun",
    parameters: [
      { name: "weights", type: "Weights" },
      { name: "options", type: "ForwardOptions" },
    ],
    returnType: "Run",
    statements: [
      "return {",
      "  training: options.training === true,",
      "  dropoutSeed: options.dropoutSeed,",
      "  weight: (owner, layer, name) => {",
      "    const key = `${owner}/${layer}.${name}`;",
      '    const tensor = typeof weights === "function" ? weights(key) : Object.prototype.hasOwnProperty.call(weights, key) ? weights[key] : undefined;',
      "    if (tensor === undefined) throw new WeightsError([key], []);",
      "    return tensor;",
      "  },",
      "};",
    ],
  });
  const [h, w, c] = ir.input.shape.map((d) => numberLiteral(d));
  file.addFunction({
    name: "checkInput",
    docs: ["Throws unless `input` is a batch of images of the model's input shape."],
    parameters: [{ name: "input", type: "tf.Tensor4D" }],
    returnType: "void",
    statements: [
      "const shape = input.shape;",
      `if (shape.length !== 4 || shape[1] !== inputShape[0] || shape[2] !== inputShape[1] || shape[3] !== inputShape[2]) {`,
      `  throw new Error(\`\${modelName}: input must have shape [batch, ${h}, ${w}, ${c}], found [\${shape.join(", ")}]\`);`,
      "}",
    ],
  });
}

function stageDoc(stage: IrStage): string {
  const layers = stage.layers.map(describeLayer).join(" ");
  return `Stage ${commentText(stage.name)}: ${layers}.\n${shapeText(stage.inShape)} -> ${shapeText(stage.outShape)}; one call per instance.`;
}

function headDoc(head: IrHead): string {
  const layers = head.layers.map(describeLayer).join(" ");
  return `Head of task ${commentText(head.task)}: ${layers}.\n${shapeText(head.inShape)} -> ${shapeText(head.outShape)}.`;
}

function ownerFunction(
  scope: NameScope,
  hint: string,
  doc: string,
  layers: IrLayer[],
  inShape: Shape,
  outShape: Shape,
): OwnerFunction {
  const name = scope.allocate(hint);
  const local = new NameScope(["run", "owner", "x", ...layers.map((_, j) => `y${j}`)]);
  const skipParams = layers.flatMap(layerStages).map((stage) => local.allocate(`skip_${stage}`));
  return { name, doc, layers, inShape, outShape, skipParams };
}

function addOwnerFunction(file: ModuleBuilder, fn: OwnerFunction, helpers: Set<HelperName>): void {
  const statements: string[] = [];
  let current = "x";
  let skipIndex = 0;
  fn.layers.forEach((layer, j) => {
    const count = layerStages(layer).length;
    const code = layerExpression(layer, j, current, fn.skipParams.slice(skipIndex, skipIndex + count));
    skipIndex += count;
    code.helpers.forEach((h) => helpers.add(h));
    statements.push(`// ${j}: ${describeLayer(layer)} -> ${shapeText(layer.outShape)}`);
    const last = j === fn.layers.length - 1;
    if (last) {
      statements.push(`return ${code.expression};`);
    } else {
      statements.push(`const y${j} = ${code.expression};`);
      current = `y${j}`;
    }
  });
  file.addFunction({
    name: fn.name,
    docs: [fn.doc],
    parameters: [
      { name: "run", type: "Run" },
      { name: "owner", type: "string" },
      { name: "x", type: tensorType(fn.inShape) },
      ...fn.skipParams.map((name) => ({ name, type: "tf.Tensor4D" })),
    ],
    returnType: tensorType(fn.outShape),
    statements,
  });
}

/**
 * The concrete-syntax parser (Chevrotain `CstParser`, error recovery on).
 * It only recognises structure; grammar/build-ast.ts turns its CST into the AST.
 */
import { CstParser, EOF, type IParserErrorMessageProvider, type TokenType, type IToken } from "chevrotain";
import * as T from "./tokens.js";

function describeToken(token: IToken): string {
  if (token.tokenType === EOF) return "the end of the file";
  return `'${token.image}'`;
}

function label(type: TokenType): string {
  return type.LABEL ?? type.name;
}

const messages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, actual }) {
    return `expected ${label(expected)} but found ${describeToken(actual)}`;
  },
  buildNotAllInputParsedMessage({ firstRedundant }) {
    return `unexpected ${describeToken(firstRedundant)} after the end of the model`;
  },
  buildNoViableAltMessage({ expectedPathsPerAlt, actual, ruleName }) {
    const firsts = new Set<string>();
    for (const alt of expectedPathsPerAlt) for (const path of alt) if (path[0]) firsts.add(label(path[0]));
    const found = actual[0] ? describeToken(actual[0]) : "the end of the file";
    return `unexpected ${found} in ${describeRule(ruleName)}; expected ${[...firsts].join(", ")}`;
  },
  buildEarlyExitMessage({ expectedIterationPaths, actual, ruleName }) {
    const firsts = new Set<string>();
    for (const path of expectedIterationPaths) if (path[0]) firsts.add(label(path[0]));
    const found = actual[0] ? describeToken(actual[0]) : "the end of the file";
    return `${describeRule(ruleName)} needs at least one ${[...firsts].join(" or ")}, found ${found}`;
  },
};

function describeRule(rule: string): string {
  switch (rule) {
    case "member":
      return "a model (expected a member: input, data, task, backbone, sharing, structural_learning or train)";
    case "term":
      return "a value";
    case "item":
      return "a value";
    case "stage":
      return "a backbone stage";
    case "row":
      return "a sharing row";
    case "blockDecl":
      return "a settings block";
    default:
      return `a ${rule}`;
  }
}

/**
 * The syntax errors after which the parser stops (MTSL0012): each costs tens of microseconds
 * (Chevrotain works out what it expected), and past the first screenful they are noise. Clang
 * stops at 20 by default; this is generous because recovery reports one error per stray token.
 */
export const MAX_SYNTAX_ERRORS = 1000;

/** Thrown out of the parse when it reaches MAX_SYNTAX_ERRORS (not a recognition error, so no rule recovers from it). */
export class TooManySyntaxErrors extends Error {}

const saveError = (CstParser.prototype as unknown as { SAVE_ERROR(this: CstParser, error: Error): Error }).SAVE_ERROR;

export class MtslParser extends CstParser {
  /** Chevrotain's hook for every syntax error it records: stops the parse at MAX_SYNTAX_ERRORS. */
  SAVE_ERROR(error: Error): Error {
    const saved = saveError.call(this, error);
    if (this.errors.length >= MAX_SYNTAX_ERRORS) throw new TooManySyntaxErrors();
    return saved;
  }

  constructor() {
    super(T.allTokens, {
      recoveryEnabled: true,
      maxLookahead: 3,
      errorMessageProvider: messages,
      nodeLocationTracking: "full",
    });
    this.performSelfAnalysis();
  }

  /**
   * A layer sequence (`conv(16, 3) bn relu`) continues with the next name only on
   * the same line, and only when that name does not start a new `key:`.
   */
  private continuesSequence(): boolean {
    const next = this.LA(1);
    const previous = this.LA(0);
    return this.LA(2).tokenType !== T.Colon && next.startLine === previous.endLine;
  }

  file = this.RULE("file", () => {
    this.OPTION(() => this.SUBRULE(this.model));
  });

  model = this.RULE("model", () => {
    this.CONSUME(T.Model);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.LBrace);
    this.MANY(() => {
      this.SUBRULE(this.member);
      this.OPTION(() => this.CONSUME(T.Semicolon));
    });
    this.CONSUME(T.RBrace);
  });

  member = this.RULE("member", () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.inputDecl) },
      { ALT: () => this.SUBRULE(this.dataDecl) },
      { ALT: () => this.SUBRULE(this.taskDecl) },
      { ALT: () => this.SUBRULE(this.backboneDecl) },
      { ALT: () => this.SUBRULE(this.sharingDecl) },
      { ALT: () => this.SUBRULE(this.blockDecl) },
    ]);
  });

  inputDecl = this.RULE("inputDecl", () => {
    this.CONSUME(T.Input);
    this.CONSUME(T.Identifier, { LABEL: "name" });
    this.CONSUME(T.Colon);
    this.CONSUME2(T.Identifier, { LABEL: "dtype" });
    this.CONSUME(T.LBracket);
    this.CONSUME(T.NumberLiteral);
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.CONSUME2(T.NumberLiteral);
    });
    this.CONSUME(T.RBracket);
  });

  dataDecl = this.RULE("dataDecl", () => {
    this.CONSUME(T.Data);
    this.SUBRULE(this.layer);
  });

  taskDecl = this.RULE("taskDecl", () => {
    this.CONSUME(T.Task);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Colon);
    this.SUBRULE(this.layer);
    this.SUBRULE(this.settingsBody);
  });

  settingsBody = this.RULE("settingsBody", () => {
    this.CONSUME(T.LBrace);
    this.MANY(() => {
      this.SUBRULE(this.setting);
      this.OPTION(() => this.CONSUME(T.Semicolon));
    });
    this.CONSUME(T.RBrace);
  });

  backboneDecl = this.RULE("backboneDecl", () => {
    this.CONSUME(T.Backbone);
    this.CONSUME(T.LBrace);
    this.MANY(() => {
      this.SUBRULE(this.stage);
      this.OPTION(() => this.CONSUME(T.Semicolon));
    });
    this.CONSUME(T.RBrace);
  });

  stage = this.RULE("stage", () => {
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Colon);
    this.SUBRULE(this.layer);
    this.MANY({
      GATE: () => this.continuesSequence(),
      DEF: () => this.SUBRULE2(this.layer),
    });
  });

  sharingDecl = this.RULE("sharingDecl", () => {
    this.CONSUME(T.Sharing);
    this.CONSUME(T.LBrace);
    this.MANY(() => {
      this.SUBRULE(this.row);
      this.OPTION(() => this.CONSUME(T.Semicolon));
    });
    this.CONSUME(T.RBrace);
  });

  row = this.RULE("row", () => {
    this.CONSUME(T.Identifier, { LABEL: "from" });
    this.OPTION(() => {
      this.CONSUME(T.DotDot);
      this.CONSUME2(T.Identifier, { LABEL: "to" });
    });
    this.CONSUME(T.Colon);
    this.AT_LEAST_ONE(() => this.SUBRULE(this.group));
  });

  group = this.RULE("group", () => {
    this.CONSUME(T.LBrace);
    this.MANY(() => this.CONSUME(T.Identifier));
    this.CONSUME(T.RBrace);
  });

  blockDecl = this.RULE("blockDecl", () => {
    this.OR([{ ALT: () => this.CONSUME(T.StructuralLearning) }, { ALT: () => this.CONSUME(T.Train) }]);
    this.SUBRULE(this.settingsBody);
  });

  setting = this.RULE("setting", () => {
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Colon);
    this.SUBRULE(this.value);
  });

  value = this.RULE("value", () => {
    this.SUBRULE(this.item);
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.SUBRULE2(this.item);
    });
  });

  item = this.RULE("item", () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.literal) },
      { ALT: () => this.SUBRULE(this.list) },
      {
        ALT: () => {
          this.SUBRULE(this.layer);
          this.MANY({
            GATE: () => this.continuesSequence(),
            DEF: () => this.SUBRULE2(this.layer),
          });
        },
      },
    ]);
  });

  term = this.RULE("term", () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.literal) },
      { ALT: () => this.SUBRULE(this.list) },
      { ALT: () => this.SUBRULE(this.layer) },
    ]);
  });

  literal = this.RULE("literal", () => {
    this.OR([
      { ALT: () => this.CONSUME(T.NumberLiteral) },
      { ALT: () => this.CONSUME(T.StringLiteral) },
      { ALT: () => this.CONSUME(T.True) },
      { ALT: () => this.CONSUME(T.False) },
    ]);
  });

  /** A name, or a call `name(args)`. */
  layer = this.RULE("layer", () => {
    this.CONSUME(T.Identifier);
    this.OPTION(() => {
      this.CONSUME(T.LParen);
      this.OPTION2(() => {
        this.SUBRULE(this.arg);
        this.MANY(() => {
          this.CONSUME(T.Comma);
          this.SUBRULE2(this.arg);
        });
        this.OPTION3(() => this.CONSUME2(T.Comma));
      });
      this.CONSUME(T.RParen);
    });
  });

  arg = this.RULE("arg", () => {
    this.OPTION(() => {
      this.CONSUME(T.Identifier);
      this.CONSUME(T.Colon);
    });
    this.SUBRULE(this.term);
  });

  list = this.RULE("list", () => {
    this.CONSUME(T.LBracket);
    this.OPTION(() => {
      this.SUBRULE(this.term);
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.SUBRULE2(this.term);
      });
      this.OPTION2(() => this.CONSUME2(T.Comma));
    });
    this.CONSUME(T.RBracket);
  });
}

/** One parser instance, reused: Chevrotain parsers are stateful but cheap to reset. */
export const parser = new MtslParser();

/**
 * The tokens of the `.mtsl` language, in the order the lexer tries them.
 * Keywords come before `Identifier` (with `longer_alt`), and the member keywords
 * are also Identifiers (token category), so `train` or `data` can still be used
 * as names wherever a name is expected.
 */
import { createToken, Lexer, type TokenType } from "chevrotain";

export const WhiteSpace = createToken({ name: "WhiteSpace", pattern: /[ \t\r\n]+/, group: Lexer.SKIPPED });
export const LineComment = createToken({ name: "LineComment", pattern: /\/\/[^\n\r]*/, group: "comments" });
export const BlockComment = createToken({
  name: "BlockComment",
  pattern: /\/\*[\s\S]*?\*\//,
  group: "comments",
  line_breaks: true,
});
/** An opened block comment that never closes: reported, then skipped. */
export const UnterminatedBlockComment = createToken({
  name: "UnterminatedBlockComment",
  pattern: /\/\*[\s\S]*/,
  group: "errors",
  line_breaks: true,
});

export const Identifier = createToken({ name: "Identifier", pattern: /[A-Za-z_][A-Za-z0-9_]*/, label: "a name" });

function keyword(word: string, name: string, isName: boolean): TokenType {
  return createToken({
    name,
    pattern: new RegExp(word),
    longer_alt: Identifier,
    categories: isName ? [Identifier] : [],
    label: `'${word}'`,
  });
}

export const Model = keyword("model", "Model", true);
export const Input = keyword("input", "Input", true);
export const Data = keyword("data", "Data", true);
export const Task = keyword("task", "Task", true);
export const Backbone = keyword("backbone", "Backbone", true);
export const Sharing = keyword("sharing", "Sharing", true);
export const StructuralLearning = keyword("structural_learning", "StructuralLearning", true);
export const Train = keyword("train", "Train", true);
export const True = keyword("true", "True", false);
export const False = keyword("false", "False", false);

export const StringLiteral = createToken({
  name: "StringLiteral",
  pattern: /"(?:[^"\\\n\r]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/,
  label: "a string",
});
/** A string that reaches the end of its line unclosed (or holds a bad escape): reported, then skipped. */
export const UnterminatedString = createToken({
  name: "UnterminatedString",
  pattern: /"(?:[^"\\\n\r]|\\.)*"?/,
  group: "errors",
});
export const NumberLiteral = createToken({
  name: "NumberLiteral",
  pattern: /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/,
  label: "a number",
});

export const DotDot = createToken({ name: "DotDot", pattern: /\.\./, label: "'..'" });
export const LBrace = createToken({ name: "LBrace", pattern: /\{/, label: "'{'" });
export const RBrace = createToken({ name: "RBrace", pattern: /\}/, label: "'}'" });
export const LParen = createToken({ name: "LParen", pattern: /\(/, label: "'('" });
export const RParen = createToken({ name: "RParen", pattern: /\)/, label: "')'" });
export const LBracket = createToken({ name: "LBracket", pattern: /\[/, label: "'['" });
export const RBracket = createToken({ name: "RBracket", pattern: /\]/, label: "']'" });
export const Colon = createToken({ name: "Colon", pattern: /:/, label: "':'" });
export const Comma = createToken({ name: "Comma", pattern: /,/, label: "','" });
export const Semicolon = createToken({ name: "Semicolon", pattern: /;/, label: "';'" });

export const allTokens: TokenType[] = [
  WhiteSpace,
  LineComment,
  BlockComment,
  UnterminatedBlockComment,
  Model,
  Input,
  Data,
  Task,
  Backbone,
  Sharing,
  StructuralLearning,
  Train,
  True,
  False,
  Identifier,
  StringLiteral,
  UnterminatedString,
  NumberLiteral,
  DotDot,
  LBrace,
  RBrace,
  LParen,
  RParen,
  LBracket,
  RBracket,
  Colon,
  Comma,
  Semicolon,
];

/** Words that start a member of a model. */
export const KEYWORDS = [
  "model",
  "input",
  "data",
  "task",
  "backbone",
  "sharing",
  "structural_learning",
  "train",
  "true",
  "false",
] as const;

export const lexer = new Lexer(allTokens, {
  positionTracking: "full",
  ensureOptimizations: false,
  // parse() words its own message from the offset: one shared string, not one per error
  // (a file of stray characters has a million).
  errorMessageProvider: { buildUnexpectedCharactersMessage: () => "", buildUnableToPopLexerModeMessage: () => "" },
});

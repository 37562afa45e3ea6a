/**
 * Recovery for a misspelt member keyword (`tsak`, `backbon`, `trian`).
 *
 * Without it the parser stops at the first such word ("expected '}' but found
 * 'tsak'") and every later error of the file stays hidden. Before parsing, a
 * name that stands where a member starts (directly inside the model's braces,
 * first on its line or after `{`, `}` or `;`) and is a likely typo of a member
 * keyword is reported with a did-you-mean and read as that keyword, so the
 * parse goes on and the rest of the file is checked in the same pass.
 */
import type { IToken, TokenType } from "chevrotain";
import type { Diagnostic } from "./diagnostics.js";
import { tokenSpan } from "./build-ast.js";
import { closest } from "./suggest.js";
import * as T from "./tokens.js";

const MEMBER_KEYWORDS: ReadonlyMap<string, TokenType> = new Map([
  ["input", T.Input],
  ["data", T.Data],
  ["task", T.Task],
  ["backbone", T.Backbone],
  ["sharing", T.Sharing],
  ["structural_learning", T.StructuralLearning],
  ["train", T.Train],
]);

/** The member keywords, in the order a model usually lists them. */
export const MEMBER_WORDS: readonly string[] = [...MEMBER_KEYWORDS.keys()];

/**
 * Rewrites, in place, each misspelt member keyword of `tokens` into the keyword
 * it most likely means and returns one MTSL0009 diagnostic per rewrite.
 */
export function correctMemberKeywords(tokens: IToken[]): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  let braces = 0;
  let nested = 0; // parentheses and brackets
  let inModel = false;
  let previous: IToken | undefined;
  for (const [i, token] of tokens.entries()) {
    const type = token.tokenType;
    if (inModel && braces === 1 && nested === 0 && type === T.Identifier && startsMember(token, previous)) {
      const word = closest(token.image, MEMBER_WORDS);
      const keyword = word === undefined ? undefined : MEMBER_KEYWORDS.get(word);
      if (word !== undefined && keyword !== undefined && fitsMember(word, tokens[i + 1], tokens[i + 2])) {
        diagnostics.push({
          code: "MTSL0009",
          severity: "error",
          message: `unknown member '${token.image}' (a model holds input, data, task, backbone, sharing, structural_learning and train)`,
          span: tokenSpan(token),
          hint: `did you mean '${word}'?`,
        });
        token.tokenType = keyword;
        token.tokenTypeIdx = keyword.tokenTypeIdx ?? token.tokenTypeIdx;
      }
    }
    if (type === T.Model && braces === 0) inModel = false;
    if (type === T.LBrace) {
      braces++;
      if (braces === 1 && previous?.tokenType === T.Identifier) inModel = true;
    } else if (type === T.RBrace) {
      braces = Math.max(0, braces - 1);
      if (braces === 0) inModel = false;
    } else if (type === T.LParen || type === T.LBracket) {
      nested++;
    } else if (type === T.RParen || type === T.RBracket) {
      nested = Math.max(0, nested - 1);
    }
    previous = token;
  }
  return diagnostics;
}

/** Whether the tokens after the word have the shape of that member, so a layer name on its own line is left alone. */
function fitsMember(word: string, next: IToken | undefined, after: IToken | undefined): boolean {
  switch (word) {
    case "task":
    case "input":
      return next?.tokenType === T.Identifier && after?.tokenType === T.Colon;
    case "data":
      return next?.tokenType === T.Identifier && after?.tokenType !== T.Colon;
    default:
      return next?.tokenType === T.LBrace;
  }
}

function startsMember(token: IToken, previous: IToken | undefined): boolean {
  if (previous === undefined) return false;
  const before = previous.tokenType;
  if (before === T.LBrace || before === T.RBrace || before === T.Semicolon) return true;
  return (token.startLine ?? 0) > (previous.endLine ?? previous.startLine ?? 0);
}

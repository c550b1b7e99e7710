import { transformSync } from "esbuild";
import { BatonError, describeError, type BatonErrorCode } from "../core/errors.js";

/** Where a JSON text stops parsing: 1-based line and column, and why. */
export interface JsonProblem {
  line: number;
  column: number;
  reason: string;
}

/**
 * Where and why `text` is not JSON. V8's messages give a position for some mistakes and none for
 * others ("Unexpected token 'a'"), and the wording changes between Node versions; esbuild (which
 * baton's launcher has already loaded) parses JSON strictly and always says line and column.
 */
export function locateJsonProblem(text: string, parseError: unknown): JsonProblem {
  try {
    transformSync(text, { loader: "json", logLevel: "silent" });
  } catch (error) {
    const first = (error as { errors?: Array<{ text?: unknown; location?: { line?: unknown; column?: unknown } | null }> }).errors?.[0];
    const line = first?.location?.line;
    const column = first?.location?.column;
    if (typeof line === "number" && typeof column === "number") return { line, column: column + 1, reason: String(first?.text ?? describeError(parseError)) };
  }
  // esbuild accepted what JSON.parse refused: fall back to V8's own position, when it gave one.
  const position = /at position (\d+)/.exec(describeError(parseError))?.[1];
  const offset = position === undefined ? text.length : Number(position);
  const before = text.slice(0, offset).split("\n");
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1, reason: describeError(parseError) };
}

/**
 * Parse `text` as JSON, or throw `code` naming `source`, the line and column and the line
 * itself with a caret under the problem, and `fix`.
 */
export function parseJsonText(text: string, source: string, code: BatonErrorCode, fix: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const problem = locateJsonProblem(text, error);
    const lineText = (text.split("\n")[problem.line - 1] ?? "").replace(/\r$/, "");
    const excerpt = lineText.length > 200 ? "" : `\n  ${lineText}\n  ${" ".repeat(Math.max(0, problem.column - 1))}^`;
    throw new BatonError(
      code,
      `${source} is not valid JSON: ${problem.reason} at line ${String(problem.line)}, column ${String(problem.column)}.${excerpt}\n${fix}`,
      { source, line: problem.line, column: problem.column },
    );
  }
}

/** Whether a file name says it holds JSON. */
export function isJsonFileName(path: string): boolean {
  return /\.json$/i.test(path);
}

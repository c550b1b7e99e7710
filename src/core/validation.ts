import type { z } from "zod";
import type { ValidationIssue } from "./errors.js";

export type ParseResult<T> = { ok: true; value: T } | { ok: false; issues: ValidationIssue[] };

/** `a.b[2].c` from zod's path segments; `(root)` for the value itself. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let text = "";
  for (const segment of path) {
    if (typeof segment === "number") text += `[${segment}]`;
    else text += text === "" ? String(segment) : `.${String(segment)}`;
  }
  return text === "" ? "(root)" : text;
}

export function toIssues(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
}

export function parseWith<T>(schema: z.ZodType<T>, value: unknown): ParseResult<T> {
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, issues: toIssues(result.error) };
}

/** Issues as an indented list, one per line, for error messages and re-ask prompts. */
export function listIssues(issues: ReadonlyArray<ValidationIssue>): string {
  return issues.map((issue) => `  - ${issue.path}: ${issue.message}`).join("\n");
}

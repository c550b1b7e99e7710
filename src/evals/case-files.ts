import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BatonError, describeError } from "../core/errors.js";
import { EvalCaseSchema, type EvalCase } from "./eval-case.js";

/** Write each case to `<directory>/<chain>/<case>.json`; returns the paths written. */
export function writeCases(directory: string, cases: ReadonlyArray<EvalCase>): string[] {
  const written: string[] = [];
  for (const evalCase of cases) {
    const folder = join(directory, evalCase.chainId);
    mkdirSync(folder, { recursive: true });
    const path = join(folder, `${evalCase.id}.json`);
    writeFileSync(path, `${JSON.stringify(evalCase, null, 2)}\n`);
    written.push(path);
  }
  return written;
}

/** Every case in a folder (`evals/<chain>`), in file name order; a file that is not a case stops with its name. */
export function readCases(folder: string): EvalCase[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((name) => name.endsWith(".json"))
    .sort()
    .map((name) => {
      const path = join(folder, name);
      let parsed: unknown;
      try {
        parsed = JSON.parse(readFileSync(path, "utf8")) as unknown;
      } catch (error) {
        throw new BatonError("EVAL_CASE_INVALID", `${path} is not JSON: ${describeError(error)}. Fix it or capture it again with \`baton eval capture\`.`, {
          path,
        });
      }
      const result = EvalCaseSchema.safeParse(parsed);
      if (!result.success) {
        const issue = result.error.issues[0];
        throw new BatonError(
          "EVAL_CASE_INVALID",
          `${path} is not an eval case: ${issue ? `${issue.path.join(".") || "(root)"} ${issue.message}` : "unknown problem"}. Fix it or capture it again with \`baton eval capture\`.`,
          { path },
        );
      }
      return result.data;
    });
}

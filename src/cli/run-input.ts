import { existsSync, readFileSync } from "node:fs";
import { z } from "zod";
import type { ChainDefinition } from "../core/chain.js";
import { BatonError, describeError } from "../core/errors.js";
import { isJsonFileName, parseJsonText } from "./json-text.js";

/** Unwrap optional/default/nullable wrappers to see what a field really is. */
function innerType(schema: z.ZodType): z.ZodType {
  let current: z.ZodType = schema;
  while (current instanceof z.ZodOptional || current instanceof z.ZodDefault || current instanceof z.ZodNullable) {
    current = current.unwrap() as z.ZodType;
  }
  return current;
}

/** The one required text field of a chain whose input is text, e.g. `request`; undefined otherwise. */
export function textField(chain: ChainDefinition): string | undefined {
  if (!(chain.input instanceof z.ZodObject)) return undefined;
  const shape = chain.input.shape as Record<string, z.ZodType>;
  const required = Object.entries(shape).filter(([, field]) => !(field instanceof z.ZodOptional) && !(field instanceof z.ZodDefault));
  if (required.length !== 1) return undefined;
  const [name, field] = required[0] as [string, z.ZodType];
  return innerType(field) instanceof z.ZodString ? name : undefined;
}

/** A file named .json is meant as JSON: a broken one is a mistake to fix, never text for the model. */
export function checkJsonInput(text: string, source: string): void {
  if (isJsonFileName(source)) parseJsonText(text, source, "INPUT_INVALID", "Fix the JSON and start the run again; no run was started.");
}

/**
 * A run's input from what the user gave: the chain's own reading when it has one
 * (`inputFromText`), else JSON as is, or plain text (a Markdown file, `--text`) put into the
 * chain's one text field when it has one.
 */
export function inputFromText(chain: ChainDefinition, text: string, source: string): unknown {
  checkJsonInput(text, source);
  if (chain.inputFromText) return chain.inputFromText(text, source);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const field = textField(chain);
    if (field !== undefined) return { [field]: text };
    throw new BatonError(
      "INPUT_INVALID",
      `${source} is not valid JSON (${describeError(error)}), and chain "${chain.id}" needs a JSON object as input. Fix the JSON, or see chains/${chain.id}/example-input.json for the shape.`,
      {
        chainId: chain.id,
      },
    );
  }
}

/**
 * The text of `path`, or standard input for `-`. `stdinHint` is how this command is told to read
 * standard input (`--input -`, `--edit -`, `-` in place of the file), for the message when the
 * file does not exist.
 */
export function readInputFile(path: string, readStdin: () => string, stdinHint = "--input -"): string {
  if (path === "-") return readStdin();
  if (!existsSync(path))
    throw new BatonError("INPUT_INVALID", `The input file ${path} does not exist. Check the path, or pass ${stdinHint} to read standard input.`, { path });
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new BatonError("INPUT_INVALID", `The input file ${path} could not be read (${describeError(error)}). Check its permissions.`, { path });
  }
}

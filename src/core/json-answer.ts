import { describeError } from "./errors.js";

/**
 * The JSON in a model's answer. A server in JSON mode or strict mode answers bare JSON; a server
 * that ignores `response_format` (or a model told only in the prompt) often wraps it in Markdown
 * fences or prose ("Here is the plan: {...} Let me know..."). The JSON is taken out of that text;
 * whether it is the *right* JSON is for the schema to judge.
 */

export type JsonAnswer = { ok: true; value: unknown } | { ok: false; error: string };

/** How many `{` a search tries before giving up: a hostile answer full of braces stays cheap. */
const MAX_OBJECT_STARTS = 32;

export function readJsonAnswer(text: string): JsonAnswer {
  const trimmed = text.trim();
  const whole = tryParse(trimmed);
  if (whole.ok) return whole;
  for (const block of fencedBlocks(trimmed)) {
    const parsed = tryParse(block);
    if (parsed.ok) return parsed;
  }
  for (const candidate of balancedObjects(trimmed)) {
    const parsed = tryParse(candidate);
    if (parsed.ok) return parsed;
  }
  return whole;
}

function tryParse(text: string): JsonAnswer {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, error: `not valid JSON (${describeError(error)})` };
  }
}

/** The contents of each Markdown code fence (```json … ``` or ``` … ```), in order. */
function fencedBlocks(text: string): string[] {
  const blocks: string[] = [];
  for (const match of text.matchAll(/```[a-zA-Z0-9_-]*[ \t]*\r?\n([\s\S]*?)```/g)) {
    if (match[1] !== undefined) blocks.push(match[1].trim());
  }
  return blocks;
}

/** Each `{ … }` span whose braces balance (strings and escapes respected), in order of its start. */
function* balancedObjects(text: string): Generator<string> {
  let starts = 0;
  for (let start = text.indexOf("{"); start !== -1 && starts < MAX_OBJECT_STARTS; start = text.indexOf("{", start + 1)) {
    starts += 1;
    const end = matchingBrace(text, start);
    if (end !== -1) yield text.slice(start, end + 1);
  }
}

function matchingBrace(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let index = start; index < text.length; index += 1) {
    const character = text[index];
    if (inString) {
      if (character === "\\") index += 1;
      else if (character === '"') inString = false;
      continue;
    }
    if (character === '"') inString = true;
    else if (character === "{") depth += 1;
    else if (character === "}") {
      depth -= 1;
      if (depth === 0) return index;
    }
  }
  return -1;
}

import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Chain, ChainDefinition } from "../core/chain.js";
import { BatonError, describeError } from "../core/errors.js";

export interface LoadedChains {
  chains: Chain[];
  /** Example model answers by chain id and step id, from each chain's `examples.json`. */
  examples: Record<string, Record<string, unknown>>;
  /** Example inputs by chain id, from each chain's `example-input.json`. */
  exampleInputs: Record<string, unknown>;
}

const ENTRY_FILES = ["index.ts", "index.js", "index.mjs"];

function isChain(value: unknown): value is Chain {
  if (typeof value !== "object" || value === null || !("definition" in value)) return false;
  const definition = (value as { definition: unknown }).definition;
  return typeof definition === "object" && definition !== null && "id" in definition && "steps" in definition;
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as unknown;
  } catch (error) {
    throw new BatonError("CHAIN_INVALID", `Could not read ${path}: ${describeError(error)}. Fix the JSON or delete the file.`, { path });
  }
}

/**
 * Load every chain under `directory`: a folder with an `index.ts` (or `.js`) whose default
 * export is a built chain, plus optional `examples.json` and `example-input.json` beside it.
 * `compiled` maps an entry file to its compiled JavaScript (see `bin/build-sources.js`).
 */
export async function loadChains(directory: string, compiled: Readonly<Record<string, string>> = {}): Promise<LoadedChains> {
  const root = resolve(directory);
  const loaded: LoadedChains = { chains: [], examples: {}, exampleInputs: {} };
  if (!existsSync(root)) return loaded;
  for (const name of readdirSync(root).sort()) {
    const folder = join(root, name);
    if (name.startsWith(".") || !statSync(folder).isDirectory()) continue;
    const entry = ENTRY_FILES.map((file) => join(folder, file)).find((path) => existsSync(path));
    if (!entry) continue;
    let module: { default?: unknown };
    try {
      // The launcher compiled the chains with the program (one shared copy of baton's modules).
      module = (await import(pathToFileURL(compiled[entry] ?? entry).href)) as { default?: unknown };
    } catch (error) {
      throw new BatonError("CHAIN_INVALID", `Could not load chain file ${entry}: ${describeError(error)}. Fix the error above or move the folder out of ${root}.`, { path: entry }, { cause: error });
    }
    if (!isChain(module.default)) {
      throw new BatonError("CHAIN_INVALID", `${entry} must \`export default defineChain({...})...build()\`; its default export is not a chain.`, { path: entry });
    }
    const definition: ChainDefinition = module.default.definition;
    loaded.chains.push(module.default);
    const examplesPath = join(folder, "examples.json");
    if (existsSync(examplesPath)) {
      const examples = readJson(examplesPath);
      if (typeof examples === "object" && examples !== null) loaded.examples[definition.id] = examples as Record<string, unknown>;
    }
    const inputPath = join(folder, "example-input.json");
    if (existsSync(inputPath)) loaded.exampleInputs[definition.id] = readJson(inputPath);
  }
  return loaded;
}

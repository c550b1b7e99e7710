import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { delimiter, dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Chain, ChainDefinition } from "../core/chain.js";
import { BatonError, describeError } from "../core/errors.js";

export interface LoadedChains {
  chains: Chain[];
  /** Example model answers by chain id and step id, from each chain's `examples.json`. */
  examples: Record<string, Record<string, unknown>>;
  /** Example inputs by chain id, from each chain's `example-input.json`. */
  exampleInputs: Record<string, unknown>;
  /** The entry file each chain was loaded from, by chain id. */
  files: Record<string, string>;
  /** The folders chains were loaded from, shipped first, as given (duplicates dropped). */
  directories: Array<{ path: string; shipped: boolean }>;
}

/** Where chains come from: baton's own folder, and the user's (BATON_CHAINS_DIR). */
export interface ChainSources {
  shipped: string;
  user: ReadonlyArray<string>;
}

const ENTRY_FILES = ["index.ts", "index.mts", "index.js", "index.mjs"];

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

/** A user's folder must exist: a typo in BATON_CHAINS_DIR would otherwise hide every chain in it. */
function checkUserDirectory(directory: string): void {
  if (!existsSync(directory)) {
    throw new BatonError(
      "CONFIG_INVALID",
      `BATON_CHAINS_DIR names ${directory}, which does not exist. Fix the path (folders are separated by "${delimiter}"), create the folder, or unset BATON_CHAINS_DIR to use only the shipped chains.`,
      { variable: "BATON_CHAINS_DIR", path: directory },
    );
  }
  if (!statSync(directory).isDirectory()) {
    throw new BatonError(
      "CONFIG_INVALID",
      `BATON_CHAINS_DIR names ${directory}, which is a file, not a folder. Point it at the folder that holds your chains' folders.`,
      { variable: "BATON_CHAINS_DIR", path: directory },
    );
  }
}

/** The folders to read, shipped first; a folder named twice (or the shipped one again) once. */
function foldersOf(sources: ChainSources): Array<{ path: string; shipped: boolean }> {
  const seen = new Set<string>();
  const folders: Array<{ path: string; shipped: boolean }> = [];
  const add = (path: string, shipped: boolean): void => {
    const real = existsSync(path) ? realpathSync(path) : path;
    if (seen.has(real)) return;
    seen.add(real);
    folders.push({ path, shipped });
  };
  add(resolve(sources.shipped), true);
  for (const directory of sources.user) {
    checkUserDirectory(resolve(directory));
    add(resolve(directory), false);
  }
  return folders;
}

/** The chain folders' entry files under `root`, by folder name order. */
function entriesOf(root: string): Array<{ folder: string; entry: string }> {
  if (!existsSync(root)) return [];
  const entries: Array<{ folder: string; entry: string }> = [];
  for (const name of readdirSync(root).sort()) {
    const folder = join(root, name);
    if (name.startsWith(".") || !statSync(folder).isDirectory()) continue;
    const entry = ENTRY_FILES.map((file) => join(folder, file)).find((path) => existsSync(path));
    if (entry) entries.push({ folder, entry });
  }
  return entries;
}

async function importChain(entry: string, root: string, compiled: Readonly<Record<string, string>>): Promise<Chain> {
  let module: { default?: unknown };
  try {
    // The launcher compiled the chains with the program (one shared copy of baton's modules).
    module = (await import(pathToFileURL(compiled[entry] ?? entry).href)) as { default?: unknown };
  } catch (error) {
    throw new BatonError(
      "CHAIN_INVALID",
      `Could not load chain file ${entry}: ${describeError(error)}. Fix the error above or move the folder out of ${root}.`,
      { path: entry },
      { cause: error },
    );
  }
  if (!isChain(module.default)) {
    throw new BatonError("CHAIN_INVALID", `${entry} must \`export default defineChain({...})...build()\`; its default export is not a chain.`, { path: entry });
  }
  return module.default;
}

/**
 * Load the shipped chains, then the user's folders' chains beside them: a folder with an
 * `index.ts` (or `.js`) whose default export is a built chain, plus optional `examples.json` and
 * `example-input.json` beside it. `compiled` maps an entry file to its compiled JavaScript (see
 * `bin/build-sources.js`).
 *
 * Two chains with one id are an error naming both files, except a user's chain that says
 * `replaceShipped: true`, which takes the place of the shipped chain with its id.
 */
export async function loadChains(sources: ChainSources, compiled: Readonly<Record<string, string>> = {}): Promise<LoadedChains> {
  const directories = foldersOf(sources);
  const byId = new Map<string, { chain: Chain; entry: string; folder: string; shipped: boolean }>();
  for (const directory of directories) {
    for (const { folder, entry } of entriesOf(directory.path)) {
      const chain = await importChain(entry, directory.path, compiled);
      const definition: ChainDefinition = chain.definition;
      const existing = byId.get(definition.id);
      if (existing) {
        const replaces = existing.shipped && !directory.shipped && definition.replaceShipped;
        if (!replaces) {
          const fix =
            existing.shipped && !directory.shipped
              ? `Rename your chain, or add \`replaceShipped: true\` to its defineChain options to use it instead of baton's.`
              : "Rename one of them: chain ids must be unique.";
          throw new BatonError("CHAIN_INVALID", `Two chains have the id "${definition.id}": ${existing.entry} and ${entry}. ${fix}`, {
            chainId: definition.id,
            files: [existing.entry, entry],
          });
        }
      }
      byId.set(definition.id, { chain, entry, folder, shipped: directory.shipped });
    }
  }
  const loaded: LoadedChains = { chains: [], examples: {}, exampleInputs: {}, files: {}, directories };
  for (const [id, { chain, entry, folder }] of byId) {
    loaded.chains.push(chain);
    loaded.files[id] = entry;
    const { examples, exampleInput } = readChainExamples(folder);
    if (examples !== undefined) loaded.examples[id] = examples;
    if (exampleInput !== undefined) loaded.exampleInputs[id] = exampleInput;
  }
  return loaded;
}

/** A chain folder's `examples.json` (answers by step id) and `example-input.json`, each when present. */
export function readChainExamples(folder: string): { examples?: Record<string, unknown>; exampleInput?: unknown } {
  const found: { examples?: Record<string, unknown>; exampleInput?: unknown } = {};
  const examplesPath = join(folder, "examples.json");
  if (existsSync(examplesPath)) {
    const examples = readJson(examplesPath);
    if (typeof examples !== "object" || examples === null || Array.isArray(examples))
      throw new BatonError("CHAIN_INVALID", `${examplesPath} must be a JSON object with an example answer per model step id.`, { path: examplesPath });
    found.examples = examples as Record<string, unknown>;
  }
  const inputPath = join(folder, "example-input.json");
  if (existsSync(inputPath)) found.exampleInput = readJson(inputPath);
  return found;
}

/**
 * The chain in one folder, imported from its source: for the test kit under a test runner that
 * compiles TypeScript itself (vitest). The launcher's compiled build is not involved.
 */
export async function importChainFolder(folder: string): Promise<{ chain: Chain; entry: string }> {
  const root = resolve(folder);
  const entry = ENTRY_FILES.map((file) => join(root, file)).find((path) => existsSync(path));
  if (entry === undefined) {
    throw new BatonError("CHAIN_NOT_FOUND", `${root} holds no chain: it needs an index.ts (or index.js) that default-exports a built chain.`, {
      path: root,
    });
  }
  return { chain: await importChain(entry, dirname(root), {}), entry };
}

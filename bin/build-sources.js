// Compiles baton's TypeScript (src/ and the chains directory) to JavaScript with esbuild before
// the process imports it, instead of registering a TypeScript loader. Why: on Node 20-24 a
// module loader hook (tsx's) runs on a second thread with its own V8 heap, which cost the bot
// ~60 MiB of resident memory at start (150 → 84 MiB, measured in docs/benchmarks.md), and it
// transforms every file on every start. esbuild compiles everything in ~0.3 s.
//
// One build holds every entry point (the program and each chain's index), with code
// splitting, so a chain and the program share one instance of each baton module (one
// BatonError class, one zod). The output goes to node_modules/.cache/baton/<content hash>/:
// inside the project, so the packages the code imports resolve from its node_modules as they
// do from the sources, and named by content, so two processes starting at once never write
// the same directory and an unchanged tree is not written again.

import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";

const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const CACHE_ROOT = join(PROJECT_ROOT, "node_modules", ".cache", "baton");
const CHAIN_ENTRY_FILES = ["index.ts", "index.mts", "index.js", "index.mjs"];
/** Builds kept besides the newest: a process that started a moment ago may still read its own. */
const KEEP_BUILDS = 3;
const PLACEHOLDER = join(CACHE_ROOT, "build");

/** Each chain folder's entry file (what `loadChains` imports), or none when the folder is missing. */
function chainEntries(chainsDirectory) {
  if (!existsSync(chainsDirectory)) return [];
  const entries = [];
  for (const name of readdirSync(chainsDirectory).sort()) {
    const folder = join(chainsDirectory, name);
    if (name.startsWith(".") || !statSync(folder).isDirectory()) continue;
    const entry = CHAIN_ENTRY_FILES.map((file) => join(folder, file)).find((path) => existsSync(path));
    if (entry) entries.push(entry);
  }
  return entries;
}

/**
 * `import.meta.url` keeps naming the source file, so code that finds files beside itself (a
 * chain's runbooks, say) works the same compiled or not.
 */
const sourceLocationPlugin = {
  name: "baton-source-location",
  setup(builder) {
    builder.onLoad({ filter: /\.[mc]?[jt]s$/ }, (arguments_) => {
      if (arguments_.path.includes(`${"/"}node_modules${"/"}`)) return undefined;
      const contents = readFileSync(arguments_.path, "utf8");
      if (!contents.includes("import.meta.url")) return undefined;
      const loader = /\.[mc]?ts$/.test(arguments_.path) ? "ts" : "js";
      return { contents: contents.replaceAll("import.meta.url", JSON.stringify(pathToFileURL(arguments_.path).href)), loader };
    });
  },
};

/** A path esbuild reports (relative to the project) as the user would type it from here. */
function displayPath(file) {
  const absolute = resolve(PROJECT_ROOT, file);
  const fromHere = relative(process.cwd(), absolute);
  return fromHere.startsWith("..") ? absolute : fromHere;
}

/**
 * A syntax error in the sources or a chain: each problem with its file and line, and the fix.
 * The launchers print the message and exit 1 (nothing has started yet).
 */
export class CompileError extends Error {
  constructor(cause) {
    const problems = (cause?.errors ?? []).map((problem) => {
      const where = problem.location ? `${displayPath(problem.location.file)}:${String(problem.location.line)}:${String(problem.location.column + 1)}: ` : "";
      return `  ${where}${problem.text}`;
    });
    super(`CHAIN_INVALID: baton could not compile its TypeScript:\n${problems.length > 0 ? problems.join("\n") : `  ${String(cause?.message ?? cause)}`}\nFix the file named above (or move a broken chain's folder out of the chains directory) and start again.`, { cause });
    this.name = "CompileError";
    this.code = "CHAIN_INVALID";
  }
}

/** Run `entry` compiled, or print why it cannot compile and exit 1. */
export async function runCompiled(entry) {
  let url;
  try {
    url = await buildSources(entry);
  } catch (error) {
    if (!(error instanceof CompileError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  await import(url);
}

/** Remove all but the newest few builds (by modification time). */
function pruneOldBuilds(keep) {
  const builds = readdirSync(CACHE_ROOT)
    .filter((name) => /^[0-9a-f]{16}$/.test(name))
    .map((name) => ({ path: join(CACHE_ROOT, name), modified: statSync(join(CACHE_ROOT, name)).mtimeMs }))
    .sort((left, right) => right.modified - left.modified);
  for (const old of builds.slice(keep + 1)) rmSync(old.path, { recursive: true, force: true });
}

/**
 * Compile `entry` (relative to the project) and the chains, and return the compiled entry's
 * file URL. Sets BATON_BUILT_CHAINS (a JSON map from each chain source file to its compiled
 * file) for `loadChains`.
 */
export async function buildSources(entry, environment = process.env) {
  const chainsDirectory = resolve(environment.BATON_CHAINS_DIR || "chains");
  const program = join(PROJECT_ROOT, entry);
  const chains = chainEntries(chainsDirectory);
  const result = await build({
    entryPoints: [program, ...chains],
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    packages: "external",
    absWorkingDir: PROJECT_ROOT,
    // A placeholder: the files are written below, once their content names the directory.
    outdir: PLACEHOLDER,
    write: false,
    metafile: true,
    logLevel: "silent",
    plugins: [sourceLocationPlugin],
  }).catch((error) => {
    throw new CompileError(error);
  });
  const hash = createHash("sha256");
  for (const file of result.outputFiles) hash.update(relative(PLACEHOLDER, file.path)).update("\0").update(file.contents);
  const id = hash.digest("hex").slice(0, 16);
  const directory = join(CACHE_ROOT, id);
  if (!existsSync(directory)) {
    const staging = `${directory}.${String(process.pid)}.tmp`;
    for (const file of result.outputFiles) {
      const target = join(staging, relative(PLACEHOLDER, file.path));
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, file.contents);
    }
    try {
      renameSync(staging, directory);
    } catch (error) {
      // Another process renamed the same build into place first: theirs is identical.
      rmSync(staging, { recursive: true, force: true });
      if (!existsSync(directory)) throw error;
    }
  }
  pruneOldBuilds(KEEP_BUILDS);
  const compiled = (sourcePath) => {
    // Metafile paths are relative to the working directory (the project root).
    const output = Object.entries(result.metafile.outputs).find(([, meta]) => meta.entryPoint !== undefined && resolve(PROJECT_ROOT, meta.entryPoint) === sourcePath);
    if (!output) throw new Error(`esbuild did not emit ${relative(PROJECT_ROOT, sourcePath)}`);
    return join(directory, relative(PLACEHOLDER, resolve(PROJECT_ROOT, output[0])));
  };
  environment.BATON_BUILT_CHAINS = JSON.stringify(Object.fromEntries(chains.map((chain) => [chain, compiled(chain)])));
  return pathToFileURL(compiled(program)).href;
}

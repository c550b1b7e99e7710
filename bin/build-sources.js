// Compiles baton's TypeScript (src/ and the chains directory) to JavaScript with esbuild before
// the process imports it, instead of registering a TypeScript loader. Why: on Node 20-24 a
// module loader hook (tsx's) runs on a second thread with its own V8 heap, which cost the bot
// ~60 MiB of resident memory at start (150 → 84 MiB, measured in docs/benchmarks.md), and it
// transforms every file on every start. esbuild compiles everything in ~0.3 s.
//
// One build holds every entry point (the program, each shipped chain's index and each of the
// user's, from BATON_CHAINS_DIR), with code splitting, so a chain and the program share one
// instance of each baton module (one BatonError class, one zod). A package a file imports is
// left out of the bundle and imported by its resolved file URL, so the output runs from any
// folder. The output goes to node_modules/.cache/baton/<content hash>/ inside the package, or,
// when that is not writable (a global install owned by root), to the user's cache folder
// ($XDG_CACHE_HOME/baton, else ~/.cache/baton). Named by content, so two processes starting at
// once never write the same directory and an unchanged tree is not written again.

import { createHash } from "node:crypto";
import { accessSync, constants, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";

const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const SHIPPED_CHAINS = join(PROJECT_ROOT, "chains");
const CHAIN_ENTRY_FILES = ["index.ts", "index.mts", "index.js", "index.mjs"];
/** Builds kept besides the newest: a process that started a moment ago may still read its own. */
const KEEP_BUILDS = 3;
/** A build unused for this long may go (a process imports its build in its first second). */
const UNUSED_BUILD_AGE_MS = 10 * 60 * 1000;

/** Each chain folder's entry file (what `loadChains` imports), or none when the folder is missing. */
function chainEntries(chainsDirectory) {
  if (!existsSync(chainsDirectory) || !statSync(chainsDirectory).isDirectory()) return [];
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
 * The shipped chains' folder and the user's (BATON_CHAINS_DIR, separated like PATH), resolved
 * as `parseConfig` resolves them. A folder that does not exist is skipped here: `loadChains`
 * reports it, with the fix, once the program runs.
 */
function chainDirectories(environment) {
  const user = (environment.BATON_CHAINS_DIR ?? "")
    .split(delimiter)
    .map((folder) => folder.trim())
    .filter((folder) => folder !== "");
  return [SHIPPED_CHAINS, ...user.map((folder) => resolve(folder))];
}

/** Whether `directory` exists (or can be created) and this process may write in it. */
function writable(directory) {
  try {
    mkdirSync(directory, { recursive: true });
    accessSync(directory, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** Inside the package when it is writable (a clone, a project's node_modules), else the user's cache. */
function cacheRoot(environment) {
  const inPackage = join(PROJECT_ROOT, "node_modules", ".cache", "baton");
  if (writable(inPackage)) return inPackage;
  const cacheHome =
    environment.XDG_CACHE_HOME && isAbsolute(environment.XDG_CACHE_HOME) ? environment.XDG_CACHE_HOME : join(environment.HOME || homedir(), ".cache");
  const inUserCache = join(cacheHome, "baton", "builds");
  if (writable(inUserCache)) return inUserCache;
  throw new CompileError({
    message: `neither ${inPackage} nor ${inUserCache} is writable, and baton needs one to compile its TypeScript. Set XDG_CACHE_HOME to a folder you can write to`,
  });
}

/** Whether `path` is one of baton's own source files (not a dependency's). */
function isBatonSource(path) {
  return path.startsWith(PROJECT_ROOT + sep) && !path.slice(PROJECT_ROOT.length).split(sep).includes("node_modules");
}

/**
 * Packages stay out of the bundle but are imported by the file URL esbuild resolves them to,
 * from the importing file (a user's chain may have its own node_modules) or else from baton's
 * own folder (a chain outside the package may import zod, or "baton", without installing it).
 * Node would resolve a bare name from the cache folder, where there is no node_modules. A
 * package that resolves into baton's own sources (the package importing itself as "baton") is
 * bundled, so it shares the one copy of baton's modules.
 *
 * "baton" (and "baton/…") always resolves to the baton that is running, even when the chain's
 * project installed a copy of its own (a global `baton` run in a project after `npm install`):
 * a chain must share the program's modules (one BatonError class, one zod), and Node cannot
 * import that other copy's TypeScript anyway.
 */
const packageImportsPlugin = {
  name: "baton-package-imports",
  setup(builder) {
    builder.onResolve({ filter: /^[^./]/ }, async (arguments_) => {
      if (arguments_.pluginData?.batonResolving === true || isAbsolute(arguments_.path)) return undefined;
      const options = { kind: arguments_.kind, pluginData: { batonResolving: true } };
      const importsBaton = arguments_.path === "baton" || arguments_.path.startsWith("baton/");
      let result = await builder.resolve(arguments_.path, {
        ...options,
        resolveDir: importsBaton ? PROJECT_ROOT : arguments_.resolveDir,
        importer: arguments_.importer,
      });
      if (result.errors.length > 0 && !isBatonSource(arguments_.importer))
        result = await builder.resolve(arguments_.path, { ...options, resolveDir: PROJECT_ROOT });
      if (result.errors.length > 0) return { errors: result.errors };
      if (result.external) return { path: result.path, external: true };
      if (isBatonSource(result.path)) return { path: result.path };
      return { path: pathToFileURL(result.path).href, external: true };
    });
  },
};

/**
 * `import.meta.url` keeps naming the source file, so code that finds files beside itself (a
 * chain's runbooks, say) works the same compiled or not.
 */
const sourceLocationPlugin = {
  name: "baton-source-location",
  setup(builder) {
    builder.onLoad({ filter: /\.[mc]?[jt]s$/ }, (arguments_) => {
      // baton itself may live in a node_modules folder (a global install); a dependency's files never come here.
      if (!isBatonSource(arguments_.path) && arguments_.path.includes(`${sep}node_modules${sep}`)) return undefined;
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
    super(
      `error [CHAIN_INVALID]: baton could not compile its TypeScript:\n${problems.length > 0 ? problems.join("\n") : `  ${String(cause?.message ?? cause)}`}\nFix the file named above (or move a broken chain's folder out of the chains directory) and start again.`,
      { cause },
    );
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
  // Stack traces point at the TypeScript sources (file and line), not into the bundle.
  process.setSourceMapsEnabled(true);
  await import(url);
}

/**
 * Remove builds beyond the newest few that no process has used for a while (by modification
 * time, which each start refreshes). The age matters as much as the count: processes started
 * with different chain folders build different trees at the same moment, and a count alone
 * deleted a build another process was about to import.
 */
function pruneOldBuilds(root, keep) {
  const now = Date.now();
  const builds = readdirSync(root)
    .filter((name) => /^[0-9a-f]{16}$/.test(name))
    .map((name) => ({ path: join(root, name), modified: statSync(join(root, name)).mtimeMs }))
    .sort((left, right) => right.modified - left.modified);
  for (const old of builds.slice(keep + 1)) {
    if (now - old.modified > UNUSED_BUILD_AGE_MS) rmSync(old.path, { recursive: true, force: true });
  }
}

/**
 * Compile `entry` (relative to the project) and the chains, and return the compiled entry's
 * file URL. Sets BATON_BUILT_CHAINS (a JSON map from each chain source file to its compiled
 * file) for `loadChains`.
 */
export async function buildSources(entry, environment = process.env) {
  const program = join(PROJECT_ROOT, entry);
  const chains = [...new Set(chainDirectories(environment).flatMap(chainEntries))];
  const cache = cacheRoot(environment);
  const placeholder = join(cache, "build");
  const result = await build({
    entryPoints: [program, ...chains],
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    // Node's own conditions: without this esbuild adds "module", which may pick another file.
    conditions: [],
    absWorkingDir: PROJECT_ROOT,
    // A placeholder: the files are written below, once their content names the directory.
    outdir: placeholder,
    write: false,
    metafile: true,
    // A .map beside each output file: with source maps on (runCompiled), errors name src/… lines.
    sourcemap: "linked",
    logLevel: "silent",
    plugins: [packageImportsPlugin, sourceLocationPlugin],
  }).catch((error) => {
    throw new CompileError(error);
  });
  const hash = createHash("sha256");
  for (const file of result.outputFiles) hash.update(relative(placeholder, file.path)).update("\0").update(file.contents);
  const id = hash.digest("hex").slice(0, 16);
  const directory = join(cache, id);
  if (existsSync(directory)) {
    // Used again: it is recent, whatever its age, so no other process prunes it now.
    const now = new Date();
    try {
      utimesSync(directory, now, now);
    } catch {
      // Not ours to touch (a shared read-only cache): nobody prunes it then either.
    }
  } else {
    const staging = `${directory}.${String(process.pid)}.tmp`;
    for (const file of result.outputFiles) {
      const target = join(staging, relative(placeholder, file.path));
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
  pruneOldBuilds(cache, KEEP_BUILDS);
  const compiled = (sourcePath) => {
    // Metafile paths are relative to the working directory (the project root).
    const output = Object.entries(result.metafile.outputs).find(
      ([, meta]) => meta.entryPoint !== undefined && resolve(PROJECT_ROOT, meta.entryPoint) === sourcePath,
    );
    if (!output) throw new Error(`esbuild did not emit ${relative(PROJECT_ROOT, sourcePath)}`);
    return join(directory, relative(placeholder, resolve(PROJECT_ROOT, output[0])));
  };
  environment.BATON_BUILT_CHAINS = JSON.stringify(Object.fromEntries(chains.map((chain) => [chain, compiled(chain)])));
  return pathToFileURL(compiled(program)).href;
}

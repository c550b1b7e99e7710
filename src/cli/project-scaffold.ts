import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, join, relative, resolve } from "node:path";
import { BatonError } from "../core/errors.js";
import { PACKAGE_ROOT, SHIPPED_CHAINS_DIRECTORY } from "../package-location.js";
import { CHAIN_NAME, chainFiles } from "./chain-template.js";

/**
 * `baton init` and `baton new chain`: a project of one's own chains, kept in one's own
 * repository, that depends on baton like on any other package. The chains live in `chains/`
 * and the project's npm scripts point BATON_CHAINS_DIR there, so `npm test` and friends need
 * no setup; chains import everything from "baton".
 */

/** The folder the chains go in, inside a project. */
export const PROJECT_CHAINS_FOLDER = "chains";

/** Files a fresh folder may already hold (a `git init` first) without counting as "not empty". */
const IGNORED_IN_EMPTY_FOLDER = new Set([".git"]);

/** Refuses a name that is not a valid chain id, or that a chain already has (here or shipped). */
function checkChainName(name: string, chainsFolder: string): void {
  if (!CHAIN_NAME.test(name)) {
    throw new BatonError(
      "COMMAND_INVALID",
      `"${name}" is not a valid chain name. Use lower-case letters, digits and hyphens, starting with a letter (at most 63), e.g. release-notes.`,
      { name },
    );
  }
  if (existsSync(join(chainsFolder, name))) {
    throw new BatonError("COMMAND_INVALID", `${join(chainsFolder, name)} already exists. Pick another name, or edit that chain.`, { name });
  }
  if (existsSync(join(SHIPPED_CHAINS_DIRECTORY, name))) {
    throw new BatonError(
      "COMMAND_INVALID",
      `baton already ships a chain named "${name}", and two chains may not share an id. Pick another name (see \`baton chains\`).`,
      { name },
    );
  }
}

function writeFiles(folder: string, files: Record<string, string>): string[] {
  mkdirSync(folder, { recursive: true });
  return Object.entries(files).map(([name, content]) => {
    const path = join(folder, name);
    writeFileSync(path, content, { flag: "wx" });
    return path;
  });
}

/** Add `chains/<name>/` to the project in `projectFolder`; returns the files written. */
export function addChain(projectFolder: string, name: string): string[] {
  const chainsFolder = join(resolve(projectFolder), PROJECT_CHAINS_FOLDER);
  if (!existsSync(chainsFolder) || !statSync(chainsFolder).isDirectory()) {
    throw new BatonError(
      "COMMAND_INVALID",
      `${resolve(projectFolder)} has no ${PROJECT_CHAINS_FOLDER}/ folder, so it is not a baton project. Run this in the folder \`baton init\` created, or run \`baton init\` first.`,
      { path: resolve(projectFolder) },
    );
  }
  checkChainName(name, chainsFolder);
  return writeFiles(join(chainsFolder, name), chainFiles(name));
}

export interface InitOptions {
  /** The first chain's name. */
  chainName: string;
  /** The version spec of the "baton" dependency in the project's package.json. */
  batonDependency: string;
}

/** The tools a project's tests and type check need, at the versions baton itself is tested with. */
const PROJECT_DEV_TOOLS = ["vitest", "typescript", "@types/node"];

function devDependencies(): Record<string, string> {
  const manifest = JSON.parse(readFileSync(join(PACKAGE_ROOT, "package.json"), "utf8")) as { devDependencies?: Record<string, string> };
  const versions = manifest.devDependencies ?? {};
  return Object.fromEntries(PROJECT_DEV_TOOLS.flatMap((name) => (versions[name] === undefined ? [] : [[name, versions[name]]])));
}

function packageJson(projectName: string, chainName: string, batonDependency: string): string {
  const environment = `BATON_CHAINS_DIR=${PROJECT_CHAINS_FOLDER}`;
  const manifest = {
    name: projectName,
    private: true,
    type: "module",
    scripts: {
      // npm runs scripts with sh (cmd on Windows, where the variable goes in .env instead).
      chains: `${environment} baton chains`,
      // Each chain's <name>.test.ts, on the test kit (baton/testing).
      test: "vitest run",
      // The same engine from the command line: examples, test-plan.json, and recorded cases with --cases.
      "test:chains": `${environment} baton test`,
      try: `${environment} baton run ${chainName} --input ${PROJECT_CHAINS_FOLDER}/${chainName}/example-input.json`,
      typecheck: "tsc --noEmit",
    },
    dependencies: { baton: batonDependency },
    devDependencies: devDependencies(),
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/** The compiler options baton's own sources use: the project's tsc then checks "baton" as baton does. */
const TSCONFIG = {
  compilerOptions: {
    target: "ES2022",
    module: "NodeNext",
    moduleResolution: "NodeNext",
    lib: ["ES2023"],
    types: ["node"],
    strict: true,
    noUncheckedIndexedAccess: true,
    isolatedModules: true,
    verbatimModuleSyntax: true,
    skipLibCheck: true,
    resolveJsonModule: true,
    noEmit: true,
  },
  include: [PROJECT_CHAINS_FOLDER],
};

function readme(projectName: string, chainName: string): string {
  return `# ${projectName}

Chains for baton, kept in this repository. Each folder in \`${PROJECT_CHAINS_FOLDER}/\` is one chain;
it imports everything it needs from \`"baton"\`, and its test from \`"baton/testing"\`.

## The next three commands

\`\`\`sh
npm install      # baton (from the path or version in package.json), vitest and TypeScript
npm test         # each chain's <name>.test.ts: end to end on its examples, no Slack, no key, a throwaway database
npm run try      # run ${chainName} on its example input here, approving at the terminal
\`\`\`

The scripts set \`BATON_CHAINS_DIR=${PROJECT_CHAINS_FOLDER}\`, which makes baton load these chains beside its own.
Run any other command the same way, e.g. \`BATON_CHAINS_DIR=${PROJECT_CHAINS_FOLDER} npx baton chains\`.
Copy \`.env.example\` to \`.env\` for the settings a real model and Slack need.

## More

- Add a chain: \`npx baton new chain <name>\` (with its test).
- Tests: \`testChain(chain, { folder, decisions, answers, evalCase })\` runs the chain with the model answering
  from \`examples.json\` (or the answers given, or a recorded eval case) and decides each approval as told
  (approve, edit, request changes, reject); it returns the run's status, outputs, check results, the model's
  prompts and what the actions posted, and \`problems\`, each naming what failed and the fix.
- \`npm run test:chains\` runs the same engine from the command line: each chain on its examples, the scenarios
  in its \`test-plan.json\`, and with \`-- --cases\` its recorded eval cases (\`evals/<chain>/\`).
- Types: baton compiles chains with esbuild, which reports a *syntax* error with its file and line but does
  not check types: \`npm run typecheck\` does (tsconfig.json is set up for it). Do it in CI.
- \`package.json\` names baton by the path (or version) given to \`baton init\`; point it at the version
  your team installs once baton comes from your package registry.
`;
}

const ENV_EXAMPLE = `# Copy to .env and fill in. baton reads these from the environment.
# Where this project's chains are (the npm scripts set it too).
BATON_CHAINS_DIR=${PROJECT_CHAINS_FOLDER}
# A real model; without a key the CLI answers from each chain's examples.json (the scripted model).
OPENAI_API_KEY=
# Where runs are kept (default: your user data folder).
# BATON_DB=data/baton.db
# Slack, for the bot: see baton's docs/slack.md.
# SLACK_BOT_TOKEN=
# SLACK_APP_TOKEN=
`;

const GITIGNORE = "node_modules/\ndata/\n.env\n";

/**
 * Create a project in `folder` (made if missing). Refuses a folder that holds anything, so
 * nobody's files are overwritten. Returns the files written.
 */
export function initProject(folder: string, options: InitOptions): string[] {
  const target = resolve(folder);
  if (existsSync(target)) {
    if (!statSync(target).isDirectory())
      throw new BatonError("COMMAND_INVALID", `${target} is a file. Give \`baton init\` a new or empty folder.`, { path: target });
    const present = readdirSync(target).filter((name) => !IGNORED_IN_EMPTY_FOLDER.has(name));
    if (present.length > 0) {
      throw new BatonError(
        "COMMAND_INVALID",
        `${target} is not empty (${present.slice(0, 3).join(", ")}${present.length > 3 ? ", …" : ""}), and baton init never overwrites files. Give it a new folder (\`baton init my-chains\`), or add a chain to an existing project with \`baton new chain <name>\`.`,
        { path: target },
      );
    }
  }
  const chainsFolder = join(target, PROJECT_CHAINS_FOLDER);
  checkChainName(options.chainName, chainsFolder);
  const projectName =
    basename(target)
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, "-")
      .replace(/^-+|-+$/g, "") || "baton-chains";
  const written = writeFiles(target, {
    "package.json": packageJson(projectName, options.chainName, options.batonDependency),
    "tsconfig.json": `${JSON.stringify(TSCONFIG, null, 2)}\n`,
    "README.md": readme(projectName, options.chainName),
    ".env.example": ENV_EXAMPLE,
    ".gitignore": GITIGNORE,
  });
  return [...written, ...writeFiles(join(chainsFolder, options.chainName), chainFiles(options.chainName))];
}

/** Paths as the user would type them from `from`. */
export function displayPaths(paths: ReadonlyArray<string>, from: string): string[] {
  return paths.map((path) => {
    const fromHere = relative(from, path);
    return fromHere === "" || fromHere.startsWith("..") ? path : fromHere;
  });
}

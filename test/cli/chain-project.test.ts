import { execFile } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/cli-process.js";
import { type CommandResult, installIntoProject, installPackedBaton, packBaton, runInstalledBaton } from "../support/packed-install.js";
import { makeTempDirectory } from "../support/temp-directory.js";

/**
 * Issue 20's "Done when": a team's own chains in its own repository. baton is packed and
 * installed, `baton init` creates a project in a folder outside this repository, and from that
 * folder the project's chain (importing from "baton") is listed beside the shipped ones, runs
 * to its approval on the scripted model, passes `baton test`; `npm install` in the project (baton
 * from the packed tarball) gives it vitest and TypeScript, its own `npm test` passes the
 * generated tests (on "baton/testing"), and a type error and a syntax error in a chain are
 * reported with their file and line.
 */

const directory = makeTempDirectory("baton-project-");
const prefix = join(directory.path, "prefix");
const home = join(directory.path, "home");
const project = join(directory.path, "ops-chains");
let installed = "";
let tarball = "";

/** The project's npm scripts set BATON_CHAINS_DIR=chains; this does the same, without npm. */
function baton(args: ReadonlyArray<string>, folder = project): Promise<CommandResult> {
  return runInstalledBaton(prefix, folder, args, {
    HOME: home,
    XDG_CACHE_HOME: join(directory.path, "cache"),
    BATON_DB: join(directory.path, "baton.db"),
    BATON_CHAINS_DIR: "chains",
  });
}

async function runIn(folder: string, command: string, args: ReadonlyArray<string>): Promise<CommandResult> {
  try {
    // The user's own environment (npm's cache included), as when they type the command.
    const { stdout, stderr } = await promisify(execFile)(command, [...args], {
      cwd: folder,
      encoding: "utf8",
      env: { ...process.env, CI: "true", NO_COLOR: "1" },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
  }
}

/** Change a file for one test, and put it back afterwards whatever happens. */
async function withChanged(path: string, change: (text: string) => string, work: () => Promise<void>): Promise<void> {
  const original = readFileSync(path, "utf8");
  writeFileSync(path, change(original));
  try {
    await work();
  } finally {
    writeFileSync(path, original);
  }
}

beforeAll(async () => {
  tarball = await packBaton(directory.path);
  installed = (await installPackedBaton(directory.path, prefix, tarball)).folder;
}, 240_000);

// The project's node_modules is a few hundred packages: removing them takes a while on a busy disk.
afterAll(() => directory.remove(), 120_000);

describe("a project of one's own chains, created with baton init", () => {
  it("scaffolds the project outside the repository, depending on the baton that made it", async () => {
    expect(relative(REPO_ROOT, project).startsWith("..")).toBe(true);
    const created = await baton(["init", "ops-chains"], directory.path);
    expect(created.stderr).toBe("");
    expect(created.code).toBe(0);
    for (const file of ["package.json", "README.md", ".env.example", "tsconfig.json"]) expect(existsSync(join(project, file)), file).toBe(true);
    for (const file of ["index.ts", "prompts.ts", "schemas.ts", "examples.json", "example-input.json", "first-chain.test.ts"])
      expect(existsSync(join(project, "chains", "first-chain", file)), file).toBe(true);
    const manifest = JSON.parse(readFileSync(join(project, "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
      scripts: Record<string, string>;
    };
    const own = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { devDependencies: Record<string, string> };
    expect(manifest.dependencies["baton"]).toBe(`file:${installed}`);
    expect(manifest.scripts["test"]).toBe("vitest run");
    expect(manifest.scripts["test:chains"]).toBe("BATON_CHAINS_DIR=chains baton test");
    expect(manifest.devDependencies).toEqual({
      vitest: own.devDependencies["vitest"],
      typescript: own.devDependencies["typescript"],
      "@types/node": own.devDependencies["@types/node"],
    });
    expect(readFileSync(join(project, "chains", "first-chain", "first-chain.test.ts"), "utf8")).toContain(`from "baton/testing"`);
    expect(readFileSync(join(project, "chains", "first-chain", "index.ts"), "utf8")).toContain(`from "baton"`);
    const readme = readFileSync(join(project, "README.md"), "utf8");
    expect(readme).toContain("npm test");
    expect(readme).toContain("npm run typecheck");

    const again = await baton(["init", "ops-chains"], directory.path);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("is not empty");
    expect(again.stderr).toContain("baton new chain <name>");
  }, 60_000);

  it("lists the project's chain beside the shipped ones and runs it to its approval", async () => {
    const chains = await baton(["chains"]);
    expect(chains.stderr).toBe("");
    expect(chains.code).toBe(0);
    expect(chains.stdout).toContain("first-chain  First chain");
    expect(chains.stdout).toContain("steps: summarise (approval) → post");
    for (const chain of ["incident-response", "iac-review", "rfp-response", "solution-brief", "incident-digest"]) expect(chains.stdout).toContain(`${chain}  `);
    expect(chains.stdout).toContain(`${join(project, "chains")} (BATON_CHAINS_DIR)`);

    const started = await baton(["run", "first-chain", "--input", "chains/first-chain/example-input.json", "--no-wait"]);
    expect(started.code, started.stderr).toBe(0);
    expect(started.stdout).toContain("(scripted model)");
    expect(started.stdout).toMatch(/⏸ Run r_\S+ is waiting for approval a_\S+ \(Summary to post\)/);
  }, 60_000);

  it("adds a chain with baton new chain, refusing a bad or taken name, and baton test passes them", async () => {
    const added = await baton(["new", "chain", "release-notes"]);
    expect(added.code, added.stderr).toBe(0);
    expect(existsSync(join(project, "chains", "release-notes", "index.ts"))).toBe(true);
    expect(existsSync(join(project, "chains", "release-notes", "release-notes.test.ts"))).toBe(true);
    const taken = await baton(["new", "chain", "release-notes"]);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain("already exists");
    const invalid = await baton(["new", "chain", "Release Notes"]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain("is not a valid chain name");

    const tested = await baton(["test"]);
    expect(tested.code, tested.stdout + tested.stderr).toBe(0);
    expect(tested.stdout).toContain("✓ first-chain");
    expect(tested.stdout).toContain("✓ release-notes");
    expect(tested.stdout).toContain("2 chain(s) passed (2 scenario(s)).");
    // Only the project's chains: the shipped ones are baton's to test.
    expect(tested.stdout).not.toContain("solution-brief");

    const rejected = await baton(["test", "release-notes", "--decide", "summarise=reject:not ours to announce"]);
    expect(rejected.code, rejected.stdout + rejected.stderr).toBe(0);
    expect(rejected.stdout).toContain("✓ release-notes › --decide summarise=reject:not ours to announce");
  }, 60_000);

  it("installs baton from its tarball with npm install, and the project's own npm test passes the generated tests", async () => {
    const npmOutput = await installIntoProject(project, tarball);
    // The project's npm resolves baton's dependencies itself: none of them may refuse this Node.
    expect(npmOutput).not.toContain("EBADENGINE");
    const manifest = JSON.parse(readFileSync(join(project, "package.json"), "utf8")) as { dependencies: Record<string, string> };
    expect(manifest.dependencies["baton"]).toMatch(/^file:.*baton-[\d.]+\.tgz$/);
    expect(existsSync(join(project, "node_modules", "baton", "src", "testing", "index.ts"))).toBe(true);
    const tested = await runIn(project, "npm", ["test"]);
    expect(tested.code, tested.stdout + tested.stderr).toBe(0);
    expect(tested.stdout).toContain("chains/first-chain/first-chain.test.ts");
    expect(tested.stdout).toContain("chains/release-notes/release-notes.test.ts");
    expect(tested.stdout).toMatch(/Tests\s+10 passed/);
  }, 120_000);

  it("fails baton test naming the step when an example answer breaks the schema", async () => {
    const examples = join(project, "chains", "release-notes", "examples.json");
    await withChanged(
      examples,
      () => JSON.stringify({ summarise: { headline: "Notes", points: [] } }),
      async () => {
        const tested = await baton(["test", "release-notes"]);
        expect(tested.code).toBe(1);
        expect(tested.stdout).toContain(`✗ release-notes: step "summarise": [MODEL_OUTPUT_INVALID]`);
        expect(tested.stdout).toContain("points: Too small");
        expect(tested.stdout).toContain("Fix the answer in examples.json so the step's output schema accepts it, or the schema.");
      },
    );
  }, 60_000);

  it("fails baton test and the project's npm test naming the check an example answer fails", async () => {
    const chain = join(project, "chains", "release-notes");
    await withChanged(
      join(chain, "index.ts"),
      (text) => text.replace("point.length > 300", "point.length > 10"),
      async () => {
        const tested = await baton(["test", "release-notes"]);
        expect(tested.code).toBe(1);
        expect(tested.stdout).toContain(
          `✗ release-notes: step "summarise": its example answer fails the step's check:\n  - keep each point under 300 characters\nFix the answer in examples.json (it must fit the run's input), or the check.`,
        );
        const vitest = await runIn(project, "npm", ["test", "--", "chains/release-notes"]);
        expect(vitest.code).not.toBe(0);
        // vitest prints a failed expectation's diff on stderr: the problem as testChain words it.
        expect(vitest.stderr).toContain(`step \\"summarise\\": its example answer fails the step's check`);
        expect(vitest.stdout).toMatch(/Tests\s+5 failed/);
      },
    );
  }, 60_000);

  it("lets the project's own tsc report a type error with its file and line, and nothing else (baton's esbuild does not check types)", async () => {
    // One tsc run (it reads baton's sources too, ~10 s): the deliberate error must be its only
    // one, so the generated chains and tests, and baton's exported types, check clean.
    await withChanged(
      join(project, "chains", "first-chain", "index.ts"),
      (text) => text.replace("title: outputs.summarise.headline,", "title: outputs.summarise.headlin,"),
      async () => {
        const broken = await runIn(project, "npm", ["run", "typecheck"]);
        expect(broken.code).not.toBe(0);
        expect(broken.stdout.match(/error TS\d+/g), broken.stdout).toHaveLength(1);
        expect(broken.stdout).toMatch(/chains\/first-chain\/index\.ts\(\d+,\d+\): error TS2551: Property 'headlin' does not exist/);
      },
    );
  }, 60_000);

  it("reports a syntax error in the project's chain with its file and line", async () => {
    const prompts = join(project, "chains", "first-chain", "prompts.ts");
    const lines = readFileSync(prompts, "utf8").split("\n");
    lines.splice(2, 0, "export const broken = (;");
    writeFileSync(prompts, lines.join("\n"));
    const chains = await baton(["chains"]);
    expect(chains.code).toBe(1);
    expect(chains.stderr).toContain("error [CHAIN_INVALID]");
    expect(chains.stderr).toMatch(/chains\/first-chain\/prompts\.ts:3:\d+: /);
  }, 60_000);
});

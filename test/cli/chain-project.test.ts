import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/cli-process.js";
import { type CommandResult, installPackedBaton, runInstalledBaton } from "../support/packed-install.js";
import { makeTempDirectory } from "../support/temp-directory.js";

/**
 * Issue 20's "Done when": a team's own chains in its own repository. baton is packed and
 * installed, `baton init` creates a project in a folder outside this repository, and from that
 * folder the project's chain (importing from "baton") is listed beside the shipped ones, runs
 * to its approval on the scripted model, passes `baton test`, and a syntax error in it is
 * reported with its file and line.
 */

const directory = makeTempDirectory("baton-project-");
const prefix = join(directory.path, "prefix");
const home = join(directory.path, "home");
const project = join(directory.path, "ops-chains");
let installed = "";

/** The project's npm scripts set BATON_CHAINS_DIR=chains; this does the same, without npm. */
function baton(args: ReadonlyArray<string>, folder = project): Promise<CommandResult> {
  return runInstalledBaton(prefix, folder, args, {
    HOME: home,
    XDG_CACHE_HOME: join(directory.path, "cache"),
    BATON_DB: join(directory.path, "baton.db"),
    BATON_CHAINS_DIR: "chains",
  });
}

async function runNode(args: ReadonlyArray<string>, folder: string): Promise<CommandResult> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [...args], { cwd: folder, encoding: "utf8" });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
  }
}

beforeAll(async () => {
  installed = await installPackedBaton(directory.path, prefix);
}, 240_000);

afterAll(() => directory.remove());

describe("a project of one's own chains, created with baton init", () => {
  it("scaffolds the project outside the repository, depending on the baton that made it", async () => {
    expect(relative(REPO_ROOT, project).startsWith("..")).toBe(true);
    const created = await baton(["init", "ops-chains"], directory.path);
    expect(created.stderr).toBe("");
    expect(created.code).toBe(0);
    for (const file of ["package.json", "README.md", ".env.example", "tsconfig.json"]) expect(existsSync(join(project, file)), file).toBe(true);
    for (const file of ["index.ts", "prompts.ts", "schemas.ts", "examples.json", "example-input.json"])
      expect(existsSync(join(project, "chains", "first-chain", file)), file).toBe(true);
    const manifest = JSON.parse(readFileSync(join(project, "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
      scripts: Record<string, string>;
    };
    expect(manifest.dependencies["baton"]).toBe(`file:${installed}`);
    expect(manifest.scripts["test"]).toBe("BATON_CHAINS_DIR=chains baton test");
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
    expect(tested.stdout).toContain("2 chain(s) passed.");
    // Only the project's chains: the shipped ones are baton's to test.
    expect(tested.stdout).not.toContain("solution-brief");
  }, 60_000);

  it("fails baton test naming the step when an example answer breaks the schema", async () => {
    const examples = join(project, "chains", "release-notes", "examples.json");
    writeFileSync(examples, JSON.stringify({ summarise: { headline: "Notes", points: [] } }));
    const tested = await baton(["test", "release-notes"]);
    expect(tested.code).toBe(1);
    expect(tested.stdout).toContain(`✗ release-notes: step "summarise": [MODEL_OUTPUT_INVALID]`);
    expect(tested.stdout).toContain("points: Too small");
  }, 60_000);

  it("fails baton test naming the step when an example answer fails the step's check, which the scripted model alone skips", async () => {
    const chain = join(project, "chains", "release-notes");
    writeFileSync(join(chain, "examples.json"), JSON.stringify({ summarise: { headline: "Notes", points: ["A point longer than ten characters."] } }));
    const index = join(chain, "index.ts");
    writeFileSync(index, readFileSync(index, "utf8").replace("point.length > 300", "point.length > 10"));
    const tested = await baton(["test", "release-notes"]);
    expect(tested.code).toBe(1);
    expect(tested.stdout).toContain(`✗ release-notes: step "summarise": its example answer fails the step's check:\n  - keep each point under 300 characters`);
  }, 60_000);

  it("lets the project's own tsc report a type error with its file and line (baton's esbuild does not check types)", async () => {
    // What `npm install` gives the project: baton (here, the packed install) and @types/node.
    mkdirSync(join(project, "node_modules", "@types"), { recursive: true });
    symlinkSync(installed, join(project, "node_modules", "baton"));
    symlinkSync(join(REPO_ROOT, "node_modules", "@types", "node"), join(project, "node_modules", "@types", "node"));
    const typescript = join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc");
    const clean = await runNode([typescript, "-p", "."], project);
    expect(clean.code, clean.stdout).toBe(0);
    const index = join(project, "chains", "first-chain", "index.ts");
    const source = readFileSync(index, "utf8");
    writeFileSync(index, source.replace("title: outputs.summarise.headline,", "title: outputs.summarise.headlin,"));
    const broken = await runNode([typescript, "-p", "."], project);
    expect(broken.code).not.toBe(0);
    expect(broken.stdout).toMatch(/chains\/first-chain\/index\.ts\(\d+,\d+\): error TS2551: Property 'headlin' does not exist/);
    writeFileSync(index, source);
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

import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/cli-process.js";
import { type CommandResult, installPackedBaton, runInstalledBaton } from "../support/packed-install.js";
import { makeTempDirectory } from "../support/temp-directory.js";

/**
 * baton as a user gets it: packed, installed globally into a temporary prefix, and run from a
 * folder that has nothing to do with baton. What it must not do there: find no chains, or
 * leave a database in the folder the user happens to stand in.
 */

const directory = makeTempDirectory("baton-global-");
const prefix = join(directory.path, "prefix");
const home = join(directory.path, "home");
const cache = join(directory.path, "cache");
const elsewhere = join(directory.path, "somewhere-else");
const userChains = join(directory.path, "my-chains");
let installed = "";
let npmOutput = "";

function baton(args: ReadonlyArray<string>, environment: Record<string, string> = {}): Promise<CommandResult> {
  // A user's environment: no BATON_DB, no BATON_CHAINS_DIR, no key (the scripted model).
  return runInstalledBaton(prefix, elsewhere, args, { HOME: home, XDG_CACHE_HOME: cache, ...environment });
}

beforeAll(async () => {
  for (const folder of [prefix, home, cache, elsewhere, userChains]) mkdirSync(folder, { recursive: true });
  ({ folder: installed, npmOutput } = await installPackedBaton(directory.path, prefix));
  // A global install is often owned by root and read-only to the user. Root (as CI runs) may
  // write anywhere, so block the in-package build cache with a file where its folder would go.
  writeFileSync(join(installed, "node_modules", ".cache"), "not a folder");
}, 240_000);

afterAll(() => directory.remove());

describe("baton installed globally, run from an unrelated folder", () => {
  it("installs on this Node without an engine warning: every package npm resolves for a user supports it", () => {
    // A user's install resolves baton's dependencies afresh (our lockfile's `overrides` never
    // reach it), so this is the check that covers Node 20, 22 and 24 as CI runs it on each.
    expect(npmOutput).not.toContain("EBADENGINE");
  });

  it("lists the shipped chains, starts a run, and keeps its database where the docs say, not in the working directory", async () => {
    const chains = await baton(["chains"]);
    expect(chains.stderr).toBe("");
    expect(chains.code).toBe(0);
    for (const chain of ["incident-response", "iac-review", "rfp-response", "solution-brief", "incident-digest"]) expect(chains.stdout).toContain(`${chain}  `);
    expect(chains.stdout).toContain(`Chains from: ${join(installed, "chains")} (shipped with baton)`);
    const database = join(home, ".local", "share", "baton", "baton.db");
    expect(chains.stdout).toContain(`Database: ${database} (the default; set BATON_DB to use another)`);

    const started = await baton([
      "run",
      "solution-brief",
      "--text",
      "Acme wants a managed Postgres for its billing service, with data kept in the EU.",
      "--no-wait",
    ]);
    expect(started.code).toBe(0);
    expect(started.stdout).toMatch(/▶ Run r_\S+ of solution-brief started \(scripted model\)/);
    expect(started.stdout).toContain("baton approve ");
    const runId = /Run (r_\S+) of/.exec(started.stdout)?.[1] ?? "missing";

    const runs = await baton(["runs"]);
    expect(runs.code).toBe(0);
    expect(runs.stdout).toContain(runId);
    expect(runs.stdout).toContain("awaiting_approval");
    expect(runs.stdout).toContain(`Database: ${database}`);
    expect(existsSync(database)).toBe(true);
    expect(readdirSync(elsewhere)).toEqual([]);
    // The build went to the user's cache, since the install folder could not take it.
    expect(readdirSync(join(cache, "baton", "builds")).some((name) => /^[0-9a-f]{16}$/.test(name))).toBe(true);

    const version = await baton(["--version"]);
    expect(version.stdout.trim()).toBe((JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { version: string }).version);
    // Five commands, the first compiling baton from scratch: more than the default allows on a busy machine.
  }, 120_000);

  it("loads the user's chains from BATON_CHAINS_DIR beside the shipped ones, and names a folder that does not exist", async () => {
    mkdirSync(join(userChains, "hello"), { recursive: true });
    // zod is not installed beside this chain: it resolves from baton's own dependencies.
    writeFileSync(
      join(userChains, "hello", "index.ts"),
      [
        `import { z } from "zod";`,
        `import { defineChain } from ${JSON.stringify(join(installed, "src", "chain-api.js"))};`,
        `export default defineChain({ id: "hello", title: "Hello", description: "greets", input: z.object({ name: z.string() }) })`,
        `  .action("greet", { run: async ({ input }) => ({ text: \`hello \${input.name}\` }) })`,
        `  .build();`,
      ].join("\n"),
    );
    const chains = await baton(["chains"], { BATON_CHAINS_DIR: userChains });
    expect(chains.stderr).toBe("");
    expect(chains.stdout).toContain("hello  Hello");
    expect(chains.stdout).toContain("solution-brief  ");
    expect(chains.stdout).toContain(`${userChains} (BATON_CHAINS_DIR)`);

    const missing = await baton(["chains"], { BATON_CHAINS_DIR: "/nope" });
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe("");
    expect(missing.stderr).toContain("error [CONFIG_INVALID]: BATON_CHAINS_DIR names /nope, which does not exist.");
  }, 120_000);
});

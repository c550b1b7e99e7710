import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { REPO_ROOT, runCli } from "../support/cli-process.js";
import { makeTempDirectory } from "../support/temp-directory.js";

/** Chains from several places (issue 20.2): baton's own, and the user's folders beside them. */

const CHAIN_API = JSON.stringify(join(REPO_ROOT, "src", "chain-api.js"));

/** A one-step chain file; `options` are extra defineChain options as source text. */
function writeChain(root: string, folder: string, id: string, title: string, options = ""): string {
  mkdirSync(join(root, folder), { recursive: true });
  const file = join(root, folder, "index.ts");
  writeFileSync(
    file,
    [
      `import { defineChain, z } from ${CHAIN_API};`,
      `export default defineChain({ id: ${JSON.stringify(id)}, title: ${JSON.stringify(title)}, description: "a user's chain", input: z.object({ request: z.string() })${options} })`,
      `  .action("echo", { run: async ({ input }) => ({ text: input.request }) })`,
      `  .build();`,
    ].join("\n"),
  );
  return file;
}

describe("chains from the package and from BATON_CHAINS_DIR", () => {
  let directory: ReturnType<typeof makeTempDirectory>;
  let environment: Record<string, string>;
  let first: string;
  let second: string;

  beforeEach(() => {
    directory = makeTempDirectory();
    environment = { BATON_DB: join(directory.path, "baton.db") };
    first = join(directory.path, "team-a");
    second = join(directory.path, "team-b");
  });
  afterEach(() => directory.remove());

  it("loads every folder in BATON_CHAINS_DIR beside the shipped chains", async () => {
    writeChain(first, "triage", "triage", "Team A triage");
    writeChain(second, "handover", "handover", "Team B handover");
    const result = await runCli(["chains"], { ...environment, BATON_CHAINS_DIR: [first, second].join(delimiter) });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("triage  Team A triage");
    expect(result.stdout).toContain("handover  Team B handover");
    expect(result.stdout).toContain("solution-brief  Solution brief");
    expect(result.stdout).toContain(`${first} (BATON_CHAINS_DIR), ${second} (BATON_CHAINS_DIR)`);
  });

  it("refuses the same id in two of the user's folders, naming both files; nothing is written", async () => {
    const one = writeChain(first, "triage", "triage", "A");
    const other = writeChain(second, "triage-copy", "triage", "B");
    const result = await runCli(["chains"], { ...environment, BATON_CHAINS_DIR: [first, second].join(delimiter) });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`error [CHAIN_INVALID]: Two chains have the id "triage": ${one} and ${other}. Rename one of them`);
    expect(existsSync(environment["BATON_DB"] ?? "")).toBe(false);
  });

  it("refuses a user chain with a shipped chain's id unless it says replaceShipped, and then uses it", async () => {
    const mine = writeChain(first, "brief", "solution-brief", "Our own brief");
    const clash = await runCli(["chains"], { ...environment, BATON_CHAINS_DIR: first });
    expect(clash.code).toBe(1);
    expect(clash.stderr).toContain(`Two chains have the id "solution-brief": ${join(REPO_ROOT, "chains", "solution-brief", "index.ts")} and ${mine}.`);
    expect(clash.stderr).toContain("add `replaceShipped: true` to its defineChain options");
    expect(existsSync(environment["BATON_DB"] ?? "")).toBe(false);

    writeChain(first, "brief", "solution-brief", "Our own brief", ", replaceShipped: true");
    const replaced = await runCli(["chains"], { ...environment, BATON_CHAINS_DIR: first });
    expect(replaced.stderr).toBe("");
    expect(replaced.stdout).toContain("solution-brief  Our own brief");
    expect(replaced.stdout).not.toContain("Solution brief");
    const started = await runCli(["run", "solution-brief", "--text", "hello", "--no-wait"], { ...environment, BATON_CHAINS_DIR: first });
    expect(started.stdout).toMatch(/✓ Run r_\S+ succeeded/);
  });

  it("names a folder that does not exist, or a file given as a folder; nothing is written", async () => {
    writeChain(first, "triage", "triage", "A");
    const missing = join(directory.path, "no-such-folder");
    const result = await runCli(["chains"], { ...environment, BATON_CHAINS_DIR: [first, missing].join(delimiter) });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(`error [CONFIG_INVALID]: BATON_CHAINS_DIR names ${missing}, which does not exist.`);
    const file = join(directory.path, "chains.txt");
    writeFileSync(file, "");
    const notFolder = await runCli(["chains"], { ...environment, BATON_CHAINS_DIR: file });
    expect(notFolder.stderr).toContain(`BATON_CHAINS_DIR names ${file}, which is a file, not a folder.`);
    expect(existsSync(environment["BATON_DB"] ?? "")).toBe(false);
  });

  it("loads the shipped folder named again (as from a clone) once, without calling its chains duplicates", async () => {
    const result = await runCli(["chains"], { ...environment, BATON_CHAINS_DIR: "chains" });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout.match(/^solution-brief {2}/gm)).toHaveLength(1);
  });

  it("compiles a TypeScript chain outside the package like a shipped one: a syntax error names its file and line, in the one error format", async () => {
    const file = writeChain(first, "broken", "broken", "Broken");
    writeFileSync(
      file,
      `import { defineChain, z } from ${CHAIN_API};\nexport default defineChain({ id: "broken",, description: "x", input: z.object({}) }).build();\n`,
    );
    const result = await runCli(["chains"], { ...environment, BATON_CHAINS_DIR: first });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error \[CHAIN_INVALID\]: baton could not compile its TypeScript:/);
    expect(result.stderr).toContain(`${file}:2:`);
    expect(existsSync(environment["BATON_DB"] ?? "")).toBe(false);
  });
});

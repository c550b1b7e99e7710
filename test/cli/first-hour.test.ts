import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../support/cli-process.js";
import { makeTempDirectory } from "../support/temp-directory.js";

/** What got in a newcomer's way in their first hour (issue 18), through the real `baton` command. */

describe("a newcomer's first hour with the CLI", () => {
  let directory: ReturnType<typeof makeTempDirectory>;
  let environment: Record<string, string>;
  let database: string;

  beforeEach(() => {
    directory = makeTempDirectory();
    database = join(directory.path, "baton.db");
    environment = { BATON_DB: database };
  });
  afterEach(() => directory.remove());

  it("refuses a .json input that does not parse, for a text chain too, with the line and column; no run starts", async () => {
    const bad = join(directory.path, "bad.json");
    writeFileSync(bad, '{\n  "request": "abc",,\n}\n');
    const result = await runCli(["run", "solution-brief", "--input", bad], environment);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`error [INPUT_INVALID]: ${bad} is not valid JSON: Expected string in JSON but found "," at line 2, column 20.`);
    expect(result.stderr).toContain('  "request": "abc",,\n                     ^');
    expect(result.stderr).toContain("no run was started");
    expect(result.stdout).not.toContain("▶ Run");
    expect(existsSync(database)).toBe(false);
    // iac-review reads text as a diff: a broken .json file is still an error, not a diff.
    const iac = await runCli(["run", "iac-review", "--input", bad], environment);
    expect(iac.code).toBe(1);
    expect(iac.stderr).toContain("is not valid JSON");
    expect(existsSync(database)).toBe(false);
  });

  it("approve --edit with broken JSON says where, and the hint for a missing file is --edit -", async () => {
    const bad = join(directory.path, "edit.json");
    writeFileSync(bad, "{'recommendation': 'proceed'}");
    const broken = await runCli(["approve", "a_whatever", "--edit", bad], environment);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain(`error [EDIT_INVALID]: ${bad} is not valid JSON: JSON strings must use double quotes at line 1, column 2.`);
    const missing = await runCli(["approve", "a_whatever", "--edit", join(directory.path, "nope.json")], environment);
    expect(missing.stderr).toContain("or pass --edit - to read standard input.");
    expect(existsSync(database)).toBe(false);
  });

  it("iac check reads the chain's own example input, and speaks the one error format with its own stdin hint", async () => {
    const example = await runCli(["iac", "check", "chains/iac-review/example-input.json"], environment);
    expect(example.stderr).toBe("");
    expect(example.stdout).toContain("AWS_SG_OPEN_INGRESS");
    expect(example.code).toBe(1);
    const missing = await runCli(["iac", "check", "no-such-plan.json"], environment);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(
      "error [INPUT_INVALID]: The input file no-such-plan.json does not exist. Check the path, or pass - in place of the file to read standard input.\n",
    );
    const pullRequest = join(directory.path, "pr.json");
    writeFileSync(pullRequest, JSON.stringify({ source: "pull_request", pullRequest: { repository: "acme/infra", number: 7 } }));
    const unsupported = await runCli(["iac", "check", pullRequest], environment);
    expect(unsupported.code).toBe(2);
    expect(unsupported.stderr).toMatch(/^error \[IAC_PLAN_UNSUPPORTED\]: .* is an iac-review input for a pull request/);
    expect(unsupported.stderr).toContain("| baton iac check -");
    const wrongShape = join(directory.path, "diff.json");
    writeFileSync(wrongShape, JSON.stringify({ source: "diff" }));
    const invalid = await runCli(["iac", "check", wrongShape], environment);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain("error [IAC_PLAN_INVALID]:");
    expect(invalid.stderr).toContain("diff: ");
  });

  it("prune --dry-run without --older-than uses BATON_RETENTION (90d by default), and says so", async () => {
    const off = await runCli(["prune", "--dry-run"], { ...environment, BATON_RETENTION: "off" });
    expect(off.code).toBe(1);
    expect(off.stderr).toContain("error [INPUT_INVALID]: BATON_RETENTION is off, so there is no age to prune at. Pass one, such as --older-than 90d.");
    const bad = await runCli(["prune"], { ...environment, BATON_RETENTION: "soon" });
    expect(bad.stderr).toContain('BATON_RETENTION "soon" is not a duration.');
    // Refused before the database opens: nothing is created, let alone pruned.
    expect(existsSync(database)).toBe(false);
    const dry = await runCli(["prune", "--dry-run"], environment);
    expect(dry.stderr).toBe("");
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^Would prune 0 finished runs .* from before \d{4}-\S+ \(BATON_RETENTION=90d\)\./);
    const configured = await runCli(["prune", "--dry-run"], { ...environment, BATON_RETENTION: "30d" });
    expect(configured.stdout).toContain("(BATON_RETENTION=30d)");
  });

  it("prints its version", async () => {
    const { version } = JSON.parse(readFileSync("package.json", "utf8")) as { version: string };
    const result = await runCli(["--version"], environment);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${version}\n`);
  });

  it("keeps its JSON log lines to itself unless asked with --verbose (or LOG_LEVEL)", async () => {
    // A model server that refuses connections: the openai client logs a warning per retry.
    const unreachable = { ...environment, LOG_LEVEL: "", OPENAI_API_KEY: "sk-test", OPENAI_BASE_URL: "http://127.0.0.1:9/v1", BATON_MODEL_MAX_RETRIES: "1" };
    const args = ["run", "solution-brief", "--text", "Acme wants a managed Postgres for its billing service, kept in the EU."];
    const quiet = await runCli(args, unreachable);
    // An unreachable model is an outage the run waits out (step retries), said in one readable line.
    expect(quiet.code).toBe(0);
    expect(quiet.stdout).toMatch(/⏳ Run r_\S+ is waiting for the model — next try .*, attempt 2\./);
    expect(quiet.stderr.split("\n").filter((line) => line.startsWith("{"))).toEqual([]);
    const verbose = await runCli(["--verbose", ...args], unreachable);
    expect(verbose.stderr.split("\n").some((line) => line.startsWith("{") && line.includes('"service":"baton"'))).toBe(true);
    const byVariable = await runCli(args, { ...unreachable, LOG_LEVEL: "warn" });
    expect(byVariable.stderr).toContain('"service":"baton"');
  });

  it("says where the database and the chains are", async () => {
    const chains = await runCli(["chains"], environment);
    expect(chains.stdout).toMatch(/Chains from: \S+\/chains \(shipped with baton\)/);
    expect(chains.stdout).toContain(`Database: ${database} (BATON_DB)`);
    const runs = await runCli(["runs"], environment);
    expect(runs.stdout).toContain(`Database: ${database} (BATON_DB)`);
    const json = await runCli(["runs", "--json"], environment);
    expect(JSON.parse(json.stdout)).toEqual([]);
  });
});

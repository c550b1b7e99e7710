import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openSqliteStore } from "../../src/store/open-database.js";
import { REPO_ROOT, runCli, startCli } from "../support/cli-process.js";
import { makeTempDirectory } from "../support/temp-directory.js";

/** The `baton` command end to end, in child processes, with the scripted demo model. */

const EXAMPLE_INPUT = "chains/solution-brief/example-input.json";

describe("baton CLI", () => {
  let directory: ReturnType<typeof makeTempDirectory>;
  let environment: Record<string, string>;

  beforeEach(() => {
    directory = makeTempDirectory();
    environment = { BATON_DB: join(directory.path, "baton.db") };
  });
  afterEach(() => directory.remove());

  it("lists the chains with their steps", async () => {
    const result = await runCli(["chains"], environment);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("solution-brief");
    expect(result.stdout).toContain("business-summary (approval)");
  });

  it("compiles chains written by users: one with a syntax error stops start-up with its file, line and the fix, nothing written", async () => {
    const chains = join(directory.path, "chains");
    mkdirSync(join(chains, "broken"), { recursive: true });
    writeFileSync(join(chains, "broken", "index.ts"), 'export default {\n  id: "broken",,\n};\n');
    const result = await runCli(["chains"], { ...environment, BATON_CHAINS_DIR: chains });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("CHAIN_INVALID");
    expect(result.stderr).toContain(`${join(chains, "broken", "index.ts")}:2:`);
    expect(result.stderr).toContain("Fix the file named above");
    expect(existsSync(environment["BATON_DB"] ?? "")).toBe(false);
  });

  it("loads a user's chain from its own directory, with its own helper module, compiled", async () => {
    const chains = join(directory.path, "chains");
    mkdirSync(join(chains, "hello"), { recursive: true });
    writeFileSync(join(chains, "hello", "greeting.ts"), 'export const greeting: string = "Say hello to the on-call team";\n');
    writeFileSync(
      join(chains, "hello", "index.ts"),
      [
        `import { z } from "zod";`,
        `import { defineChain } from ${JSON.stringify(join(REPO_ROOT, "src", "chain-api.js"))};`,
        `import { greeting } from "./greeting.js";`,
        `export default defineChain({ id: "hello", title: greeting, input: z.object({ name: z.string() }) })`,
        `  .action("greet", { run: async ({ input }) => ({ text: \`hello \${input.name}\` }) })`,
        `  .build();`,
      ].join("\n"),
    );
    const result = await runCli(["chains"], { ...environment, BATON_CHAINS_DIR: chains });
    expect(result.stderr).toBe("");
    expect(result.stdout).toContain("hello  Say hello to the on-call team");
    expect(result.code).toBe(0);
  });

  it("prune: --dry-run counts and deletes nothing; a bad age says how to write one", async () => {
    const dry = await runCli(["prune", "--older-than", "90d", "--dry-run"], environment);
    expect(dry.stderr).toBe("");
    expect(dry.stdout).toMatch(/^Would prune 0 finished runs \(0 events, 0 effect records\) and 0 webhook deliveries, from before \d{4}-/);
    expect(dry.code).toBe(0);
    const done = await runCli(["prune", "--older-than", "90d"], environment);
    expect(done.stdout).toContain("Pruned 0 finished runs");
    const bad = await runCli(["prune", "--older-than", "a while"], environment);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('--older-than "a while" is not a duration. Use a number and a unit (s, m, h, d), such as 90d or 720h.');
  });

  it("iac check: findings as a table or JSON, exit 1 at or above --fail-on, 0 below it, 2 for input it cannot read", async () => {
    const risky = await runCli(["iac", "check", "test/fixtures/iac/security-group-open.diff"], environment);
    expect(risky.code).toBe(1);
    expect(risky.stdout).toContain("AWS_DB_PUBLIC");
    expect(risky.stdout).toContain("network/main.tf:69");
    expect(risky.stdout).toContain("2 at or above high: failing.");
    const lenient = await runCli(["iac", "check", "test/fixtures/iac/security-group-open.diff", "--fail-on", "critical", "--json"], environment);
    expect(lenient.code).toBe(1);
    const low = await runCli(["iac", "check", "test/fixtures/iac/aws-risky-plan.json", "--json"], environment);
    const report = JSON.parse(low.stdout) as { findings: Array<{ ruleId: string }>; failed: boolean };
    expect(report.findings).toHaveLength(14);
    expect(report.failed).toBe(true);
    const safe = await runCli(["iac", "check", "test/fixtures/iac/aws-safe-plan.json"], environment);
    expect(safe.code).toBe(0);
    expect(safe.stdout).toContain("No findings.");
    const noTerraform = await runCli(["iac", "check", "README.md"], environment);
    expect(noTerraform.code).toBe(2);
    expect(noTerraform.stderr).toContain("IAC_NO_TERRAFORM");
    const policies = join(directory.path, "policies.json");
    writeFileSync(policies, JSON.stringify({ rules: { AWS_DB_PUBLIC: { enabled: false }, AWS_SG_OPEN_INGRESS: { severity: "low" } } }));
    const configured = await runCli(["iac", "check", "test/fixtures/iac/security-group-open.diff", "--policies", policies], environment);
    expect(configured.code).toBe(0);
    expect(configured.stdout).toContain("1 finding; none at or above high.");
    writeFileSync(policies, JSON.stringify({ rules: { NO_SUCH_RULE: {} } }));
    const badPolicies = await runCli(["iac", "check", "test/fixtures/iac/security-group-open.diff", "--policies", policies], environment);
    expect(badPolicies.code).toBe(2);
    expect(badPolicies.stderr).toContain("unknown rule NO_SUCH_RULE");
  });

  it("iac check: inline suppressions listed with their reason and not counted (an expired one counts again), scanner results merged, the cost rise in the summary; unreadable inputs exit 2", async () => {
    const suppressed = await runCli(["iac", "check", "test/fixtures/iac/suppressed-inline.diff"], environment);
    expect(suppressed.code).toBe(1);
    expect(suppressed.stdout).toContain("suppressed until 2099-12-31 (network/main.tf:6): bastion reached only through the VPN, INFRA-42");
    expect(suppressed.stdout).toContain("suppression expired 2020-01-31 (network/main.tf:68: partner read access during the migration); counts again");
    expect(suppressed.stdout).toContain("2 findings (1 suppressed); 1 at or above high: failing.");
    const policies = join(directory.path, "cost-policies.json");
    writeFileSync(policies, JSON.stringify({ cost: { monthlyIncreaseThreshold: 500 } }));
    const merged = await runCli(
      [
        "iac",
        "check",
        "test/fixtures/iac/aws-risky-plan.json",
        "--scanner-results",
        "test/fixtures/iac/checkov-plan.json",
        "--infracost",
        "test/fixtures/iac/infracost-diff.json",
        "--policies",
        policies,
      ],
      environment,
    );
    expect(merged.stdout.split("\n").slice(0, 4)).toEqual([
      "Plan: 6 to create, 3 to update, 1 to replace, 1 to destroy.",
      "! replaces stateful aws_dynamodb_table.sessions",
      "! destroys stateful aws_ebs_volume.data",
      "Monthly cost: +801.08 USD (2,045.92 USD → 2,847.00 USD); most from aws_instance.web +560.64 USD, aws_db_instance.orders +307.59 USD, aws_nat_gateway.a +32.85 USD.",
    ]);
    expect(merged.stdout).toContain("reported by: baton AWS_SG_OPEN_INGRESS, checkov CKV_AWS_24");
    expect(merged.stdout).toContain("COST_MONTHLY_INCREASE");
    const json = await runCli(
      ["iac", "check", "test/fixtures/iac/aws-risky-plan.json", "--json", "--scanner-results", "test/fixtures/iac/trivy-config.json"],
      environment,
    );
    const report = JSON.parse(json.stdout) as { findings: Array<{ ruleId: string; reportedBy: Array<{ tool: string }> }> };
    expect(
      report.findings.find((finding) => finding.ruleId === "AWS_SG_OPEN_INGRESS" && finding.reportedBy.some((reporter) => reporter.tool === "trivy")),
    ).toBeDefined();
    writeFileSync(policies, JSON.stringify({ suppressions: [{ rule: "AWS_DB_PUBLIC", address: "aws_db_instance.orders" }] }));
    const noReason = await runCli(["iac", "check", "test/fixtures/iac/aws-risky-plan.json", "--policies", policies], environment);
    expect(noReason.code).toBe(2);
    expect(noReason.stderr).toContain("error [IAC_SUPPRESSION_INVALID]: The suppression of AWS_DB_PUBLIC on aws_db_instance.orders");
    const missing = await runCli(["iac", "check", "test/fixtures/iac/aws-risky-plan.json", "--scanner-results", "no-such.json"], environment);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("error [IAC_SCANNER_RESULTS_INVALID]: Could not read the scanner results no-such.json");
    const notCost = await runCli(["iac", "check", "test/fixtures/iac/aws-risky-plan.json", "--infracost", "README.md"], environment);
    expect(notCost.code).toBe(2);
    expect(notCost.stderr).toContain("error [IAC_COST_INVALID]: the Infracost diff README.md is not JSON");
  });

  it("runs solution-brief end to end with an approval at the terminal, and says the model was scripted", async () => {
    const result = await runCli(["run", "solution-brief", "--input", EXAMPLE_INPUT], environment, "a\n");
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("No OPENAI_API_KEY is set");
    expect(result.stdout).toContain("[scripted model]");
    expect(result.stdout).toContain("Approval needed: Business summary to send to the customer");
    expect(result.stdout).toMatch(/✓ Run r_\S+ succeeded/);
    const runId = /Run (r_\S+) succeeded/.exec(result.stdout)?.[1] ?? "";
    const shown = await runCli(["show", runId], environment);
    expect(shown.stdout).toContain("✓ business-summary");
    expect(shown.stdout).toContain("approved by cli:");
    expect(shown.stdout).toContain("[scripted model]");
  });

  it("edits inline: bad JSON and a schema error are shown, nothing changes until a valid edit", async () => {
    const examples = JSON.parse(readFileSync("chains/solution-brief/examples.json", "utf8")) as Record<string, Record<string, unknown>>;
    const edited = { ...examples["business-summary"], recommendation: "proceed-with-conditions" };
    const answers = ["e", "{ not json", ".", "e", JSON.stringify({ ...edited, recommendation: "maybe" }), ".", "e", JSON.stringify(edited), ".", ""].join("\n");
    const result = await runCli(["run", "solution-brief", "--input", EXAMPLE_INPUT], environment, answers);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('That is not valid JSON (Expected string in JSON but found "not" at line 1, column 3). Nothing was changed; try again.');
    expect(result.stdout).toMatch(/recommendation: Invalid option/i);
    expect(result.stdout).toContain("business-summary: edited by cli:");
    expect(result.stdout).toMatch(/Recommendation: proceed-with-conditions/);
  });

  it("request changes, then approve, from the terminal", async () => {
    const result = await runCli(["run", "solution-brief", "--input", EXAMPLE_INPUT], environment, "c\nShorter, and name the budget.\na\n");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("business-summary: changes requested");
    expect(result.stdout).toContain("round 2");
    expect(result.stdout).toMatch(/succeeded/);
  });

  it("leaves the approval pending with --no-wait, and two approvers racing: exactly one decision applies", async () => {
    const started = await runCli(["run", "solution-brief", "--input", EXAMPLE_INPUT, "--no-wait"], environment);
    expect(started.code).toBe(0);
    const approvalId = /baton approve (a_\S+)/.exec(started.stdout)?.[1] ?? "";
    expect(approvalId).not.toBe("");
    const [first, second] = await Promise.all([
      runCli(["approve", approvalId, "--as", "alice"], environment),
      runCli(["approve", approvalId, "--as", "bob"], environment),
    ]);
    const outputs = [first.stdout, second.stdout];
    expect(outputs.filter((output) => output.includes("Recorded: approved"))).toHaveLength(1);
    expect(outputs.filter((output) => output.includes("was already decided"))).toHaveLength(1);
    const store = openSqliteStore(environment["BATON_DB"] ?? "");
    try {
      const [run] = await store.listRuns({ limit: 1 });
      expect(run?.status).toBe("succeeded");
      const decided = (await store.listEvents(run?.id ?? "")).filter((event) => event.type === "approval.decided");
      expect(decided).toHaveLength(1);
    } finally {
      store.close();
    }
  });

  it("rejects from the command line with a reason", async () => {
    const started = await runCli(["run", "solution-brief", "--input", EXAMPLE_INPUT, "--no-wait"], environment);
    const approvalId = /baton approve (a_\S+)/.exec(started.stdout)?.[1] ?? "";
    const missingReason = await runCli(["reject", approvalId], environment);
    expect(missingReason.code).not.toBe(0);
    expect(missingReason.stderr).toContain("--reason");
    const rejected = await runCli(["reject", approvalId, "--reason", "Customer asked to wait"], environment);
    expect(rejected.code).toBe(0);
    expect(rejected.stdout).toContain("Recorded: rejected");
    const listed = await runCli(["runs", "--status", "rejected"], environment);
    expect(listed.stdout).toContain("rejected");
  });

  it("answers an unknown chain with the list of chains", async () => {
    const result = await runCli(["run", "no-such-chain", "--text", "hello"], environment);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("CHAIN_NOT_FOUND");
    expect(result.stderr).toContain("Available chains: iac-review, incident-digest, incident-response, rfp-response, solution-brief");
  });

  it("answers input that breaks the chain's schema with the field and what is expected", async () => {
    const result = await runCli(["run", "solution-brief", "--text", "too short"], environment);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("INPUT_INVALID");
    expect(result.stderr).toContain("request: describe the request in at least 20 characters");
    const store = openSqliteStore(environment["BATON_DB"] ?? "");
    try {
      expect(await store.listRuns({ limit: 5 })).toHaveLength(0);
    } finally {
      store.close();
    }
  });

  it("says how to give input when none is given", async () => {
    const result = await runCli(["run", "solution-brief"], environment);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("--input");
    expect(result.stderr).toContain("example-input.json");
  });

  it("refuses a database path that is not writable, writing nothing", async () => {
    const blocker = join(directory.path, "a-file");
    writeFileSync(blocker, "not a directory");
    const result = await runCli(["runs"], { BATON_DB: join(blocker, "baton.db") });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("DATABASE_NOT_WRITABLE");
    expect(result.stderr).toContain(join(blocker, "baton.db"));
    expect(result.stderr).toContain("BATON_DB");
    expect(readFileSync(blocker, "utf8")).toBe("not a directory");
  });

  it("refuses a corrupt database file and leaves it as it was", async () => {
    const path = join(directory.path, "corrupt.db");
    writeFileSync(path, Buffer.from(Array.from({ length: 8192 }, (_, index) => (index * 7919) % 256)));
    const hash = (): string => createHash("sha256").update(readFileSync(path)).digest("hex");
    const before = hash();
    const result = await runCli(["runs"], { BATON_DB: path });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("DATABASE_CORRUPT");
    expect(result.stderr).toContain(path);
    expect(hash()).toBe(before);
    expect(existsSync(`${path}-wal`)).toBe(false);
  });

  it("names the variable when the configuration is invalid", async () => {
    const result = await runCli(["runs"], { ...environment, BATON_MODEL_CONCURRENCY: "lots" });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("CONFIG_INVALID");
    expect(result.stderr).toContain("BATON_MODEL_CONCURRENCY");
    expect(existsSync(environment["BATON_DB"] ?? "")).toBe(false);
  });

  it("fails a step clearly when the scripted model has no example for it", async () => {
    const result = await runCli(["run", "crash-drill", "--text", "{}"], { ...environment, BATON_CHAINS_DIR: "test/fixtures/chains", BATON_MODEL: "scripted" });
    // The input is invalid first: the chain needs an incident and an effects URL.
    expect(result.stderr).toContain("incident:");
    const withInput = await runCli(["run", "crash-drill", "--text", JSON.stringify({ incident: "x", effectsUrl: "http://127.0.0.1:9/effects" })], {
      ...environment,
      BATON_CHAINS_DIR: "test/fixtures/chains",
      BATON_MODEL: "scripted",
    });
    expect(withInput.code).toBe(1);
    expect(withInput.stdout).toContain("MODEL_NOT_CONFIGURED");
    expect(withInput.stdout).toContain("examples.json");
  });

  it("shows an unknown run id as an error with the way to list runs", async () => {
    const result = await runCli(["show", "r_missing"], environment);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("RUN_NOT_FOUND");
    expect(result.stderr).toContain("baton runs");
  });

  it("prints help for each command", async () => {
    const result = await runCli(["run", "--help"], environment);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("--input <file>");
  });

  it("the demo runs with the scripted model and waits for the person at the terminal", async () => {
    const demo = startCli(["demo"], { BATON_DB: join(directory.path, "demo.db") });
    await demo.waitForOutput(/Decide: \[a\]pprove/);
    demo.child.stdin?.end("a\n");
    const { code } = await demo.exited;
    expect(code).toBe(0);
    expect(demo.stdout()).toMatch(/succeeded/);
    expect(demo.stdout()).toContain("📣");
  });
});

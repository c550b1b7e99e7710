import { describe, expect, it } from "vitest";
import { runCli } from "../support/cli-process.js";
import { skipWithoutPostgres, usePostgresDatabase } from "../support/postgres-test-database.js";

/**
 * The `baton` command on PostgreSQL (BATON_DB=postgres://… or DATABASE_URL), in child processes
 * with the scripted demo model: the same commands as on a SQLite file, the database named
 * without its password, `baton doctor` checking it, and the errors a person sees.
 */

const skip = await skipWithoutPostgres("test/cli/postgres-cli.test.ts");
const EXAMPLE_INPUT = "chains/solution-brief/example-input.json";

describe.skipIf(skip)("baton on PostgreSQL", () => {
  const database = usePostgresDatabase();

  it("runs to an approval, decides once of two racing approvers, and shows the run; the hint names the database", async () => {
    const environment = { BATON_DB: database.url() };
    const started = await runCli(["run", "solution-brief", "--input", EXAMPLE_INPUT, "--no-wait"], environment);
    expect(started.code).toBe(0);
    expect(started.stdout).toContain(`BATON_DB=${database.url().replace(/\/$/, "")}`);
    const approvalId = /baton approve (a_\S+)/.exec(started.stdout)?.[1] ?? "";
    expect(approvalId).not.toBe("");
    const [first, second] = await Promise.all([
      runCli(["approve", approvalId, "--as", "alice"], environment),
      runCli(["approve", approvalId, "--as", "bob"], environment),
    ]);
    const outputs = [first.stdout, second.stdout];
    expect(outputs.filter((output) => output.includes("Recorded: approved"))).toHaveLength(1);
    expect(outputs.filter((output) => output.includes("was already decided"))).toHaveLength(1);
    const runId = /Run (r_\S+) is waiting/.exec(started.stdout)?.[1] ?? "";
    const shown = await runCli(["show", runId], { DATABASE_URL: database.url() });
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/succeeded/);
  }, 60_000);

  it("baton doctor checks the connection, the migrations and a write, and the pools against the slots its (superuser) role may take", async () => {
    const result = await runCli(["doctor"], { BATON_DB: database.url(), BATON_MODEL: "scripted" });
    expect(result.stdout).toMatch(/✓ PostgreSQL database postgres:\/\/postgres@[^ ]+ .*writable; migrated to schema version \d+/);
    expect(result.stdout).toMatch(
      /✓ PostgreSQL connections \(BATON_DB_POOL_SIZE\): pool of 10 \+ 1 for the change feed = 11 per replica; 2 replicas need 22 of the server's max_connections \d+ \(baton's role is a superuser: the reserved slots are open to it\)/,
    );
  }, 60_000);

  it("baton doctor warns when two replicas' pools would not fit the server's max_connections, and says what to set", async () => {
    const result = await runCli(["doctor"], { BATON_DB: database.url(), BATON_MODEL: "scripted", BATON_DB_POOL_SIZE: "100" });
    expect(result.stdout).toMatch(
      /! PostgreSQL connections \(BATON_DB_POOL_SIZE\): pool of 100 .*2 replicas need 202 of the server's max_connections \d+ \(baton's role is a superuser: the reserved slots are open to it\): more than it allows/,
    );
    expect(result.stdout).toMatch(/Set BATON_DB_POOL_SIZE to \d+ or less, or raise max_connections on the server/);
  }, 60_000);

  it("an unreachable server: a clear error with the fix, the password never shown", async () => {
    const result = await runCli(["runs"], { BATON_DB: "postgres://baton:s3cret@127.0.0.1:1/baton" });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("DATABASE_UNREACHABLE");
    expect(result.stderr).toMatch(/Check that PostgreSQL is running/);
    expect(result.stderr + result.stdout).not.toContain("s3cret");
  }, 60_000);

  it("a DATABASE_URL that is not PostgreSQL is refused and says how to choose", async () => {
    const result = await runCli(["runs"], { DATABASE_URL: "mysql://root:hunter2@db/app" });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("CONFIG_INVALID");
    expect(result.stderr).toMatch(/Set BATON_DB/);
    expect(result.stderr).not.toContain("hunter2");
  }, 60_000);
});

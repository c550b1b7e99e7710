import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openSqliteState } from "../../src/store/open-state.js";
import { emptyCounts } from "../../src/core/state-copy.js";
import { openPostgresImport } from "../../src/store-postgres/index.js";
import { runCli } from "../support/cli-process.js";
import { skipWithoutPostgres, testPool, usePostgresDatabase } from "../support/postgres-test-database.js";
import { makeTempDirectory } from "../support/temp-directory.js";

/** `baton store copy` as a user runs it: the real CLI in a child process, a real SQLite file and PostgreSQL database. */

const TABLE_LINE =
  /^ {2}(runs|steps|approvals|events|run_retries|run_lineage|effects|posted_messages|deliveries|incidents|incident_alerts|incident_updates|command_intents|retention_log) /;

/** A SQLite deployment: one run a bot is still executing (its lease has not expired), one left by a crashed bot, an intent. */
async function makeSource(path: string): Promise<void> {
  const state = openSqliteState(path);
  const now = Date.now();
  const run = (id: string, leaseExpiresAt: number) => ({
    id,
    chainId: "remediate",
    stepCount: 2,
    input: {},
    startedBy: "U",
    origin: null,
    at: now,
    leaseOwner: "host:1:aa",
    leaseExpiresAt,
  });
  await state.store.createRun(run("r_live", now + 600_000), [{ runId: "r_live", at: now, type: "run.started", stepId: null, actor: null, data: {} }]);
  await state.store.createRun(run("r_crashed", now - 1_000), []);
  await state.intents.recordIntent({ kind: "review", payload: { number: 1 }, at: now });
  state.close();
}

const skip = await skipWithoutPostgres("test/cli/store-copy.test.ts");

describe("baton store copy", () => {
  let directory: ReturnType<typeof makeTempDirectory>;
  let source: string;

  beforeEach(async () => {
    directory = makeTempDirectory();
    source = join(directory.path, "baton.db");
    await makeSource(source);
  });
  afterEach(() => directory.remove());

  it("refuses a missing source, creating nothing, and a --to that is not PostgreSQL", async () => {
    const missing = join(directory.path, "typo", "baton.db");
    const result = await runCli(["store", "copy", "--from", missing, "--to", "postgres://postgres@127.0.0.1:1/x"], {});
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`error [DATABASE_NOT_FOUND]: There is no baton database to copy at ${missing}`);
    expect(existsSync(join(directory.path, "typo"))).toBe(false);
    const notPostgres = await runCli(["store", "copy", "--from", source, "--to", join(directory.path, "other.db")], {});
    expect(notPostgres.code).toBe(1);
    expect(notPostgres.stderr).toContain("error [INPUT_INVALID]: --to must be a PostgreSQL connection string");
  });

  it("a BATON_DB_POOL_SIZE out of range is refused before anything is read or contacted", async () => {
    const before = readFileSync(source);
    const result = await runCli(["store", "copy", "--from", source, "--to", "postgres://postgres@127.0.0.1:1/x"], { BATON_DB_POOL_SIZE: "101" });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error [CONFIG_INVALID]: BATON_DB_POOL_SIZE is "101", but it must be a whole number from 2 to 100');
    expect(result.stdout).not.toContain("Source:");
    expect(readFileSync(source).equals(before)).toBe(true);
  });

  it("--dry-run prints the source's counts and never contacts the target", async () => {
    const result = await runCli(["store", "copy", "--from", source, "--to", "postgres://baton:s3cret-pw@127.0.0.1:1/baton", "--dry-run"], {});
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ {2}runs +2$/m);
    expect(result.stdout).toMatch(/^ {2}command_intents +1$/m);
    expect(result.stdout.split("\n").filter((line) => TABLE_LINE.test(line))).toHaveLength(14);
    expect(result.stdout).toContain("Dry run: nothing was copied");
    expect(result.stdout).not.toContain("s3cret-pw");
  });

  it("an unreachable target: the error names it without its password, and the source is unchanged", async () => {
    const before = readFileSync(source);
    const result = await runCli(["store", "copy", "--from", source, "--to", "postgres://baton:s3cret-pw@127.0.0.1:1/baton"], {});
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("error [DATABASE_UNREACHABLE]: The copy's target, --to (postgres://baton@127.0.0.1:1/baton)");
    expect(result.stderr).toContain("Nothing was copied.");
    expect(`${result.stdout}${result.stderr}`).not.toContain("s3cret-pw");
    expect(readFileSync(source).equals(before)).toBe(true);
  });
});

describe.skipIf(skip)("baton store copy into a PostgreSQL database", () => {
  const database = usePostgresDatabase({ perTest: true });
  let directory: ReturnType<typeof makeTempDirectory>;
  let source: string;
  beforeEach(async () => {
    directory = makeTempDirectory();
    source = join(directory.path, "baton.db");
    await makeSource(source);
  });
  afterEach(() => directory.remove());

  it("warns about a live lease, prints progress and both sides' counts; a second copy is refused, naming the runs there", async () => {
    const withPassword = database.url().replace("postgres@", "postgres:unused-pw@");
    const copied = await runCli(["store", "copy", "--from", source, "--to", withPassword], { BATON_DB_POOL_SIZE: "2" });
    expect(copied.stderr).toContain("warning: 1 run is running in");
    expect(copied.stderr).toContain("Stop it first");
    expect(copied.code).toBe(0);
    expect(copied.stdout).toMatch(/^ {2}runs +copied 2 of 2$/m);
    expect(copied.stdout).toMatch(/^ {2}retention_log +copied 0 of 0$/m);
    expect(copied.stdout).toMatch(/^ {2}runs +2 +2$/m);
    expect(copied.stdout).toMatch(/^ {2}events +1 +1$/m);
    expect(copied.stdout).toContain("Counts match; comparing every record read back from the target with what was written…");
    expect(copied.stdout).toContain("Copied: every table's count matches, and every record read back is the one written.");
    expect(`${copied.stdout}${copied.stderr}`).not.toContain("unused-pw");

    const again = await runCli(["store", "copy", "--from", source, "--to", withPassword], {});
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(
      /error \[DATABASE_NOT_EMPTY\]: The target database postgres:\/\/postgres@[^ ]+ is not empty: it holds 2 runs and rows in events \(1\), command_intents \(1\)/,
    );
    expect(`${again.stdout}${again.stderr}`).not.toContain("unused-pw");
  });

  it("a target that alters a record as it is inserted: rolled back, the error names the table and record and what to look for", async () => {
    const target = await openPostgresImport(database.url()); // migrates it, so the trigger has a table
    await target.close();
    const admin = testPool(database.url());
    try {
      await admin.query(
        `CREATE FUNCTION alter_one_run() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN
           IF NEW.id = 'r_crashed' THEN NEW.chain_id := 'altered'; END IF;
           RETURN NEW;
         END $$`,
      );
      await admin.query("CREATE TRIGGER alter_one_run BEFORE INSERT ON runs FOR EACH ROW EXECUTE FUNCTION alter_one_run()");
    } finally {
      await admin.end();
    }
    const before = readFileSync(source);
    const result = await runCli(["store", "copy", "--from", source, "--to", database.url()], {});
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^ {2}runs +2 +2$/m);
    expect(result.stderr).toMatch(
      /error \[COPY_RECORDS_DIFFER\]: The counts match, but runs read back from postgres:\/\/postgres@[^ ]+ is not what was written: record r_crashed differs\. The copy was rolled back/,
    );
    expect(result.stderr).toContain("look for a trigger or rule on runs");
    expect(result.stdout).not.toContain("Copied:");
    const after = await openPostgresImport(database.url());
    try {
      expect(await after.counts()).toEqual(emptyCounts());
    } finally {
      await after.close();
    }
    expect(readFileSync(source).equals(before)).toBe(true);
  });
});

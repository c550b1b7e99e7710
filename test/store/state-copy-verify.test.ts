import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyState } from "../../src/core/state-copy.js";
import { openSqliteState } from "../../src/store/open-state.js";
import { openSqliteExport } from "../../src/store/sqlite-export.js";
import { openPostgresImport } from "../../src/store-postgres/index.js";
import { createTestDatabase, skipWithoutPostgres, testPool, type TestDatabase } from "../support/postgres-test-database.js";
import { makeTempDirectory } from "../support/temp-directory.js";
import { alert } from "./state-copy-source.js";

/**
 * The copy's record comparison on values the PostgreSQL store rewrites as it writes them
 * (U+0000 in a title becomes U+FFFD, a key over 1024 bytes becomes `sha256:` and its hash):
 * the comparison is of what was written, so such a copy verifies and commits, and the rows
 * really hold the rewritten values.
 */

const skip = await skipWithoutPostgres("test/store/state-copy-verify.test.ts");

describe.skipIf(skip)("comparing records the store rewrites", () => {
  let directory: ReturnType<typeof makeTempDirectory>;
  let database: TestDatabase;
  const longKey = `g-${"k".repeat(2_000)}`;
  beforeAll(async () => {
    directory = makeTempDirectory();
    database = await createTestDatabase();
    const state = openSqliteState(join(directory.path, "baton.db"));
    const hostile = { ...alert(`f\u0000${"p".repeat(1_100)}`, "firing"), summary: "nul \u0000 inside", labels: { "k\u0000": "v\u0000" } };
    await state.alerts.recordDelivery({
      source: "alertmanager",
      deliveryKey: `d-${"x".repeat(1_500)}`,
      receivedAt: 1_700_000_000_000,
      rawBody: '{"a":"\\u0000 \u2028 é"}',
      groupKey: longKey,
      title: "disk \u0000 full",
      alerts: [hostile],
    });
    state.close();
  });
  afterAll(async () => {
    directory?.remove();
    await database?.drop();
  });

  it("verifies and commits; the target holds the rewritten title and hashed keys", async () => {
    const source = openSqliteExport(join(directory.path, "baton.db"));
    const target = await openPostgresImport(database.url);
    try {
      const report = await copyState(source, await target.begin(), { targetName: "the test database" });
      expect(report).toMatchObject({ committed: true, differing: [] });
      expect(report.differingRecord).toBeUndefined();
      expect(report.target.incidents).toBe(1);
    } finally {
      source.close();
      await target.close();
    }
    const pool = testPool(database.url);
    try {
      const incident = await pool.query<{ title: string; group_key: string }>("SELECT title, group_key FROM incidents");
      expect(incident.rows).toEqual([{ title: "disk \uFFFD full", group_key: expect.stringMatching(/^sha256:/) }]);
      const fingerprint = await pool.query<{ fingerprint: string }>("SELECT fingerprint FROM incident_alerts");
      expect(fingerprint.rows[0]?.fingerprint).toMatch(/^sha256:/);
    } finally {
      await pool.end();
    }
  });
});

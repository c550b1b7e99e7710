import { afterEach, describe, expect, it } from "vitest";
import type { StoreChange } from "../../src/core/ports.js";
import { notifyChange, parseChange, PostgresChangeFeed } from "../../src/store-postgres/postgres-change-feed.js";
import { skipWithoutPostgres, testPool, usePostgresDatabase } from "../support/postgres-test-database.js";
import { pollUntil } from "../support/bot-child.js";

/**
 * LISTEN/NOTIFY between processes on one database: a change is heard by the others only once
 * its transaction commits, never after a rollback, never by the process that made it; a feed
 * whose connection is cut comes back and says `resync` for what it may have missed.
 */

const skip = await skipWithoutPostgres("test/store/postgres-change-feed.test.ts");

describe("parsing notifications", () => {
  it("reads ours and ignores anything else on the channel", () => {
    expect(parseChange(JSON.stringify({ origin: "a", change: { kind: "run", runId: "run_1" } }))).toEqual({
      origin: "a",
      change: { kind: "run", runId: "run_1" },
    });
    expect(parseChange(JSON.stringify({ origin: "a", change: { kind: "incident-updates", incidentId: "inc_1" } }))?.change).toEqual({
      kind: "incident-updates",
      incidentId: "inc_1",
    });
    expect(parseChange(JSON.stringify({ origin: "a", change: { kind: "runs-released" } }))?.change).toEqual({ kind: "runs-released" });
    for (const hostile of [
      undefined,
      "",
      "not json",
      "null",
      "[]",
      '{"origin":1,"change":{"kind":"run","runId":"x"}}',
      '{"origin":"a","change":{"kind":"run"}}',
      '{"origin":"a","change":{"kind":"drop table"}}',
    ]) {
      expect(parseChange(hostile)).toBeUndefined();
    }
  });
});

describe.skipIf(skip)("the PostgreSQL change feed", () => {
  const database = usePostgresDatabase();
  const feeds: PostgresChangeFeed[] = [];
  afterEach(async () => {
    await Promise.all(feeds.splice(0).map((feed) => feed.close()));
  });

  async function listen(origin: string, reconnectBaseMs?: number): Promise<{ feed: PostgresChangeFeed; heard: StoreChange[] }> {
    const feed = new PostgresChangeFeed({ url: database.url(), origin, ...(reconnectBaseMs === undefined ? {} : { reconnectBaseMs }) });
    feeds.push(feed);
    const heard: StoreChange[] = [];
    feed.subscribe((change) => heard.push(change));
    await feed.listening();
    return { feed, heard };
  }

  it("delivers a change at commit, not before, and not after a rollback; never to its own origin", async () => {
    const other = await listen("replica-b");
    const self = await listen("replica-a");
    const pool = testPool(database.url());
    try {
      const client = await pool.connect();
      await client.query("BEGIN");
      await notifyChange(client, "replica-a", { kind: "run", runId: "run_rolled_back" });
      await client.query("ROLLBACK");
      await client.query("BEGIN");
      await notifyChange(client, "replica-a", { kind: "run", runId: "run_committed" });
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(other.heard).toEqual([]);
      await client.query("COMMIT");
      client.release();
      const heard = await pollUntil(
        async () => other.heard,
        (changes) => changes.length > 0,
        5_000,
      );
      expect(heard).toEqual([{ kind: "run", runId: "run_committed" }]);
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(self.heard).toEqual([]);
    } finally {
      await pool.end();
    }
  });

  it("reconnects when its connection is cut and says resync, then hears changes again", async () => {
    const listener = await listen("replica-b", 50);
    const pool = testPool(database.url());
    try {
      await pool.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'baton-change-feed' AND datname = current_database()");
      const afterCut = await pollUntil(
        async () => listener.heard,
        (changes) => changes.some((change) => change.kind === "resync"),
        10_000,
      );
      expect(afterCut).toContainEqual({ kind: "resync" });
      await notifyChange(pool, "replica-a", { kind: "incident-updates", incidentId: "inc_9" });
      const later = await pollUntil(
        async () => listener.heard,
        (changes) => changes.some((change) => change.kind === "incident-updates"),
        5_000,
      );
      expect(later).toContainEqual({ kind: "incident-updates", incidentId: "inc_9" });
    } finally {
      await pool.end();
    }
  });
});

import { existsSync } from "node:fs";
import { dirname } from "node:path";
import { describe, expect, it } from "vitest";
import { openTestRuntime } from "../../src/testing/test-runtime.js";
import { silentLogger } from "../support/runner-harness.js";

/** The runtime a chain test runs on keeps to itself: its own database, no GitHub, no trace export. */
describe("the test runtime", () => {
  it("ignores the environment's GitHub token and trace exporter, and removes its database folder on close", async () => {
    const test = await openTestRuntime({
      environment: {
        GITHUB_TOKEN: "ghp_not-a-real-token",
        OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:9",
        BATON_DB: "/nowhere/baton.db",
        DATABASE_URL: "postgres://nobody@127.0.0.1:1/baton",
      },
      logger: silentLogger,
    });
    const database = test.runtime.config.database;
    expect(database.kind).toBe("sqlite");
    const folder = dirname(database.kind === "sqlite" ? database.path : "");
    expect(test.runtime.config.githubToken).toBeUndefined();
    expect(test.runtime.tracing).toBeUndefined();
    expect(test.runtime.scripted).toBe(true);
    expect(folder).not.toBe("/nowhere");
    expect(existsSync(folder)).toBe(true);
    await test.close();
    expect(existsSync(folder)).toBe(false);
  });
});

import { afterEach, describe, expect, it } from "vitest";
import { startHttpServer, type RunningHttpServer } from "../../src/http/http-server.js";
import { readinessRoute, type ReadinessChecks } from "../../src/metrics/ops-routes.js";
import { silentLogger } from "../support/runner-harness.js";

describe("GET /readyz", () => {
  let http: RunningHttpServer | undefined;
  afterEach(async () => {
    await http?.close();
    http = undefined;
  });

  async function ask(checks: ReadinessChecks): Promise<{ status: number; body: unknown }> {
    http = await startHttpServer({ port: 0, host: "127.0.0.1", routes: [readinessRoute(checks)], logger: silentLogger });
    const response = await fetch(`http://127.0.0.1:${http.port}/readyz`);
    return { status: response.status, body: await response.json() };
  }

  it("answers 200 ready when the database takes writes and Slack is connected", async () => {
    expect(await ask({ databaseWritable: async () => true, slackConnected: () => true })).toEqual({ status: 200, body: { status: "ready" } });
  });

  it("answers 503 naming the database when it cannot be written (or its check throws)", async () => {
    const { status, body } = await ask({
      databaseWritable: async () => {
        throw new Error("SQLITE_READONLY");
      },
      slackConnected: () => true,
    });
    expect(status).toBe(503);
    expect(body).toEqual({ status: "not_ready", failed: [{ check: "database", fix: expect.stringContaining("writable") }] });
  });

  it("answers 503 naming every failed check with what to do", async () => {
    const { status, body } = await ask({ databaseWritable: () => false, slackConnected: () => false });
    expect(status).toBe(503);
    expect(body).toEqual({
      status: "not_ready",
      failed: [
        { check: "database", fix: expect.stringContaining("disk") },
        { check: "slack", fix: expect.stringContaining("SLACK_BOT_TOKEN") },
      ],
    });
  });
});

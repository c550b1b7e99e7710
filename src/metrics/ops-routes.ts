import { sendJson, type Route } from "../http/http-server.js";
import type { BatonMetrics } from "./baton-metrics.js";

/** What `/readyz` asks before saying the bot can take work. */
export interface ReadinessChecks {
  /** True when a write to the database succeeds (a full disk or a read-only mount says false). */
  databaseWritable(): Promise<boolean> | boolean;
  /** True when the Slack connection (Socket Mode or the Web API) is up. */
  slackConnected(): Promise<boolean> | boolean;
}

/** `GET /metrics`: the registry in Prometheus text format, with the content type it names. */
export function metricsRoute(metrics: BatonMetrics): Route {
  return {
    method: "GET",
    path: "/metrics",
    handle: async (_request, response) => {
      const text = await metrics.registry.metrics();
      response.writeHead(200, { "content-type": metrics.registry.contentType, "content-length": Buffer.byteLength(text) });
      response.end(text);
    },
  };
}

const FIXES = {
  database: "The database is not writable: check the disk is not full and BATON_DATABASE's directory is writable by this process.",
  slack: "Slack is not connected: check SLACK_BOT_TOKEN (and SLACK_APP_TOKEN in Socket Mode) and that Slack is reachable; the bot reconnects on its own.",
} as const;

/**
 * `GET /readyz`: 200 `{ status: "ready" }` when the database takes writes and Slack is
 * connected; otherwise 503 naming each failed check and what to do. A check that throws counts
 * as failed, so a broken check cannot make the process look ready.
 */
export function readinessRoute(checks: ReadinessChecks): Route {
  return {
    method: "GET",
    path: "/readyz",
    handle: async (_request, response) => {
      const failed: Array<{ check: keyof typeof FIXES; fix: string }> = [];
      if (!(await passes(() => checks.databaseWritable()))) failed.push({ check: "database", fix: FIXES.database });
      if (!(await passes(() => checks.slackConnected()))) failed.push({ check: "slack", fix: FIXES.slack });
      if (failed.length === 0) sendJson(response, 200, { status: "ready" });
      else sendJson(response, 503, { status: "not_ready", failed });
    },
  };
}

async function passes(check: () => Promise<boolean> | boolean): Promise<boolean> {
  try {
    return (await check()) === true;
  } catch {
    return false;
  }
}

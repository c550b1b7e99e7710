import Database from "better-sqlite3";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isBatonError } from "../../src/core/errors.js";
import type { ChainStore } from "../../src/core/ports.js";
import { EVENT_TYPE_CODES } from "../../src/store/event-type-codes.js";
import { openDatabase, openSqliteStore } from "../../src/store/index.js";
import { FIRST_EVENT_SEGMENT, KEYS_PER_RUN } from "../../src/store/key-layout.js";
import { MIGRATIONS } from "../../src/store/migrations.js";
import { makeTempDirectory } from "../support/temp-directory.js";
import { event, newRun, OTHER_OWNER, runAwaitingApproval, START } from "./chain-store-fixtures.js";

/**
 * Migration 7: a decision gives the run a new event segment at the end of the log. Listing,
 * the audit_log view and files written before the migration must all see one ordered log.
 */

let directory: { path: string; remove(): void };
let path: string;
const opened: ChainStore[] = [];
beforeEach(() => {
  directory = makeTempDirectory("baton-segments-");
  path = join(directory.path, "baton.db");
});
afterEach(() => {
  for (const store of opened.splice(0)) store.close();
  directory.remove();
});

function open(): ChainStore {
  const store = openSqliteStore(path);
  opened.push(store);
  return store;
}

/** The audit_log view, as someone reading the file with the sqlite3 shell sees a run. */
function auditLogOf(runId: string): { sequence: number; type: string }[] {
  const database = openDatabase(path);
  try {
    return database.prepare<[string], { sequence: number; type: string }>("SELECT sequence, type FROM audit_log WHERE run_id = ? ORDER BY sequence").all(runId);
  } finally {
    database.close();
  }
}

const approve = (approvalId: string, runId: string, at: number) => ({
  approvalId,
  status: "approved" as const,
  decidedBy: "U0ONCALL",
  at,
  editedOutput: null,
  comment: null,
  step: null,
  runStatus: "running" as const,
  leaseOwner: OTHER_OWNER,
  leaseExpiresAt: at + 60_000,
  events: [event(runId, "approval.decided", { actor: "U0ONCALL" })],
});

describe("event segments", () => {
  it("lists a run's events in order across its decisions, the same through the store and the audit_log view", async () => {
    const store = open();
    const { run, approval } = await runAwaitingApproval(store, 1);
    expect((await store.decideApproval(approve(approval.id, run.id, START + 3000))).applied).toBe(true);
    await store.appendEvents([event(run.id, "effect.replayed", { actor: null })]);

    const events = await store.listEvents(run.id);
    expect(events.map((item) => item.type)).toEqual([
      "run.started",
      "model.call",
      "step.finished",
      "approval.requested",
      "approval.decided",
      "effect.replayed",
    ]);
    // The decision's events are in a segment: their sequence numbers start past the run's own range.
    expect(events[4]?.sequence).toBeGreaterThan(KEYS_PER_RUN);
    expect(auditLogOf(run.id)).toEqual(events.map((item) => ({ sequence: item.sequence, type: item.type })));
  });

  it("refuses a run once run numbers would reach the segment numbers, says what to do, and writes nothing", async () => {
    const store = open();
    const database = openDatabase(path);
    database
      .prepare(
        `INSERT INTO runs (key, id, chain_id, status, cursor, step_count, started_by, created_at, updated_at, input) VALUES (?, 'r_last', 'remediate', 'succeeded', 1, 1, 'U0ONCALL', 1, 1, '{}')`,
      )
      .run(FIRST_EVENT_SEGMENT - 1);
    database.close();

    const refused = await store.createRun(newRun({ id: "r_one_too_many" }), [event("r_one_too_many", "run.started")]).catch((error: unknown) => error);
    expect(isBatonError(refused, "DATABASE_NOT_WRITABLE")).toBe(true);
    expect((refused as Error).message).toContain("set BATON_DB to a new file");
    expect(await store.getRun("r_one_too_many")).toBeUndefined();
    expect(await store.listEvents("r_one_too_many")).toEqual([]);
  });

  it("a file from before migration 7 keeps its runs' events, and a run that was waiting goes on in a segment", async () => {
    // Schema version 6, with a run waiting for approval and its three events in its own range.
    const database = new Database(path);
    for (const migration of MIGRATIONS.filter((item) => item.version <= 6)) database.exec(migration.sql);
    database.pragma("user_version = 6");
    database
      .prepare(
        `INSERT INTO runs (key, id, chain_id, status, cursor, step_count, started_by, created_at, updated_at, input)
         VALUES (7, 'r_waiting', 'remediate', 'awaiting_approval', 1, 3, 'U0ONCALL', 1000, 2000, '{"alert":"disk full"}')`,
      )
      .run();
    database
      .prepare(
        `INSERT INTO approvals (id, run_key, step_id, step_index, round, status, approvers, allow_self_approval, requested_by,
           requested_at, step_started_at, step_executions, model_calls, input_tokens, output_tokens, cost_usd, proposal)
         VALUES ('a_waiting', 7, 'plan', 1, 1, 'pending', '[]', 1, 'U0ONCALL', 2000, 1500, 1, 1, 10, 10, 0, '{"title":"Free some space"}')`,
      )
      .run();
    const insertEvent = database.prepare("INSERT INTO events (key, at, type, step_id, actor, data) VALUES (?, ?, ?, ?, ?, '{}')");
    insertEvent.run(7 * KEYS_PER_RUN + 1, 1000, EVENT_TYPE_CODES["run.started"], null, "U0ONCALL");
    insertEvent.run(7 * KEYS_PER_RUN + 2, 1500, EVENT_TYPE_CODES["model.call"], "plan", null);
    insertEvent.run(7 * KEYS_PER_RUN + 3, 2000, EVENT_TYPE_CODES["approval.requested"], "plan", null);
    database.close();

    const store = open();
    const before = await store.listEvents("r_waiting");
    expect(before.map((item) => [item.sequence, item.type])).toEqual([
      [1, "run.started"],
      [2, "model.call"],
      [3, "approval.requested"],
    ]);
    expect(auditLogOf("r_waiting").map((item) => item.type)).toEqual(["run.started", "model.call", "approval.requested"]);

    const outcome = await store.decideApproval(approve("a_waiting", "r_waiting", 3000));
    expect(outcome.applied).toBe(true);
    const after = await store.listEvents("r_waiting");
    expect(after.slice(0, 3)).toEqual(before);
    expect(after.map((item) => item.type)).toEqual(["run.started", "model.call", "approval.requested", "approval.decided"]);
    expect(auditLogOf("r_waiting").map((item) => item.type)).toEqual(["run.started", "model.call", "approval.requested", "approval.decided"]);
  });
});

import type { RecordPage } from "../core/state-copy.js";
import { keyText, storableText } from "./alert-writes.js";
import { approvalValues, jsonText, nullableJsonText, stepValues } from "./record-values.js";
import type { QueryValue } from "./transactions.js";

/**
 * A page of copied records → rows of a PostgreSQL table, encoded as the adapters write them
 * (record-values.ts, alert-writes.ts): JSON values as JSON text for `json` columns, a sender's
 * keys as their indexed form, titles without U+0000. `insert-rows.ts` writes them.
 */

export interface Column {
  name: string;
  /** The PostgreSQL type the column's array is cast to. */
  type: "text" | "integer" | "bigint" | "boolean" | "double precision" | "json";
}

export interface TableRows {
  table: string;
  columns: ReadonlyArray<Column>;
  /** Identity columns are GENERATED ALWAYS: keeping the source's values needs OVERRIDING SYSTEM VALUE. */
  keepsIdentity: boolean;
  rows: QueryValue[][];
}

const text = (name: string): Column => ({ name, type: "text" });
const integer = (name: string): Column => ({ name, type: "integer" });
const bigint = (name: string): Column => ({ name, type: "bigint" });
const boolean = (name: string): Column => ({ name, type: "boolean" });
const json = (name: string): Column => ({ name, type: "json" });
const usage = [
  integer("model_calls"),
  integer("input_tokens"),
  integer("cached_input_tokens"),
  integer("output_tokens"),
  { name: "cost_usd", type: "double precision" } as const,
];

/** In the order of record-values.ts's stepValues. */
const STEP_COLUMNS = [
  text("run_id"),
  integer("step_index"),
  text("step_id"),
  boolean("skipped"),
  bigint("started_at"),
  bigint("finished_at"),
  integer("executions"),
  ...usage,
  json("output"),
];

/** In the order of record-values.ts's approvalValues, then the request order. */
const APPROVAL_COLUMNS = [
  text("id"),
  text("run_id"),
  text("step_id"),
  integer("step_index"),
  integer("round"),
  text("status"),
  json("approvers"),
  boolean("allow_self_approval"),
  text("requested_by"),
  bigint("requested_at"),
  bigint("deadline_at"),
  bigint("step_started_at"),
  integer("step_executions"),
  ...usage,
  bigint("decided_at"),
  text("decided_by"),
  text("comment"),
  json("edited_output"),
  json("proposal"),
  bigint("requested_sequence"),
];

const RUN_COLUMNS = [
  text("id"),
  bigint("created_sequence"),
  text("chain_id"),
  text("status"),
  integer("cursor"),
  integer("step_count"),
  text("started_by"),
  bigint("created_at"),
  bigint("updated_at"),
  bigint("finished_at"),
  text("lease_owner"),
  bigint("lease_expires_at"),
  json("origin"),
  json("error"),
  json("input"),
  bigint("detail_pruned_at"),
];

/** The table, columns and rows a page goes to. */
export function rowsOfPage(page: RecordPage): TableRows {
  const plain = (table: string, columns: Column[], rows: QueryValue[][]): TableRows => ({ table, columns, keepsIdentity: false, rows });
  switch (page.table) {
    case "runs":
      return {
        table: "runs",
        columns: RUN_COLUMNS,
        keepsIdentity: true,
        rows: page.records.map(({ run, creationOrder, detailPrunedAt }) => [
          run.id,
          creationOrder,
          run.chainId,
          run.status,
          run.cursor,
          run.stepCount,
          run.startedBy,
          run.createdAt,
          run.updatedAt,
          run.finishedAt,
          run.leaseOwner,
          run.leaseExpiresAt,
          nullableJsonText(run.origin),
          nullableJsonText(run.error),
          jsonText(run.input),
          detailPrunedAt,
        ]),
      };
    case "steps":
      return plain("steps", STEP_COLUMNS, page.records.map(stepValues));
    case "approvals":
      return {
        table: "approvals",
        columns: APPROVAL_COLUMNS,
        keepsIdentity: true,
        rows: page.records.map(({ approval, requestOrder }) => [...approvalValues(approval), requestOrder]),
      };
    case "events":
      return plain(
        "events",
        [text("run_id"), bigint("sequence"), bigint("at"), text("type"), text("step_id"), text("actor"), json("data")],
        page.records.map((event) => [event.runId, event.sequence, event.at, event.type, event.stepId, event.actor, jsonText(event.data)]),
      );
    case "run_retries":
      return plain(
        "run_retries",
        [
          text("run_id"),
          text("step_id"),
          integer("step_index"),
          integer("attempt"),
          bigint("next_attempt_at"),
          bigint("waiting_since"),
          text("waiting_for"),
          text("code"),
          text("message"),
        ],
        page.records.map((retry) => [
          retry.runId,
          retry.stepId,
          retry.stepIndex,
          retry.attempt,
          retry.nextAttemptAt,
          retry.waitingSince,
          retry.waitingFor,
          retry.code,
          retry.message,
        ]),
      );
    case "run_lineage":
      return plain(
        "run_lineage",
        [text("run_id"), text("parent_run_id"), text("from_step_id"), bigint("created_at")],
        page.records.map((lineage) => [lineage.runId, lineage.parentRunId, lineage.fromStepId, lineage.createdAt]),
      );
    case "effects":
      return plain(
        "effects",
        [text("key"), text("run_id"), bigint("recorded_at"), json("result")],
        page.records.map((effect) => [effect.key, effect.runId, effect.recordedAt, jsonText(effect.result)]),
      );
    case "posted_messages":
      return plain(
        "posted_messages",
        [text("key"), text("run_id"), text("channel"), text("ts"), text("content_hash"), bigint("created_at"), bigint("updated_at")],
        page.records.map((message) => [message.key, message.runId, message.channel, message.ts, message.contentHash, message.createdAt, message.updatedAt]),
      );
    case "deliveries":
      return plain(
        "deliveries",
        [text("id"), text("source"), text("delivery_key"), bigint("received_at"), json("raw_body"), json("alerts")],
        page.records.map((delivery) => [
          delivery.id,
          delivery.source,
          keyText(delivery.deliveryKey),
          delivery.receivedAt,
          jsonText(delivery.rawBody),
          jsonText(delivery.alerts),
        ]),
      );
    case "incidents":
      return plain(
        "incidents",
        [
          text("id"),
          text("source"),
          text("group_key"),
          text("status"),
          text("title"),
          text("run_id"),
          bigint("opened_at"),
          bigint("updated_at"),
          bigint("resolved_at"),
          integer("alert_count"),
          integer("firing_count"),
        ],
        page.records.map((incident) => [
          incident.id,
          incident.source,
          keyText(incident.groupKey),
          incident.status,
          storableText(incident.title),
          incident.runId,
          incident.openedAt,
          incident.updatedAt,
          incident.resolvedAt,
          incident.alertCount,
          incident.firingCount,
        ]),
      );
    case "incident_alerts":
      return plain(
        "incident_alerts",
        [text("incident_id"), text("fingerprint"), integer("position"), text("status"), json("alert")],
        page.records.map((alert) => [alert.incidentId, keyText(alert.fingerprint), alert.position, alert.status, jsonText(alert.alert)]),
      );
    case "incident_updates":
      return {
        table: "incident_updates",
        columns: [
          text("incident_id"),
          text("delivery_id"),
          boolean("resolves"),
          json("new_alerts"),
          json("resolved_alerts"),
          bigint("created_at"),
          text("batch"),
          bigint("posted_at"),
          bigint("id"),
        ],
        keepsIdentity: true,
        rows: page.records.map((update) => [
          update.incidentId,
          update.deliveryId,
          update.resolves,
          jsonText(update.newAlerts),
          jsonText(update.resolvedAlerts),
          update.createdAt,
          update.batch,
          update.postedAt,
          update.id,
        ]),
      };
    case "command_intents":
      return plain(
        "command_intents",
        [text("id"), text("kind"), json("payload"), bigint("created_at"), bigint("finished_at")],
        page.records.map(({ intent, finishedAt }) => [intent.id, intent.kind, jsonText(intent.payload), intent.createdAt, finishedAt]),
      );
    case "retention_log":
      return plain(
        "retention_log",
        [bigint("at"), bigint("cutoff"), integer("runs"), integer("events"), integer("effects"), integer("deliveries")],
        page.records.map((entry) => [entry.at, entry.cutoff, entry.runs, entry.events, entry.effects, entry.deliveries]),
      );
  }
}

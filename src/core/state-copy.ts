/**
 * Moving a deployment's state from one store to another (`baton store copy`): every record of
 * every table, as the ports know them, with what the ports leave out but a working deployment
 * needs (creation and request order, when a run's detail was pruned, finished intents, the
 * outbox's claims, the retention log). The source reads one consistent snapshot in pages; the
 * target writes them in one transaction, so a copy that fails leaves the target as it was.
 * The adapters implement `StateSnapshot` (src/store) and `StateImport` (src/store-postgres);
 * the CLI joins them.
 */

import { BatonError } from "./errors.js";
import type { AlertSource, IncidentSummary, NormalizedAlert } from "./incidents.js";
import type { CommandIntent } from "./command-intents.js";
import type { PostedMessage } from "./message-ledger.js";
import type { ApprovalRecord, AuditEvent, EffectRecord, RunRecord, RunRetry, StepRecord } from "./records.js";
import type { PruneCounts } from "./retention.js";

/** The tables a copy moves, in the order it moves them: a row's parent before the row. */
export const COPIED_TABLES = [
  "runs",
  "steps",
  "approvals",
  "events",
  "run_retries",
  "run_lineage",
  "effects",
  "posted_messages",
  "deliveries",
  "incidents",
  "incident_alerts",
  "incident_updates",
  "command_intents",
  "retention_log",
] as const;

export type CopiedTable = (typeof COPIED_TABLES)[number];

/** Rows per table. */
export type TableCounts = Record<CopiedTable, number>;

export interface CopiedRun {
  run: RunRecord;
  /** Where the run stands in creation order (newest-first listings tie-break on it). */
  creationOrder: number;
  /** When retention pruned the run's detail; null when it has not. */
  detailPrunedAt: number | null;
}

export interface CopiedApproval {
  approval: ApprovalRecord;
  /** Where the approval stands in request order (listings tie-break on it). */
  requestOrder: number;
}

export interface CopiedLineage {
  runId: string;
  parentRunId: string;
  fromStepId: string;
  createdAt: number;
}

/** A webhook delivery as received: the raw body is kept until retention deletes it. */
export interface CopiedDelivery {
  id: string;
  source: AlertSource;
  deliveryKey: string;
  receivedAt: number;
  rawBody: string;
  alerts: NormalizedAlert[];
}

/** One alert of an incident, at its latest state. */
export interface CopiedIncidentAlert {
  incidentId: string;
  fingerprint: string;
  /** Arrival order within the incident, from 0. */
  position: number;
  status: NormalizedAlert["status"];
  alert: NormalizedAlert;
}

/** A row of the incident update outbox: owed, claimed into a batch, or posted. */
export interface CopiedIncidentUpdate {
  /** Its number: outbox order, and part of its batch's key. */
  id: number;
  incidentId: string;
  deliveryId: string;
  resolves: boolean;
  newAlerts: NormalizedAlert[];
  resolvedAlerts: NormalizedAlert[];
  createdAt: number;
  batch: string | null;
  postedAt: number | null;
}

export interface CopiedIntent {
  intent: CommandIntent;
  finishedAt: number | null;
}

/** A retention pass that deleted something. */
export interface RetentionLogEntry extends PruneCounts {
  at: number;
  cutoff: number;
}

/** Records of one table, in the order the source keeps them. */
export type RecordPage =
  | { table: "runs"; records: CopiedRun[] }
  | { table: "steps"; records: StepRecord[] }
  | { table: "approvals"; records: CopiedApproval[] }
  | { table: "events"; records: AuditEvent[] }
  | { table: "run_retries"; records: RunRetry[] }
  | { table: "run_lineage"; records: CopiedLineage[] }
  | { table: "effects"; records: EffectRecord[] }
  | { table: "posted_messages"; records: PostedMessage[] }
  | { table: "deliveries"; records: CopiedDelivery[] }
  | { table: "incidents"; records: IncidentSummary[] }
  | { table: "incident_alerts"; records: CopiedIncidentAlert[] }
  | { table: "incident_updates"; records: CopiedIncidentUpdate[] }
  | { table: "command_intents"; records: CopiedIntent[] }
  | { table: "retention_log"; records: RetentionLogEntry[] };

/** The source: one consistent snapshot of a store, read in pages. */
export interface StateSnapshot {
  /** Rows per table in the snapshot. */
  counts(): Promise<TableCounts>;
  /** Runs `running` under a lease that has not expired at `now`: a process may still be executing them. */
  countLiveLeases(now: number): Promise<number>;
  /** Every record, table by table in `COPIED_TABLES` order, a page at a time. */
  pages(): AsyncIterable<RecordPage>;
}

/** The target: one open transaction on a store; nothing is visible to others until `commit`. */
export interface StateImport {
  /** Rows per table as this transaction sees them. */
  counts(): Promise<TableCounts>;
  write(page: RecordPage): Promise<void>;
  /** The tables whose records, read back inside this transaction, differ from what was written. */
  differingTables(): Promise<CopiedTable[]>;
  /** The id of the first record of `table` among `pages` (the source's) the target does not hold as written. */
  firstDifference(table: CopiedTable, pages: AsyncIterable<RecordPage>): Promise<string | undefined>;
  /** Sets whatever the store counts on (event numbers, id sequences), then commits. */
  commit(): Promise<void>;
  /** Drops everything written. Never throws: the error that led here is what matters. */
  rollback(): Promise<void>;
}

export interface CopyReport {
  source: TableCounts;
  /** As the target's transaction saw them before it committed (or rolled back). */
  target: TableCounts;
  /** Tables whose counts differ; the copy was rolled back when any do. */
  differing: CopiedTable[];
  /**
   * When the counts match but a table's records, read back, are not what was written: the
   * first such table and its first differing record (the copy was rolled back). Not looked at
   * when the counts differ.
   */
  differingRecord?: { table: CopiedTable; recordId: string | undefined };
  committed: boolean;
}

export interface CopyOptions {
  /** The target as it may be shown (never with a password), for messages. */
  targetName: string;
  /** After each page, and once for each table when it is done (`done: true`, even when it was empty). */
  onProgress?: (progress: { table: CopiedTable; copied: number; total: number; done: boolean }) => void;
  /** Once the counts match, before every record is read back (which takes a while on a large copy). */
  onComparingRecords?: () => void;
}

export function emptyCounts(): TableCounts {
  return Object.fromEntries(COPIED_TABLES.map((table) => [table, 0])) as TableCounts;
}

/**
 * Copy every record of `source` into `target` (an open transaction on an empty store). Refuses
 * a target that holds anything. Commits only when every table's count on the target matches the
 * source and every record read back is the one written; otherwise, and on any error, rolls
 * back, so the target is left as it was.
 */
export async function copyState(source: StateSnapshot, target: StateImport, options: CopyOptions): Promise<CopyReport> {
  try {
    assertEmpty(await target.counts(), options.targetName);
    const sourceCounts = await source.counts();
    const copied = emptyCounts();
    let finished = 0;
    const finishUpTo = (end: number): void => {
      for (; finished < end; finished += 1) {
        const table = COPIED_TABLES[finished] as CopiedTable;
        options.onProgress?.({ table, copied: copied[table], total: sourceCounts[table], done: true });
      }
    };
    for await (const page of source.pages()) {
      finishUpTo(COPIED_TABLES.indexOf(page.table));
      await target.write(page);
      copied[page.table] += page.records.length;
      options.onProgress?.({ table: page.table, copied: copied[page.table], total: sourceCounts[page.table], done: false });
    }
    finishUpTo(COPIED_TABLES.length);
    const targetCounts = await target.counts();
    const differing = COPIED_TABLES.filter((table) => targetCounts[table] !== sourceCounts[table]);
    if (differing.length > 0) {
      await target.rollback();
      return { source: sourceCounts, target: targetCounts, differing, committed: false };
    }
    options.onComparingRecords?.();
    const [table] = await target.differingTables();
    if (table !== undefined) {
      // Read the source again (the same snapshot) only now: a copy that verifies never does.
      const recordId = await target.firstDifference(table, source.pages());
      await target.rollback();
      return { source: sourceCounts, target: targetCounts, differing, differingRecord: { table, recordId }, committed: false };
    }
    await target.commit();
    return { source: sourceCounts, target: targetCounts, differing, committed: true };
  } catch (error) {
    await target.rollback();
    throw error;
  }
}

function assertEmpty(counts: TableCounts, targetName: string): void {
  const holding = COPIED_TABLES.filter((table) => counts[table] > 0);
  if (holding.length === 0) return;
  const runs = counts.runs;
  const others = holding.filter((table) => table !== "runs").map((table) => `${table} (${String(counts[table])})`);
  const runText = runs > 0 ? `${String(runs)} run${runs === 1 ? "" : "s"}` : "";
  const otherText = others.length === 0 ? "" : `rows in ${others.join(", ")}`;
  const what = [runText, otherText].filter((part) => part !== "").join(" and ");
  throw new BatonError(
    "DATABASE_NOT_EMPTY",
    `The target database ${targetName} is not empty: it holds ${what}. ` +
      `baton store copy only writes into an empty database, so nothing is mixed or overwritten: create a new one ` +
      `(createdb, or CREATE DATABASE) and pass it as --to. Nothing was copied.`,
    { target: targetName, counts: Object.fromEntries(holding.map((table) => [table, counts[table]])) },
  );
}

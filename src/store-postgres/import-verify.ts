import { createHash } from "node:crypto";
import type { PoolClient } from "pg";
import type { CopiedTable, RecordPage } from "../core/state-copy.js";
import { type Column, rowsOfPage, type TableRows } from "./import-rows.js";
import type { QueryValue } from "./transactions.js";

/**
 * Record-by-record verification of a copy, inside its transaction: every row is digested as it
 * is written (the values of import-rows.ts, which already carry the store's own rewriting of
 * U+0000 and long keys), then every written table is read back and digested the same way. A
 * table's digest is the sum of its rows' SHA-256 (mod 2^256): independent of order, so the
 * target is read in whatever order PostgreSQL returns it, through a cursor, and memory stays
 * flat. Only when a digest differs is the table walked again, by primary key, to name the first
 * record (in the source's order) the target does not hold as written.
 */

/** Each table's primary key; retention_log has none, and its every column stands for one. */
const KEYS: Record<CopiedTable, ReadonlyArray<string>> = {
  runs: ["id"],
  steps: ["run_id", "step_index"],
  approvals: ["id"],
  events: ["run_id", "sequence"],
  run_retries: ["run_id"],
  run_lineage: ["run_id"],
  effects: ["key"],
  posted_messages: ["key"],
  deliveries: ["id"],
  incidents: ["id"],
  incident_alerts: ["incident_id", "fingerprint"],
  incident_updates: ["id"],
  command_intents: ["id"],
  retention_log: ["at", "cutoff", "runs", "events", "effects", "deliveries"],
};

const MODULUS = 1n << 256n;
const ROWS_PER_FETCH = 2_000;

/**
 * Every column as text, as PostgreSQL prints it (json as it was sent: the type keeps its input
 * verbatim), except double precision, which is compared as the number pg parses it back into.
 */
function selectList(columns: ReadonlyArray<Column>): string {
  return columns.map((column) => (column.type === "double precision" ? column.name : `${column.name}::text`)).join(", ");
}

function canonical(column: Column, value: unknown): string | number | null {
  if (value === null || value === undefined) return null;
  if (column.type === "double precision") return Number(value);
  return String(value);
}

function rowDigest(columns: ReadonlyArray<Column>, values: ReadonlyArray<unknown>): bigint {
  const encoded = JSON.stringify(columns.map((column, index) => canonical(column, values[index])));
  return BigInt(`0x${createHash("sha256").update(encoded).digest("hex")}`);
}

function keyOf(columns: ReadonlyArray<Column>, table: CopiedTable, values: ReadonlyArray<unknown>): string {
  return KEYS[table].map((name) => String(canonical(columnNamed(columns, name), values[columns.findIndex((column) => column.name === name)]))).join("/");
}

function columnNamed(columns: ReadonlyArray<Column>, name: string): Column {
  const column = columns.find((candidate) => candidate.name === name);
  if (column === undefined) throw new Error(`the copy writes no column ${name}`);
  return column;
}

export class CopyDigests {
  readonly #written = new Map<CopiedTable, { columns: ReadonlyArray<Column>; sum: bigint }>();

  /** Adds the rows of a page as they go to the target. */
  add(table: CopiedTable, rows: TableRows): void {
    const entry = this.#written.get(table) ?? { columns: rows.columns, sum: 0n };
    for (const row of rows.rows) entry.sum = (entry.sum + rowDigest(rows.columns, row)) % MODULUS;
    this.#written.set(table, entry);
  }

  /** The tables whose rows, read back from the target, do not add up to what was written. */
  async differing(client: PoolClient): Promise<CopiedTable[]> {
    const differing: CopiedTable[] = [];
    for (const [table, written] of this.#written) {
      if ((await readBackSum(client, table, written.columns)) !== written.sum) differing.push(table);
    }
    return differing;
  }

  /** The key of the first record of `pages` (the source's, of `table`) the target does not hold as written. */
  async firstDifference(client: PoolClient, table: CopiedTable, pages: AsyncIterable<RecordPage>): Promise<string | undefined> {
    for await (const page of pages) {
      if (page.table !== table) continue;
      const rows = rowsOfPage(page);
      const stored = await storedByKey(client, table, rows);
      for (const row of rows.rows) {
        const key = keyOf(rows.columns, table, row);
        if (!(stored.get(key)?.has(rowDigest(rows.columns, row)) ?? false)) return key;
      }
    }
    return undefined;
  }
}

async function readBackSum(client: PoolClient, table: CopiedTable, columns: ReadonlyArray<Column>): Promise<bigint> {
  const cursor = `baton_verify_${table}`;
  await client.query(`DECLARE ${cursor} NO SCROLL CURSOR FOR SELECT ${selectList(columns)} FROM ${table}`);
  let sum = 0n;
  for (;;) {
    const result = await client.query({ text: `FETCH ${String(ROWS_PER_FETCH)} FROM ${cursor}`, rowMode: "array" });
    for (const row of result.rows as unknown[][]) sum = (sum + rowDigest(columns, row)) % MODULUS;
    if (result.rows.length < ROWS_PER_FETCH) break;
  }
  await client.query(`CLOSE ${cursor}`);
  return sum;
}

/** The target's rows with the keys of `rows`, digested, by key. */
async function storedByKey(client: PoolClient, table: CopiedTable, rows: TableRows): Promise<Map<string, Set<bigint>>> {
  const keyColumns = KEYS[table].map((name) => columnNamed(rows.columns, name));
  const keyIndexes = keyColumns.map((column) => rows.columns.indexOf(column));
  const keyList = keyColumns.map((column) => column.name).join(", ");
  const arrays = keyColumns.map((column, index) => `$${String(index + 1)}::${column.type}[]`).join(", ");
  const values = keyIndexes.map((columnIndex) => rows.rows.map((row) => row[columnIndex] ?? null) as QueryValue);
  const result = await client.query({
    text: `SELECT ${selectList(rows.columns)} FROM ${table} WHERE (${keyList}) IN (SELECT * FROM unnest(${arrays}))`,
    values,
    rowMode: "array",
  });
  const stored = new Map<string, Set<bigint>>();
  for (const row of result.rows as unknown[][]) {
    const key = keyOf(rows.columns, table, row);
    stored.set(key, (stored.get(key) ?? new Set()).add(rowDigest(rows.columns, row)));
  }
  return stored;
}

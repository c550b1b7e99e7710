import type { TableRows } from "./import-rows.js";
import { queryCount, type Queryable, type QueryValue } from "./transactions.js";

/**
 * Copied rows into their PostgreSQL table: one INSERT per batch whose rows arrive as one array
 * per column (`unnest`), so a batch of thousands of rows is one statement with as many
 * parameters as the table has columns.
 */

/** Rows per INSERT, and about how many characters of values: a statement stays a few megabytes. */
const MAX_ROWS_PER_INSERT = 2_000;
const MAX_CHARACTERS_PER_INSERT = 4 * 1024 * 1024;

/** Insert the rows in batches, inside the caller's transaction. */
export async function insertRows(client: Queryable, rows: TableRows): Promise<void> {
  let batch: QueryValue[][] = [];
  let characters = 0;
  for (const row of rows.rows) {
    batch.push(row);
    for (const value of row) characters += typeof value === "string" ? value.length : 8;
    if (batch.length >= MAX_ROWS_PER_INSERT || characters >= MAX_CHARACTERS_PER_INSERT) {
      await insertBatch(client, rows, batch);
      batch = [];
      characters = 0;
    }
  }
  if (batch.length > 0) await insertBatch(client, rows, batch);
}

async function insertBatch(client: Queryable, rows: TableRows, batch: QueryValue[][]): Promise<void> {
  const names = rows.columns.map((column) => column.name).join(", ");
  const arrays = rows.columns.map((column, index) => `$${String(index + 1)}::${column.type}[]`).join(", ");
  const values = rows.columns.map((_, index) => batch.map((row) => row[index] ?? null) as ReadonlyArray<string | number | boolean | null>);
  // Named by table: each connection prepares it once however many batches follow.
  const name = `baton_import_${rows.table}`;
  const overriding = rows.keepsIdentity ? " OVERRIDING SYSTEM VALUE" : "";
  const inserted = await queryCount(client, { name, text: `INSERT INTO ${rows.table} (${names})${overriding} SELECT * FROM unnest(${arrays})` }, values);
  if (inserted !== batch.length) throw new Error(`${rows.table}: ${String(inserted)} of ${String(batch.length)} rows were inserted`);
}

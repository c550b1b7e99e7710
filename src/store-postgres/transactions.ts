import type { Pool, PoolClient, QueryConfig } from "pg";
import { postgresErrorCode } from "./postgres-errors.js";

/**
 * Queries and transactions on the pool. Every statement is named, so pg prepares it once per
 * connection and afterwards sends only its parameters.
 */

/** Something that runs queries: the pool (one statement, autocommit) or a client in a transaction. */
export type Queryable = Pick<PoolClient, "query">;

/** A named statement: its SQL is fixed, so it can be prepared once per connection. */
export interface Statement {
  name: string;
  text: string;
}

export function statement(name: string, text: string): Statement {
  return { name, text };
}

/** A parameter as the store sends it: JSON columns are sent as JSON text, never as objects. */
export type QueryValue = string | number | boolean | null | ReadonlyArray<string | number | boolean | null>;

/** The rows of a statement, `unknown` until a codec parses them. */
export async function queryRows(queryable: Queryable, query: Statement, values: ReadonlyArray<QueryValue>): Promise<unknown[]> {
  const config: QueryConfig = { name: query.name, text: query.text, values: [...values] };
  const result = await queryable.query(config);
  return result.rows as unknown[];
}

/** How many rows a statement changed. */
export async function queryCount(queryable: Queryable, query: Statement, values: ReadonlyArray<QueryValue>): Promise<number> {
  const config: QueryConfig = { name: query.name, text: query.text, values: [...values] };
  const result = await queryable.query(config);
  return result.rowCount ?? 0;
}

/** SQLSTATEs after which the whole transaction may simply run again. */
const RETRYABLE_STATES = new Set(["40P01", "40001"]);
const MAX_ATTEMPTS = 3;

/**
 * Run `work` in one transaction (READ COMMITTED) on a client of its own. Every write path locks
 * the run's row first, so they queue rather than deadlock; a deadlock or serialization failure
 * the server reports anyway (an event list spanning runs) runs the transaction again, from the
 * start, at most three times. Any other error rolls back and is thrown.
 */
export async function inTransaction<Result>(pool: Pool, work: (client: PoolClient) => Promise<Result>): Promise<Result> {
  for (let attempt = 1; ; attempt += 1) {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await client.query("BEGIN");
      const result = await work(client);
      await client.query("COMMIT");
      return result;
    } catch (error) {
      try {
        await client.query("ROLLBACK");
      } catch (rollbackError) {
        // The connection is gone or confused: the pool must not hand it out again.
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      }
      if (broken === undefined && attempt < MAX_ATTEMPTS && RETRYABLE_STATES.has(postgresErrorCode(error))) continue;
      throw error;
    } finally {
      client.release(broken);
    }
  }
}

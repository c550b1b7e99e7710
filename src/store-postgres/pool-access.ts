import type { Pool, PoolClient } from "pg";
import { toPostgresStoreError } from "./postgres-errors.js";
import { inTransaction, queryCount, queryRows, type QueryValue, type Statement } from "./transactions.js";

/**
 * The pool as the ledger, alert, intent and retention adapters use it: one statement on a pooled
 * connection, or one transaction, with pg's connection and access errors turned into the
 * BatonErrors of postgres-errors.ts (naming the database without its password). `url` is for
 * those messages only.
 */
export class PoolAccess {
  constructor(
    readonly pool: Pool,
    readonly url: string,
  ) {}

  rows(query: Statement, values: ReadonlyArray<QueryValue>): Promise<unknown[]> {
    return this.guard(() => queryRows(this.pool, query, values));
  }

  count(query: Statement, values: ReadonlyArray<QueryValue>): Promise<number> {
    return this.guard(() => queryCount(this.pool, query, values));
  }

  transaction<Result>(work: (client: PoolClient) => Promise<Result>): Promise<Result> {
    return this.guard(() => inTransaction(this.pool, work));
  }

  /** Runs the work and translates a pg error (unreachable, access denied) into a BatonError. */
  async guard<Result>(work: () => Promise<Result>): Promise<Result> {
    try {
      return await work();
    } catch (error) {
      throw toPostgresStoreError(error, this.url);
    }
  }
}

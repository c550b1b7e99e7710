import type Database from "better-sqlite3";

/** One step of the schema (see ../migrations.ts). Never edit a released one: add the next. */
export interface Migration {
  version: number;
  description: string;
  sql: string;
  /** Moves data the SQL cannot (compressed JSON columns), in the same transaction, after `sql`. */
  migrateData?: (database: Database.Database) => void;
}

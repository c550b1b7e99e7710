/** One step of the PostgreSQL schema (see ../postgres-migrations.ts). Never edit a released one: add the next. */
export interface PostgresMigration {
  version: number;
  description: string;
  /** Run in the migrating transaction; may hold several statements (no parameters). */
  sql: string;
}

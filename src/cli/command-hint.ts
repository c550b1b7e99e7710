import type { Config } from "../config.js";
import { describeLocation } from "../database-settings.js";

/**
 * A `baton ...` command line to suggest to the user, naming the database when it is not the
 * default one (the demo's, or one set with BATON_DB), so pasting it acts on the same runs. A
 * PostgreSQL URL is shown without its password (pg reads PGPASSWORD when the URL has none).
 */
export type CommandHint = (args: string) => string;

/** `invocation` is how the user ran baton: `baton`, or `npm run baton --` from a clone. */
export function commandHint(config: Pick<Config, "database" | "databaseSource">, invocation: string): CommandHint {
  const prefix = config.databaseSource === "BATON_DB" ? `BATON_DB=${describeLocation(config.database)} ` : "";
  return (args) => `${prefix}${invocation} ${args}`;
}

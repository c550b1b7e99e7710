import type { Config } from "../config.js";

/**
 * A `baton ...` command line to suggest to the user, naming the database when it is not the
 * default one (the demo's, or one set with BATON_DB), so pasting it acts on the same runs.
 */
export type CommandHint = (args: string) => string;

/** `invocation` is how the user ran baton: `baton`, or `npm run baton --` from a clone. */
export function commandHint(config: Pick<Config, "databasePath" | "databaseIsDefault">, invocation: string): CommandHint {
  const prefix = config.databaseIsDefault ? "" : `BATON_DB=${config.databasePath} `;
  return (args) => `${prefix}${invocation} ${args}`;
}

import { DEFAULT_DATABASE_PATH } from "../config.js";

/**
 * A `baton ...` command line to suggest to the user, naming the database when it is not the
 * default one (the demo's, or one set with BATON_DB), so pasting it acts on the same runs.
 */
export type CommandHint = (args: string) => string;

/** `invocation` is how the user ran baton: `baton`, or `npm run baton --` from a clone. */
export function commandHint(databasePath: string, invocation: string): CommandHint {
  const prefix = databasePath === DEFAULT_DATABASE_PATH ? "" : `BATON_DB=${databasePath} `;
  return (args) => `${prefix}${invocation} ${args}`;
}

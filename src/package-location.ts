import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, join } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";

/**
 * Where baton's own files are, wherever it is installed (a clone, `npm install -g`, a project's
 * node_modules), and where its data goes by default. Found from this file's location, never from
 * the working directory: a command must not depend on the folder the user stands in.
 * (`bin/build-sources.js` keeps `import.meta.url` naming the source file in compiled code.)
 */

/** The folder holding baton's package.json. */
export const PACKAGE_ROOT = fileURLToPath(new URL("../", import.meta.url));

/** The chains that ship with baton: always loaded, whatever BATON_CHAINS_DIR says. */
export const SHIPPED_CHAINS_DIRECTORY = join(PACKAGE_ROOT, "chains");

/** baton's version, from its package.json. */
export function packageVersion(): string {
  const parsed = z.object({ version: z.string() }).safeParse(JSON.parse(readFileSync(join(PACKAGE_ROOT, "package.json"), "utf8")) as unknown);
  return parsed.success ? parsed.data.version : "unknown";
}

/**
 * Where the database goes when BATON_DB is not set:
 * - in a git clone of baton (a contributor's checkout, `npm link`, `npm install -g .`, which
 *   links the clone), `data/baton.db` inside the clone, where the README and `npm run demo`
 *   have always put it;
 * - anywhere else (installed from the registry or a tarball), the user's data folder by the XDG
 *   base directory rules: `$XDG_DATA_HOME/baton/baton.db`, else `~/.local/share/baton/baton.db`.
 *   The install folder may be read-only and is replaced on upgrade, and the working directory
 *   changes from one command to the next: neither is a place for runs that must outlive both.
 */
export function defaultDataDirectory(environment: Readonly<Record<string, string | undefined>>, packageRoot = PACKAGE_ROOT): string {
  if (existsSync(join(packageRoot, ".git"))) return join(packageRoot, "data");
  const dataHome = environment["XDG_DATA_HOME"];
  // The XDG rules say a relative XDG_DATA_HOME is invalid and must be ignored.
  const base = dataHome !== undefined && isAbsolute(dataHome) ? dataHome : join(environment["HOME"] || homedir(), ".local", "share");
  return join(base, "baton");
}

/** The default database file (see `defaultDataDirectory`). */
export function defaultDatabasePath(environment: Readonly<Record<string, string | undefined>>, packageRoot = PACKAGE_ROOT): string {
  return join(defaultDataDirectory(environment, packageRoot), "baton.db");
}

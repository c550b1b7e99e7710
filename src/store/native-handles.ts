import type Database from "better-sqlite3";

/**
 * Why baton never lets better-sqlite3 objects be garbage-collected.
 *
 * better-sqlite3 12 (the last line whose `engines` include Node 20) builds its Database and
 * Statement objects on Node's raw `node::ObjectWrap`. From Node 24.19, destroying such an object
 * from a garbage collection that runs outside JavaScript (an idle GC, process teardown) aborts
 * the whole process on a CHECK in `RemoveEnvironmentCleanupHook` (WiseLibs/better-sqlite3#1515;
 * better-sqlite3 13 fixes it but needs Node 22). We saw it here: CLI processes and test workers
 * on Node 24 died with SIGABRT at random points after closing a database.
 *
 * An object that is never collected is never destroyed that way. The store prepares a fixed set
 * of statements per connection and opens one connection per process, so keeping every handle
 * reachable for the life of the process costs a few kilobytes. `pragma()` normally prepares a
 * throw-away statement on each call; it is routed through the kept `prepare` as well.
 */
const keptAlive: object[] = [];

function keepAlive<Handle extends object>(handle: Handle): Handle {
  keptAlive.push(handle);
  return handle;
}

type PragmaOptions = { simple?: boolean };

export function keepHandlesAlive(database: Database.Database): Database.Database {
  keepAlive(database);
  const prepare = database.prepare.bind(database);
  const keptPrepare = (source: string): Database.Statement => keepAlive(prepare(source));
  database.prepare = keptPrepare as Database.Database["prepare"];
  const keptPragma = (source: string, options: PragmaOptions = {}): unknown => {
    const statement = keptPrepare(`PRAGMA ${source}`);
    if (!statement.reader) {
      statement.run();
      return options.simple ? undefined : [];
    }
    return options.simple ? statement.pluck().get() : statement.all();
  };
  database.pragma = keptPragma as Database.Database["pragma"];
  return database;
}

/** How many handles are being kept (for tests and diagnostics). */
export function keptHandleCount(): number {
  return keptAlive.length;
}

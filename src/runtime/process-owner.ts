import { randomBytes } from "node:crypto";
import { hostname } from "node:os";

/**
 * Lease owner ids name the host and process (`host:pid:random`), so a new process on the same
 * host can tell at once that the process holding a run is dead and take the run over, instead
 * of waiting for the lease to expire.
 */
export function createOwnerId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
}

export function isOwnerAlive(owner: string): boolean {
  const [host, pidText] = owner.split(":");
  const pid = Number(pidText);
  // Another host's process cannot be checked from here: trust its lease until it expires.
  if (host !== hostname() || !Number.isInteger(pid) || pid <= 0) return true;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM means the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

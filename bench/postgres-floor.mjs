// What a commit and a round trip cost on the server while the engines run: the two things
// both engines' per-step figures are made of, besides their own CPU time.

import { performance } from "node:perf_hooks";
import { timedChains } from "./lockstep.mjs";
import { benchPool, createBenchDatabase } from "./postgres-databases.mjs";

/**
 * On a new database: n one-row INSERTs sent outside a transaction block (each one round trip
 * and one durable commit) and n `SELECT 1` (one round trip, nothing to flush), taken in turns
 * like the engines' chains (in lock-step, both scripts sample the same minutes). Microseconds
 * each, as means.
 */
export async function commitAndRoundTripFloor(label, n) {
  const database = await createBenchDatabase(`${label}_floor`);
  const pool = benchPool(database.url);
  try {
    await pool.query("CREATE TABLE bench_floor (id bigserial PRIMARY KEY, payload text NOT NULL)");
    const insert = { name: "bench_floor_insert", text: "INSERT INTO bench_floor (payload) VALUES ($1)" };
    const select = { name: "bench_floor_select", text: "SELECT 1" };
    // Prepared on the connections first, so the figures are of prepared statements, as the engines' are.
    for (let i = 0; i < 20; i += 1) {
      await pool.query({ ...insert, values: [`warm-up ${i}`] });
      await pool.query(select);
    }
    let commitMs = 0;
    let roundTripMs = 0;
    await timedChains(n, "floor", async (i) => {
      const t0 = performance.now();
      await pool.query({ ...insert, values: [`row ${i} ${"x".repeat(200)}`] });
      const t1 = performance.now();
      await pool.query(select);
      commitMs += t1 - t0;
      roundTripMs += performance.now() - t1;
    });
    return { n, commit_us: Math.round((commitMs * 1000) / n), round_trip_us: Math.round((roundTripMs * 1000) / n) };
  } finally {
    await pool.end();
    await database.drop();
  }
}

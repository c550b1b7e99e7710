import { randomBytes } from "node:crypto";
import type { IdGenerator } from "../core/ports.js";

/**
 * Ids that sort by creation time (base-36 milliseconds, then a per-process counter, then
 * randomness): rows keyed by them append at the end of SQLite's B-trees instead of splitting
 * pages, and `ls`-style listings come out in order. Example: `r_mhx3k2a1-0001-7fq2`.
 */
export class TimeOrderedIds implements IdGenerator {
  #lastTime = 0;
  #counter = 0;
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  next(prefix: string): string {
    const time = this.#now();
    if (time === this.#lastTime) this.#counter += 1;
    else {
      this.#lastTime = time;
      this.#counter = 0;
    }
    const random = randomBytes(3).toString("hex");
    return `${prefix}${time.toString(36).padStart(9, "0")}-${this.#counter.toString(36).padStart(3, "0")}-${random}`;
  }
}

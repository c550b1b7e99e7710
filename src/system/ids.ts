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

  // One call into the crypto module per 1365 ids instead of one per id: it was a visible
  // share of starting a run.
  #pool = Buffer.alloc(0);
  #poolOffset = 0;

  #randomHex(): string {
    if (this.#poolOffset + 3 > this.#pool.length) {
      this.#pool = randomBytes(4095);
      this.#poolOffset = 0;
    }
    const hex = this.#pool.toString("hex", this.#poolOffset, this.#poolOffset + 3);
    this.#poolOffset += 3;
    return hex;
  }

  next(prefix: string): string {
    const time = this.#now();
    if (time === this.#lastTime) this.#counter += 1;
    else {
      this.#lastTime = time;
      this.#counter = 0;
    }
    const random = this.#randomHex();
    return `${prefix}${time.toString(36).padStart(9, "0")}-${this.#counter.toString(36).padStart(3, "0")}-${random}`;
  }
}

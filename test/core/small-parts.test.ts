import { describe, expect, it } from "vitest";
import { diffJson } from "../../src/core/json-diff.js";
import { costOf, DEFAULT_PRICES, findPrice } from "../../src/core/pricing.js";
import { Semaphore } from "../../src/core/semaphore.js";
import { formatPath } from "../../src/core/validation.js";

describe("diffJson", () => {
  it("lists changed, added and removed values by path", () => {
    const before = { title: "a", steps: ["x", "y"], meta: { risk: "low", owner: "me" } };
    const after = { title: "b", steps: ["x"], meta: { risk: "low", owner: "me", extra: true } };
    expect(diffJson(before, after)).toEqual([
      { path: "title", before: "a", after: "b" },
      { path: "steps[1]", before: "y", after: undefined },
      { path: "meta.extra", before: undefined, after: true },
    ]);
    expect(diffJson(before, structuredClone(before))).toEqual([]);
    expect(diffJson(1, "1")).toEqual([{ path: "(root)", before: 1, after: "1" }]);
  });
});

describe("formatPath", () => {
  it("reads like code", () => {
    expect(formatPath(["steps", 2, "command"])).toBe("steps[2].command");
    expect(formatPath([])).toBe("(root)");
  });
});

describe("pricing", () => {
  it("prices by exact id, then by the longest matching prefix, and says when a model is unknown", () => {
    expect(findPrice(DEFAULT_PRICES, "gpt-4o-mini-2024-07-18")).toEqual(DEFAULT_PRICES["gpt-4o-mini"]);
    expect(costOf(DEFAULT_PRICES, "gpt-4o", { inputTokens: 1_000_000, outputTokens: 1_000_000 })).toEqual({ usd: 12.5, priced: true });
    expect(costOf(DEFAULT_PRICES, "llama3.1", { inputTokens: 5, outputTokens: 5 })).toEqual({ usd: 0, priced: false });
  });
});

describe("Semaphore", () => {
  it("never runs more than its limit and hands slots over in order", async () => {
    const semaphore = new Semaphore(2);
    let active = 0;
    let peak = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 6 }, (_, index) =>
        semaphore.run(async () => {
          active += 1;
          peak = Math.max(peak, active);
          await new Promise((resolve) => setTimeout(resolve, 5));
          order.push(index);
          active -= 1;
        }),
      ),
    );
    expect(peak).toBe(2);
    expect(order).toHaveLength(6);
    expect(semaphore.active).toBe(0);
  });

  it("frees the slot when a task throws", async () => {
    const semaphore = new Semaphore(1);
    await expect(semaphore.run(async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    await expect(semaphore.run(async () => "ok")).resolves.toBe("ok");
  });
});

import { describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";
import { defineChain } from "../../src/core/chain-builder.js";
import { durationToMs } from "../../src/core/duration.js";
import { isBatonError } from "../../src/core/errors.js";

describe("defineChain", () => {
  const input = z.object({ text: z.string() });

  it("keeps the steps in order with their kinds and erases string system prompts to functions", () => {
    const chain = defineChain({ id: "demo", description: "d", input })
      .llm("first", { system: "be brief", user: ({ input: value }) => value.text, output: z.object({ a: z.string() }) })
      .action("second", { run: async ({ outputs }) => ({ length: outputs.first.a.length }) })
      .build();
    expect(chain.definition.steps.map((step) => [step.id, step.kind])).toEqual([
      ["first", "llm"],
      ["second", "action"],
    ]);
    const first = chain.definition.steps[0];
    expect(first?.kind === "llm" && first.system({ input: { text: "" }, outputs: {}, run: { id: "r", chainId: "demo", startedBy: "x" }, feedback: [] })).toBe(
      "be brief",
    );
    expect(chain.definition.approvalDeadline).toBe("24h");
  });

  it("types each step's context with the outputs before it (skippable ones may be undefined)", () => {
    defineChain({ id: "typed", description: "d", input })
      .llm("first", { system: "s", user: () => "u", output: z.object({ count: z.number() }) })
      .llm("maybe", { system: "s", user: () => "u", output: z.object({ flag: z.boolean() }), skipIf: () => true })
      .action("last", {
        run: async ({ input: value, outputs }) => {
          expectTypeOf(value.text).toEqualTypeOf<string>();
          expectTypeOf(outputs.first.count).toEqualTypeOf<number>();
          expectTypeOf(outputs.maybe).toEqualTypeOf<{ flag: boolean } | undefined>();
          return null;
        },
      })
      .build();
  });

  it.each([
    ["an invalid chain id", () => defineChain({ id: "Bad Id", description: "d", input })],
    ["an invalid step id", () => defineChain({ id: "ok", description: "d", input }).action("Step One", { run: async () => null })],
    [
      "two steps with one id",
      () =>
        defineChain({ id: "ok", description: "d", input })
          .action("same", { run: async () => null })
          .action("same", { run: async () => null }),
    ],
    ["no steps", () => defineChain({ id: "ok", description: "d", input }).build()],
  ])("refuses %s with CHAIN_INVALID and a fix", (_, build) => {
    try {
      build();
      expect.unreachable();
    } catch (error) {
      expect(isBatonError(error, "CHAIN_INVALID")).toBe(true);
    }
  });
});

describe("durationToMs", () => {
  it.each([
    [1500, 1500],
    ["90s", 90_000],
    ["30m", 1_800_000],
    ["4h", 14_400_000],
    ["2d", 172_800_000],
  ] as const)("%s is %d ms", (duration, expected) => {
    expect(durationToMs(duration)).toBe(expected);
  });

  it("explains a bad duration", () => {
    expect(() => durationToMs("soon" as "1h")).toThrow(/number followed by s, m, h or d/);
  });
});

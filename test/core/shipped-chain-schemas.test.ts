import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { LlmStep } from "../../src/core/chain.js";
import { compileOutputSchema } from "../../src/core/response-schema.js";
import { loadChains } from "../../src/runtime/load-chains.js";
import { strictSchemaRefusal } from "../support/openai-strict-schema-rules.js";

const CHAINS_DIRECTORY = fileURLToPath(new URL("../../chains", import.meta.url));

/** Every model step of every shipped chain, map steps' item steps included. */
async function shippedModelSteps(): Promise<Array<{ chainId: string; step: LlmStep }>> {
  const { chains } = await loadChains({ shipped: CHAINS_DIRECTORY, user: [] });
  return chains.flatMap((chain) =>
    chain.definition.steps.flatMap((step) => {
      if (step.kind === "llm") return [{ chainId: chain.definition.id, step }];
      if (step.kind === "map") return [{ chainId: chain.definition.id, step: step.itemStep(undefined, 0) }];
      return [];
    }),
  );
}

describe("the shipped chains' output schemas against OpenAI's strict subset", () => {
  it("every model step is sent strict, and the strict fake accepts every one", async () => {
    const steps = await shippedModelSteps();
    expect(steps.map(({ chainId, step }) => `${chainId}.${step.id}`)).toEqual(
      expect.arrayContaining(["solution-brief.cost-estimate", "incident-response.classify", "iac-review.review", "rfp-response.extract"]),
    );
    for (const { chainId, step } of steps) {
      const { responseSchema } = compileOutputSchema(step.id, step.output);
      expect({ step: `${chainId}.${step.id}`, strict: responseSchema.strict, reason: responseSchema.notStrictReason }).toEqual({
        step: `${chainId}.${step.id}`,
        strict: true,
        reason: undefined,
      });
      expect({ step: `${chainId}.${step.id}`, refusal: strictSchemaRefusal(responseSchema.name, responseSchema.schema) }).toEqual({
        step: `${chainId}.${step.id}`,
        refusal: undefined,
      });
    }
  });
});

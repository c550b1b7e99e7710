import { readFileSync } from "node:fs";
import type { FakeReply } from "./fake-openai-server.js";
import { createFakeRfpModel } from "./fake-rfp-model.js";

/**
 * A model for the shipped chains on their example inputs, for the fake OpenAI server: each step
 * is answered with the example answer in the chain's `examples.json` (the RFP chain's with the
 * careful fake RFP model, whose answers follow the document it is given), whatever response mode
 * the request came in. The step is found by the response format's name or, in the prompt-only
 * modes, by the schema name the instruction carries.
 */
export const SHIPPED_CHAINS = ["solution-brief", "incident-response", "iac-review", "rfp-response"] as const;
export type ShippedChain = (typeof SHIPPED_CHAINS)[number];

export function exampleInputOf(chain: ShippedChain): unknown {
  return JSON.parse(readFileSync(new URL(`../../chains/${chain}/example-input.json`, import.meta.url), "utf8"));
}

/** The step a Chat Completions request body asks for. */
export function stepAskedFor(body: unknown): string | undefined {
  const request = body as { response_format?: { json_schema?: { name?: unknown } }; messages?: Array<{ role?: unknown; content?: unknown }> };
  const named = request.response_format?.json_schema?.name;
  if (typeof named === "string") return named;
  const system = request.messages?.find((message) => message.role === "system")?.content;
  return typeof system === "string" ? /JSON Schema \(named "([^"]+)"\)/.exec(system)?.[1] : undefined;
}

export function shippedChainModel(chain: ShippedChain): { reply(body: unknown): FakeReply; asked: string[] } {
  const asked: string[] = [];
  if (chain === "rfp-response") {
    const rfp = createFakeRfpModel();
    return {
      asked,
      reply(body) {
        asked.push(stepAskedFor(body) ?? "?");
        return rfp.reply(body);
      },
    };
  }
  const examples = JSON.parse(readFileSync(new URL(`../../chains/${chain}/examples.json`, import.meta.url), "utf8")) as Record<string, unknown>;
  return {
    asked,
    reply(body) {
      const step = stepAskedFor(body);
      asked.push(step ?? "?");
      const example = step === undefined ? undefined : examples[step];
      // An example list shows a re-ask: its last entry is the good answer.
      const value: unknown = Array.isArray(example) ? example.at(-1) : example;
      if (value === undefined)
        return {
          kind: "status",
          status: 500,
          headers: { "x-should-retry": "false" },
          body: { error: { message: `shipped chain model: no example answer for step ${String(step)} of ${chain}` } },
        };
      return { kind: "json", value };
    },
  };
}

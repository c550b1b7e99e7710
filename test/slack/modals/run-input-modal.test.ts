import { describe, expect, it } from "vitest";
import { z } from "zod";
import { SolutionBriefInput } from "../../../chains/solution-brief/schemas.js";
import { buildRunInputModal, parseRunInputMetadata, readRunInput, RUN_CALLBACK_ID, singleTextField } from "../../../src/slack/modals/run-input-modal.js";
import { inputBlock, inputBlocks, stateValues, typed } from "./state-values.js";

describe("buildRunInputModal", () => {
  it("is a form of the chain's input that carries only the chain and channel", () => {
    const view = buildRunInputModal({ chainId: "solution-brief", chainTitle: "Solution brief", schema: SolutionBriefInput, channelId: "C0123" });
    expect(view.callback_id).toBe(RUN_CALLBACK_ID);
    expect(RUN_CALLBACK_ID).toBe("baton.run_submit");
    expect(JSON.parse(view.private_metadata ?? "")).toEqual({ chainId: "solution-brief", channelId: "C0123" });
    expect(parseRunInputMetadata(view.private_metadata ?? "")).toEqual({ ok: true, value: { chainId: "solution-brief", channelId: "C0123" } });
    expect(view.title.text).toBe("Run Solution brief");
    expect(inputBlocks(view.blocks).map((block) => [block.block_id, block.optional])).toEqual([
      ["request", false],
      ["customer", true],
    ]);
  });

  it("starts from a prefill, and reads the submitted input checked by the schema", () => {
    const view = buildRunInputModal({
      chainId: "solution-brief",
      chainTitle: "Solution brief",
      schema: SolutionBriefInput,
      channelId: "C0123",
      prefill: { request: "Move Nordwind's tracking API to the cloud" },
    });
    expect(inputBlock(view.blocks, "request").element).toMatchObject({ initial_value: "Move Nordwind's tracking API to the cloud" });
    expect(readRunInput(SolutionBriefInput, stateValues(view.blocks))).toEqual({ ok: true, value: { request: "Move Nordwind's tracking API to the cloud" } });
    expect(readRunInput(SolutionBriefInput, stateValues(view.blocks, { request: typed("short") }))).toEqual({
      ok: false,
      errors: { request: "Describe the request in at least 20 characters: who the customer is and what they need" },
    });
  });

  it("leaves out a prefill too long for a text box instead of a field", () => {
    const view = buildRunInputModal({ chainId: "c", chainTitle: "C", schema: SolutionBriefInput, channelId: "C1", prefill: { request: "r".repeat(4000) } });
    expect(inputBlock(view.blocks, "request").element).not.toHaveProperty("initial_value");
  });

  it("cuts a long chain title to 24 characters", () => {
    const view = buildRunInputModal({ chainId: "c", chainTitle: "Infrastructure-as-code review", schema: SolutionBriefInput, channelId: "C1" });
    expect(view.title.text.length).toBeLessThanOrEqual(24);
  });
});

describe("singleTextField", () => {
  it("names the one required string field", () => {
    expect(singleTextField(SolutionBriefInput)).toBe("request");
    expect(singleTextField(z.object({ alert: z.string() }))).toBe("alert");
  });

  it("is undefined when text alone cannot be the input", () => {
    expect(singleTextField(z.object({ a: z.string(), b: z.string() }))).toBeUndefined();
    expect(singleTextField(z.object({ count: z.number() }))).toBeUndefined();
    expect(singleTextField(z.object({ level: z.enum(["low", "high"]) }))).toBeUndefined();
    expect(singleTextField(z.string())).toBeUndefined();
  });
});

describe("parseRunInputMetadata", () => {
  it("refuses anything but the chain and channel", () => {
    expect(parseRunInputMetadata("solution-brief").ok).toBe(false);
    expect(parseRunInputMetadata('{"chainId":"c"}').ok).toBe(false);
  });
});

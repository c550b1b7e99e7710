import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { Architecture, BusinessSummary, CostEstimate, Requirements, SolutionBriefInput } from "../../../chains/solution-brief/schemas.js";
import { isBatonError } from "../../../src/core/errors.js";
import { buildFormBlocks, readFormValues } from "../../../src/slack/modals/schema-form.js";
import { checked, inputBlock, inputBlocks, selected, stateValues, typed, typedNumber } from "./state-values.js";

const examples = z.record(z.string(), z.unknown()).parse(JSON.parse(readFileSync("chains/solution-brief/examples.json", "utf8")));

/** A schema with one field of every kind the form knows, like the ones chains use. */
const Triage = z.object({
  title: z.string().min(5).max(120).describe("One line for the incident channel"),
  details: z.string(),
  severity: z.enum(["sev1", "sev2", "sev3"]),
  customerImpact: z.boolean(),
  affectedUsers: z.number().int().nonnegative(),
  errorRate: z.number().min(0).max(1),
  steps: z.array(z.string()).min(1),
  owner: z.object({ team: z.string(), handle: z.string() }),
  runbook: z.string().url().optional(),
  ticket: z.string().nullable(),
  notifyStatusPage: z.boolean().default(false),
});

const triage = {
  title: "Checkout latency above SLO",
  details: "p99 latency on /checkout is 4.2s since the 14:05 deploy.\nRollback is being prepared.",
  severity: "sev2",
  customerImpact: true,
  affectedUsers: 1200,
  errorRate: 0.04,
  steps: ["Roll back deploy 5321", "Watch p99 for 15 minutes"],
  owner: { team: "payments", handle: "@payments-oncall" },
  runbook: "https://runbooks.example.com/checkout",
  ticket: null,
  notifyStatusPage: false,
};

describe("buildFormBlocks", () => {
  it("builds one input block per field, with the element that suits each type, prefilled", () => {
    const { blocks, notEditable } = buildFormBlocks(Triage, triage);
    expect(notEditable).toEqual([]);
    expect(inputBlocks(blocks).map((block) => block.block_id)).toEqual(Object.keys(Triage.shape));

    const title = inputBlock(blocks, "title");
    expect(title.label.text).toBe("Title");
    expect(title.hint?.text).toBe("One line for the incident channel");
    expect(title.optional).toBe(false);
    expect(title.element).toMatchObject({ type: "plain_text_input", action_id: "value", initial_value: triage.title, multiline: false, max_length: 120 });

    // A line break makes a text box multi-line; a string without min length may be blank.
    expect(inputBlock(blocks, "details").element).toMatchObject({ type: "plain_text_input", multiline: true, max_length: 3000, initial_value: triage.details });
    expect(inputBlock(blocks, "details").optional).toBe(true);

    const severity = inputBlock(blocks, "severity").element;
    expect(severity.type).toBe("static_select");
    if (severity.type !== "static_select") return;
    expect(severity.options?.map((option) => option.value)).toEqual(["sev1", "sev2", "sev3"]);
    expect(severity.initial_option).toEqual(severity.options?.[1]);

    const impact = inputBlock(blocks, "customerImpact");
    expect(impact.label.text).toBe("Customer impact");
    expect(impact.optional).toBe(true);
    expect(impact.element).toMatchObject({ type: "checkboxes", options: [{ value: "true" }], initial_options: [{ value: "true" }] });

    expect(inputBlock(blocks, "affectedUsers").element).toEqual({
      type: "number_input",
      action_id: "value",
      is_decimal_allowed: false,
      initial_value: "1200",
      min_value: "0",
    });
    expect(inputBlock(blocks, "errorRate").element).toEqual({
      type: "number_input",
      action_id: "value",
      is_decimal_allowed: true,
      initial_value: "0.04",
      min_value: "0",
      max_value: "1",
    });

    const steps = inputBlock(blocks, "steps");
    expect(steps.element).toMatchObject({ type: "plain_text_input", multiline: true, initial_value: "Roll back deploy 5321\nWatch p99 for 15 minutes" });
    expect(steps.hint?.text).toBe("One item per line.");
    expect(steps.optional).toBe(false);

    const owner = inputBlock(blocks, "owner");
    expect(owner.hint?.text).toBe("JSON");
    expect(owner.element).toMatchObject({ type: "plain_text_input", multiline: true, initial_value: JSON.stringify(triage.owner, null, 2) });

    expect(inputBlock(blocks, "runbook").optional).toBe(true);
    expect(inputBlock(blocks, "ticket").optional).toBe(true);
    expect(inputBlock(blocks, "ticket").element).not.toHaveProperty("initial_value");
    expect(inputBlock(blocks, "notifyStatusPage").optional).toBe(true);
    expect(inputBlock(blocks, "notifyStatusPage").element).not.toHaveProperty("initial_options");
  });

  it("builds the solution-brief business summary form from the chain's schema and example", () => {
    const proposal = BusinessSummary.parse(examples["business-summary"]);
    const { blocks } = buildFormBlocks(BusinessSummary, proposal, { blockIdPrefix: "field." });
    expect(inputBlocks(blocks).map((block) => block.block_id)).toEqual(Object.keys(BusinessSummary.shape).map((name) => `field.${name}`));
    expect(inputBlock(blocks, "field.title").element).toMatchObject({ type: "plain_text_input", max_length: 120, initial_value: proposal.title });
    expect(inputBlock(blocks, "field.executiveSummary").element).toMatchObject({ multiline: true });
    expect(inputBlock(blocks, "field.executiveSummary").hint?.text).toBe("Three to five sentences for a non-technical decision maker");
    expect(inputBlock(blocks, "field.keyBenefits").element).toMatchObject({ initial_value: proposal.keyBenefits.join("\n") });
    expect(inputBlock(blocks, "field.recommendation").element).toMatchObject({ type: "static_select", initial_option: { value: proposal.recommendation } });
  });

  it("shows arrays of objects and nested objects as JSON, and humanizes labels", () => {
    const proposal = CostEstimate.parse(examples["cost-estimate"]);
    const { blocks } = buildFormBlocks(CostEstimate, proposal);
    expect(inputBlock(blocks, "lineItems").hint?.text).toBe("JSON");
    expect(inputBlock(blocks, "monthlyTotalLow").label.text).toBe("Monthly total low");
    expect(inputBlock(blocks, "currency").hint?.text).toBe("ISO 4217 code");
  });

  it("cuts enum option text to 75 characters but keeps the value", () => {
    const long = `${"a".repeat(100)}`;
    const { blocks } = buildFormBlocks(z.object({ choice: z.enum([long, "short"]) }), { choice: long });
    const element = inputBlock(blocks, "choice").element;
    if (element.type !== "static_select") throw new Error("expected a select");
    expect(element.options?.[0]?.text.text.length).toBe(75);
    expect(element.initial_option?.value).toBe(long);
  });

  it("leaves values over 3000 characters out of the form and names them in notEditable", () => {
    const proposal = { ...triage, details: "x".repeat(3001) };
    const { blocks, notEditable } = buildFormBlocks(Triage, proposal);
    expect(notEditable).toEqual(["details"]);
    expect(inputBlocks(blocks).map((block) => block.block_id)).not.toContain("details");
    for (const block of inputBlocks(blocks)) {
      if (block.element.type === "plain_text_input") expect(block.element.initial_value?.length ?? 0).toBeLessThanOrEqual(3000);
    }
  });

  it("keeps to 96 fields so that a modal with its notes stays within 100 blocks", () => {
    const shape = Object.fromEntries(Array.from({ length: 120 }, (_, index) => [`field${index}`, z.string()]));
    const value = Object.fromEntries(Object.keys(shape).map((name) => [name, name]));
    const { blocks, notEditable } = buildFormBlocks(z.object(shape), value);
    expect(blocks.length).toBe(96);
    expect(notEditable).toHaveLength(24);
    expect(notEditable[0]).toBe("field96");
  });

  it("edits a non-object schema as one JSON field", () => {
    const schema = z.array(z.object({ id: z.string() }));
    const { blocks } = buildFormBlocks(schema, [{ id: "a" }]);
    expect(blocks).toHaveLength(1);
    expect(inputBlock(blocks, "value").element).toMatchObject({ initial_value: JSON.stringify([{ id: "a" }], null, 2) });
  });

  it("throws CHAIN_INVALID for a schema JSON cannot describe", () => {
    expect(() => buildFormBlocks(z.object({ when: z.date() }), {})).toThrow(expect.objectContaining({ code: "CHAIN_INVALID" }));
    try {
      buildFormBlocks(z.object({ when: z.date() }), {});
    } catch (error) {
      expect(isBatonError(error, "CHAIN_INVALID")).toBe(true);
      expect(String(error)).toContain("z.iso.datetime()");
    }
  });
});

describe("readFormValues", () => {
  it("returns the original value when the form is submitted unchanged", () => {
    const { blocks } = buildFormBlocks(Triage, triage);
    expect(readFormValues(Triage, stateValues(blocks), triage)).toEqual({ ok: true, value: triage });
  });

  it.each([
    ["requirements", Requirements],
    ["architecture", Architecture],
    ["cost-estimate", CostEstimate],
    ["business-summary", BusinessSummary],
  ] as const)("round-trips the solution-brief %s example unchanged", (step, schema) => {
    const proposal = schema.parse(examples[step]);
    const { blocks } = buildFormBlocks(schema, proposal, { blockIdPrefix: "f:" });
    expect(readFormValues(schema, stateValues(blocks), proposal, { blockIdPrefix: "f:" })).toEqual({ ok: true, value: proposal });
  });

  it("reads edits back: numbers, choices, boxes, lines and JSON", () => {
    const { blocks } = buildFormBlocks(Triage, triage);
    const state = stateValues(blocks, {
      severity: selected("sev1"),
      customerImpact: checked(false),
      affectedUsers: typedNumber("1500"),
      errorRate: typedNumber("0.5"),
      steps: typed("  Roll back deploy 5321\n\n  Page the payments lead  \n"),
      owner: typed('{"team":"checkout","handle":"@checkout"}'),
      runbook: typed(null),
      ticket: typed("INC-42"),
      notifyStatusPage: checked(true),
    });
    const result = readFormValues(Triage, state, triage);
    expect(result).toEqual({
      ok: true,
      value: {
        ...triage,
        severity: "sev1",
        customerImpact: false,
        affectedUsers: 1500,
        errorRate: 0.5,
        steps: ["Roll back deploy 5321", "Page the payments lead"],
        owner: { team: "checkout", handle: "@checkout" },
        ticket: "INC-42",
        notifyStatusPage: true,
        runbook: undefined,
      },
    });
    // A cleared optional field is left out, not set to "".
    if (result.ok) expect(Object.keys(result.value as object)).not.toContain("runbook");
  });

  it("turns a blank nullable field into null and a blank defaulted one into its default", () => {
    const withTicket = { ...triage, ticket: "INC-1", notifyStatusPage: true };
    const { blocks } = buildFormBlocks(Triage, withTicket);
    const result = readFormValues(Triage, stateValues(blocks, { ticket: typed(""), notifyStatusPage: checked(false) }), withTicket);
    expect(result).toEqual({ ok: true, value: { ...withTicket, ticket: null, notifyStatusPage: false } });
  });

  it("keys every problem by the block of its field, with a message that says how to fix it", () => {
    const { blocks } = buildFormBlocks(Triage, triage);
    const state = stateValues(blocks, {
      title: typed("Hi"),
      severity: selected("sev9"),
      affectedUsers: typedNumber("abc"),
      owner: typed('{"team": "payments",'),
      steps: typed("   \n"),
    });
    const result = readFormValues(Triage, state, triage);
    if (result.ok) throw new Error("expected errors");
    expect(Object.keys(result.errors).sort()).toEqual(["affectedUsers", "owner", "severity", "steps", "title"]);
    expect(result.errors.title).toBe("Use at least 5 characters (now 2).");
    expect(result.errors.severity).toBe("Choose one of: sev1, sev2, sev3.");
    expect(result.errors.affectedUsers).toBe('"abc" is not a number: enter a whole number such as 42.');
    expect(result.errors.owner).toMatch(/^Not valid JSON \(.+\)\. Check quotes, commas and brackets\.$/);
    expect(result.errors.steps).toBe("Give at least 1 item.");
    for (const message of Object.values(result.errors)) expect(message.length).toBeLessThanOrEqual(150);
  });

  it("names the place inside a JSON field and keeps a chain author's own message", () => {
    const input = { request: "Migrate our tracking API to the cloud before peak season", customer: "Nordwind" };
    const { blocks } = buildFormBlocks(SolutionBriefInput, input);
    const tooShort = readFormValues(SolutionBriefInput, stateValues(blocks, { request: typed("help") }), input);
    expect(tooShort).toEqual({ ok: false, errors: { request: "Describe the request in at least 20 characters: who the customer is and what they need" } });

    const proposal = Requirements.parse(examples.requirements);
    const form = buildFormBlocks(Requirements, proposal);
    const functional = JSON.stringify([{ id: "FR-1", text: "Tracking API", priority: "urgent" }]);
    const result = readFormValues(Requirements, stateValues(form.blocks, { functional: typed(functional) }), proposal);
    expect(result).toEqual({ ok: false, errors: { functional: "Item 1 › priority: Choose one of: must, should, could." } });
  });

  it("reports a required field left blank", () => {
    const { blocks } = buildFormBlocks(Triage, triage);
    const result = readFormValues(Triage, stateValues(blocks, { affectedUsers: typedNumber(null), severity: selected(null) }), triage);
    expect(result).toEqual({ ok: false, errors: { affectedUsers: "Required: fill this in.", severity: "Required: choose one." } });
  });

  it("keeps fields too long for the form unchanged, and puts their problems on the first block", () => {
    const long = "x".repeat(3500);
    const proposal = { ...triage, details: long };
    const { blocks, notEditable } = buildFormBlocks(Triage, proposal);
    expect(notEditable).toEqual(["details"]);
    const edited = readFormValues(Triage, stateValues(blocks, { title: typed("Checkout latency back to normal") }), proposal);
    expect(edited).toEqual({ ok: true, value: { ...proposal, title: "Checkout latency back to normal" } });

    const Limited = Triage.extend({ details: z.string().max(3200) });
    const result = readFormValues(Limited, stateValues(buildFormBlocks(Limited, proposal).blocks), proposal);
    expect(result).toEqual({ ok: false, errors: { title: "Details (not editable here): Use at most 3200 characters (now 3500); shorten it." } });
  });

  it("puts problems with the whole value on the first block", () => {
    const Range = z.object({ low: z.number(), high: z.number() }).refine((range) => range.low <= range.high, "Low must not be above high.");
    const value = { low: 1, high: 2 };
    const { blocks } = buildFormBlocks(Range, value);
    expect(readFormValues(Range, stateValues(blocks, { low: typedNumber("5") }), value)).toEqual({ ok: false, errors: { low: "Low must not be above high." } });
  });

  it("reads a non-object schema from its one JSON field", () => {
    const schema = z.array(z.object({ id: z.string() }));
    const { blocks } = buildFormBlocks(schema, [{ id: "a" }]);
    expect(readFormValues(schema, stateValues(blocks, { value: typed('[{"id":"b"}]') }), [{ id: "a" }])).toEqual({ ok: true, value: [{ id: "b" }] });
    expect(readFormValues(schema, stateValues(blocks, { value: typed('[{"id":1}]') }), [{ id: "a" }])).toEqual({
      ok: false,
      errors: { value: "Item 1 › id: Expected string, got number." },
    });
  });

  it("shows a list that lines cannot carry as JSON, and round-trips it", () => {
    const schema = z.object({ notes: z.array(z.string()) });
    const value = { notes: ["first\nsecond", "", "  padded"] };
    const { blocks } = buildFormBlocks(schema, value);
    expect(inputBlock(blocks, "notes").hint?.text).toBe("JSON");
    expect(readFormValues(schema, stateValues(blocks), value)).toEqual({ ok: true, value });
  });

  it("follows $refs and unwraps nullable fields zod writes as anyOf", () => {
    interface TreeNode {
      name: string;
      children: TreeNode[];
    }
    const Tree: z.ZodType<TreeNode> = z.lazy(() => z.object({ name: z.string(), children: z.array(Tree) }));
    const Level = z.enum(["low", "high"]).meta({ id: "schema-form-test-level", description: "How bad it is" });
    const schema = z.object({ level: Level, tree: Tree, contact: z.object({ name: z.string() }).nullable(), tier: z.enum(["gold", "silver"]).nullable() });
    const value = { level: "high", tree: { name: "root", children: [] }, contact: null, tier: "gold" };
    const { blocks } = buildFormBlocks(schema, value);
    expect(inputBlock(blocks, "level").element).toMatchObject({ type: "static_select", initial_option: { value: "high" } });
    expect(inputBlock(blocks, "level").hint?.text).toBe("How bad it is");
    expect(inputBlock(blocks, "tree").hint?.text).toBe("JSON");
    expect(inputBlock(blocks, "contact")).toMatchObject({ optional: true, hint: { text: "JSON" } });
    expect(inputBlock(blocks, "contact").element).not.toHaveProperty("initial_value");
    expect(inputBlock(blocks, "tier")).toMatchObject({ optional: true, element: { type: "static_select" } });
    expect(readFormValues(schema, stateValues(blocks), value)).toEqual({ ok: true, value });
    expect(readFormValues(schema, stateValues(blocks, { tier: selected(null), contact: typed('{"name":"Ana"}') }), value)).toEqual({
      ok: true,
      value: { ...value, tier: null, contact: { name: "Ana" } },
    });
  });

  it("never trusts the shape of state.values", () => {
    const { blocks } = buildFormBlocks(Triage, triage);
    for (const garbage of [null, "text", 42, { title: "not a block" }, { title: { value: { type: 3 } } }]) {
      const result = readFormValues(Triage, garbage, triage);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(Object.keys(result.errors).every((blockId) => inputBlocks(blocks).some((block) => block.block_id === blockId))).toBe(true);
    }
  });
});

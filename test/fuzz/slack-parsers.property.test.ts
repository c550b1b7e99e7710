import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { clickSourceOf } from "../../src/slack/click-source.js";
import { parseCommand } from "../../src/slack/command-parser.js";
import { isHandledSlackRequest } from "../../src/slack/handled-requests.js";
import { readFeedback, readReason } from "../../src/slack/modals/decision-modals.js";
import { parseRunInputMetadata } from "../../src/slack/modals/private-metadata.js";
import { readRfpForm } from "../../src/slack/modals/rfp-modal.js";
import { readRunInput } from "../../src/slack/modals/run-input-modal.js";
import { readFormValues } from "../../src/slack/modals/schema-form.js";
import { openSealedApprovalMetadata, sealedApprovalMetadata } from "../../src/slack/modals/sealed-metadata.js";
import { judgeSlackBody } from "../../src/slack/request-rules.js";
import { judgeEnvelope } from "../../src/slack/socket-mode-guard.js";
import { HOSTILE_TEXT, INJECTION_CORPUS } from "../support/injection-corpus.js";
import { approveClick, homeOpened, type Originals, rejectSubmission, runCommand } from "../support/malformed-slack-payloads.js";

/**
 * Issue 13 item 10: what Slack (or someone with the signing secret) sends, fuzzed. Commands,
 * modal state, private_metadata and interaction bodies each parse or are refused with a message
 * for the person — nothing throws. Bounded by runs and time.
 */

const BOUNDS = { numRuns: 300, interruptAfterTimeLimit: 4_000 } as const;
const hostileString = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 80 }),
  fc.constantFrom(...INJECTION_CORPUS, HOSTILE_TEXT, "", "\u0000", "\uD800", "r_", "r_abc", "{", "{}"),
);
const anything = fc.anything({
  maxDepth: 3,
  withNullPrototype: true,
  withBigInt: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withTypedArray: true,
  withSparseArray: true,
});

/** `view.state.values` as Slack shapes it (block → action → element), with hostile parts. */
const elementState = fc.oneof(
  fc.record(
    {
      type: fc.constantFrom("plain_text_input", "number_input", "static_select", "checkboxes", "x"),
      value: fc.oneof(hostileString, fc.constant(null), fc.integer()),
    },
    { requiredKeys: ["type"] },
  ),
  fc.record({
    type: fc.constant("static_select"),
    selected_option: fc.oneof(
      fc.constant(null),
      fc.record({ value: hostileString, text: fc.record({ type: fc.constant("plain_text"), text: hostileString }) }),
    ),
  }),
  fc.record({ type: fc.constant("checkboxes"), selected_options: fc.array(fc.record({ value: hostileString }), { maxLength: 3 }) }),
  anything,
);
const blockIds = fc.constantFrom(
  "feedback",
  "reason",
  "rfp_title",
  "rfp_customer",
  "rfp_file",
  "rfp_text",
  "service",
  "replicas",
  "dryRun",
  "environment",
  "notes",
  "summary",
);
const stateValues = fc.oneof(
  fc.dictionary(fc.oneof(blockIds, hostileString), fc.dictionary(fc.oneof(fc.constant("value"), hostileString), elementState, { maxKeys: 2 }), { maxKeys: 6 }),
  anything,
);

const isMessages = (errors: Record<string, string>): boolean =>
  Object.keys(errors).length > 0 && Object.values(errors).every((message) => typeof message === "string" && message.length > 0);

describe("the /baton command parser, fuzzed", () => {
  it("any text is a command or the help saying what was not understood", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          hostileString,
          fc
            .tuple(fc.constantFrom("run", "status", "runs", "cancel", "review", "pending", "rfp", "chains", "help", "RUN"), hostileString)
            .map(([word, rest]) => `${word} ${rest}`),
        ),
        (text) => {
          const command = parseCommand(text);
          expect(["help", "chains", "run", "status", "runs", "pending", "cancel", "review", "rfp"]).toContain(command.kind);
          if (command.kind === "status" || command.kind === "cancel") expect(command.runId).toMatch(/^r_[A-Za-z0-9_-]+$/);
          if (command.kind === "help" && command.notUnderstood !== undefined) expect(command.notUnderstood.length).toBeGreaterThan(0);
        },
      ),
      BOUNDS,
    );
  });
});

describe("modal state readers, fuzzed", () => {
  it("feedback and reject reasons: text, or an error on the field", () => {
    fc.assert(
      fc.property(stateValues, (values) => {
        for (const reading of [readFeedback(values), readReason(values)]) {
          if (reading.ok) expect(reading.text.trim().length).toBeGreaterThan(0);
          else expect(isMessages(reading.errors)).toBe(true);
        }
      }),
      BOUNDS,
    );
  });

  it("the RFP form: a reading, or an error on each block to fix, whatever the metadata", () => {
    fc.assert(
      fc.property(fc.oneof(hostileString, fc.constant('{"channelId":"C0DEALS"}')), stateValues, (metadata, values) => {
        const reading = readRfpForm(metadata, values);
        if (reading.ok) expect(reading.title.length).toBeGreaterThan(0);
        else expect(isMessages(reading.errors)).toBe(true);
      }),
      BOUNDS,
    );
  });

  it("schema forms (run input and Edit): the value passes the schema, or errors name the fields", () => {
    const schema = z.object({
      service: z.string().min(1).max(40),
      replicas: z.number().int().min(1).max(50),
      dryRun: z.boolean(),
      environment: z.enum(["prod", "staging"]),
      notes: z.string().optional(),
      steps: z.array(z.string()).optional(),
    });
    const original = { service: "checkout", replicas: 3, dryRun: true, environment: "prod", notes: "n", steps: ["a"] };
    fc.assert(
      fc.property(stateValues, (values) => {
        for (const reading of [readRunInput(schema, values), readFormValues(schema, values, original)]) {
          if (reading.ok) expect(schema.safeParse(reading.value).success).toBe(true);
          else expect(isMessages(reading.errors)).toBe(true);
        }
      }),
      BOUNDS,
    );
  });
});

describe("private_metadata and interaction bodies, fuzzed", () => {
  it("sealed approval metadata opens only when baton sealed it; anything else says why", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          hostileString,
          fc.string({ minLength: 1, maxLength: 40 }).map((id) => sealedApprovalMetadata(id, "other-key")),
          fc.string({ minLength: 1, maxLength: 40 }).map((id) => JSON.stringify({ approvalId: id, seal: "0".repeat(32) })),
        ),
        (metadata) => {
          const opened = openSealedApprovalMetadata(metadata, "the-key");
          expect(opened.ok).toBe(false);
          if (!opened.ok) expect(opened.message).toMatch(/^its private_metadata /);
        },
      ),
      BOUNDS,
    );
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 80 }), (approvalId) => {
        expect(openSealedApprovalMetadata(sealedApprovalMetadata(approvalId, "the-key"), "the-key")).toEqual({ ok: true, approvalId });
      }),
      BOUNDS,
    );
  });

  it("run-form metadata: its ids, or why not", () => {
    fc.assert(
      fc.property(hostileString, (metadata) => {
        const reading = parseRunInputMetadata(metadata);
        if (!reading.ok) expect(reading.message).toMatch(/^private_metadata /);
      }),
      BOUNDS,
    );
  });

  it("interaction bodies: whether a listener handles it and where a click came from are answered for any body", () => {
    const body = fc.oneof(
      anything,
      fc.record({
        type: fc.constantFrom("block_actions", "view_submission", "event_callback", "shortcut"),
        actions: fc.oneof(anything, fc.array(fc.record({ action_id: hostileString, block_id: hostileString, value: hostileString }), { maxLength: 3 })),
        view: anything,
        event: anything,
        container: anything,
        user: anything,
        command: fc.option(hostileString, { nil: undefined }),
      }),
    );
    fc.assert(
      fc.property(body, anything, (candidate, action) => {
        if (typeof candidate === "object" && candidate !== null && !Array.isArray(candidate))
          expect(typeof isHandledSlackRequest(candidate as Record<string, unknown>)).toBe("boolean");
        const source = clickSourceOf(candidate, action);
        expect(["card", "list", "home", "unknown"]).toContain(source.kind);
      }),
      BOUNDS,
    );
  });

  it("Socket Mode envelopes: judged for any message, and what passes to the client and Bolt has an object payload (and an event, for events_api)", () => {
    const envelope = fc.oneof(
      anything,
      fc.record(
        {
          envelope_id: fc.oneof(hostileString, anything),
          type: fc.oneof(fc.constantFrom("events_api", "interactive", "slash_commands", "hello", "disconnect"), hostileString),
          payload: fc.oneof(
            anything,
            fc.record({
              type: fc.constantFrom("block_actions", "view_submission", "event_callback"),
              event: anything,
              command: fc.constantFrom("/baton", undefined),
            }),
          ),
        },
        { requiredKeys: [] },
      ),
    );
    const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
    fc.assert(
      fc.property(envelope, (candidate) => {
        const judgement = judgeEnvelope(candidate, isHandledSlackRequest);
        expect(["pass", "drop", "acknowledge"]).toContain(judgement.verdict);
        if (judgement.verdict === "acknowledge") expect(judgement.envelopeId).toBe((candidate as Record<string, unknown>)["envelope_id"]);
        if (judgement.verdict !== "pass" || !isObject(candidate) || candidate["type"] === "hello" || candidate["type"] === "disconnect") return;
        const payload = candidate["payload"];
        expect(isObject(payload) && isHandledSlackRequest(payload)).toBe(true);
        if (candidate["type"] === "events_api") expect(isObject((payload as Record<string, unknown>)["event"])).toBe(true);
      }),
      BOUNDS,
    );
  });

  it("payloads baton handles, with fields taken away or replaced: what passes to Bolt has every field Bolt and the listener read, and the rest is acknowledged", () => {
    const originals: Originals = { approvalId: "a_1", channel: "C0RUNS", ts: "1.1", userId: "U0ALICE", responseUrl: "https://example.invalid/respond" };
    const bases: Array<Record<string, unknown>> = [approveClick(originals), runCommand(originals), rejectSubmission(originals), homeOpened(originals)];
    const pathsOf = (value: unknown, prefix: string[]): string[][] =>
      typeof value === "object" && value !== null
        ? Object.entries(value).flatMap(([key, child]) => [[...prefix, key], ...pathsOf(child, [...prefix, key])])
        : [];
    const mutate = (target: Record<string, unknown>, path: string[], replacement: { value: unknown } | null): void => {
      let parent: unknown = target;
      for (const key of path.slice(0, -1)) parent = typeof parent === "object" && parent !== null ? (parent as Record<string, unknown>)[key] : undefined;
      const last = path.at(-1);
      if (typeof parent !== "object" || parent === null || last === undefined) return;
      if (replacement === null) delete (parent as Record<string, unknown>)[last];
      else (parent as Record<string, unknown>)[last] = replacement.value;
    };
    const candidate = fc.integer({ min: 0, max: bases.length - 1 }).chain((index) =>
      fc.record({
        index: fc.constant(index),
        mutations: fc.array(
          fc.record({ path: fc.constantFrom(...pathsOf(bases[index], [])), replacement: fc.option(fc.record({ value: anything }), { nil: null }) }),
          { maxLength: 3 },
        ),
      }),
    );
    const text = (value: unknown): boolean => typeof value === "string";
    const objectAt = (value: unknown): Record<string, unknown> => (typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {});
    fc.assert(
      fc.property(candidate, ({ index, mutations }) => {
        const body = structuredClone(bases[index] ?? {});
        for (const { path, replacement } of mutations) mutate(body, path, replacement);
        const judgement = judgeSlackBody(body, isHandledSlackRequest);
        if (mutations.length === 0) expect(judgement.verdict).toBe("pass");
        if (judgement.verdict === "malformed") expect(judgement.problem).toMatch(/ is (missing|not what Slack sends)/);
        if (judgement.verdict !== "pass") return;
        // What Bolt reads before any listener runs, and what baton's listeners read, by Bolt's order.
        if (body["event"] !== undefined) {
          expect(text(objectAt(body["event"])["user"])).toBe(true);
        } else if (body["command"] !== undefined) {
          for (const key of ["command", "text", "user_id", "channel_id", "response_url", "trigger_id", "team_id"]) expect(text(body[key])).toBe(true);
        } else {
          expect(text(objectAt(body["user"])["id"])).toBe(true);
          expect(body["team"] === null || text(objectAt(body["team"])["id"])).toBe(true);
          if (body["type"] === "block_actions") {
            expect(text(objectAt((body["actions"] as unknown[])[0])["action_id"])).toBe(true);
            expect(text(body["trigger_id"])).toBe(true);
          } else {
            const view = objectAt(body["view"]);
            expect(Array.isArray(view["blocks"]) && text(view["private_metadata"]) && text(view["id"])).toBe(true);
            expect(typeof objectAt(view["state"])["values"]).toBe("object");
          }
        }
      }),
      BOUNDS,
    );
  });
});

import { readFileSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import { Readable } from "node:stream";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { DeliveryInput } from "../../src/core/ports.js";
import { alertmanagerDelivery, genericDelivery, grafanaDelivery, pagerDutyDelivery } from "../../src/webhooks/normalize-delivery.js";
import { AlertmanagerPayload, GenericPayload, GrafanaPayload, PagerDutyPayload } from "../../src/webhooks/payload-schemas.js";
import { depthRejection, PlanDelivery } from "../../src/webhooks/plan-delivery.js";
import { readJsonBody } from "../../src/webhooks/request-body.js";
import { schemaFailure } from "../../src/webhooks/webhook-routes.js";
import { HOSTILE_TEXT, INJECTION_CORPUS } from "../support/injection-corpus.js";

/**
 * Issue 13 item 10: the webhook parsers, fuzzed (fast-check). Whatever arrives either parses
 * into a delivery or is refused with a status and a message that says what to fix — nothing
 * throws. Bounded: a fixed number of runs, and a time limit after which a property stops.
 */

const BOUNDS = { numRuns: 300, interruptAfterTimeLimit: 4_000 } as const;
const fixture = (path: string): unknown => JSON.parse(readFileSync(new URL(`../fixtures/${path}`, import.meta.url), "utf8"));

/** Strings as senders write them: any Unicode, and the corpus (mentions, delimiters, RTL, zero-width). */
const hostileString = fc.oneof(fc.string({ unit: "grapheme", maxLength: 60 }), fc.constantFrom(...INJECTION_CORPUS, HOSTILE_TEXT, "", " ", "\u0000", "\uD800"));
/** JSON values whose strings are hostile. */
const hostileJson = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    hostileString,
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(hostileString, tie("value"), { maxKeys: 4 }),
  ),
})).value;

/** A captured payload with one value, somewhere in it, replaced by something hostile. */
function mutated(payload: unknown): fc.Arbitrary<unknown> {
  const paths: Array<Array<string | number>> = [];
  const walk = (value: unknown, path: Array<string | number>): void => {
    paths.push(path);
    if (Array.isArray(value)) value.forEach((item, index) => walk(item, [...path, index]));
    else if (typeof value === "object" && value !== null) for (const [key, item] of Object.entries(value)) walk(item, [...path, key]);
  };
  walk(payload, []);
  return fc.tuple(fc.constantFrom(...paths), hostileJson).map(([path, replacement]) => {
    if (path.length === 0) return replacement;
    const copy = structuredClone(payload) as Record<string | number, unknown>;
    let cursor = copy;
    for (const key of path.slice(0, -1)) cursor = cursor[key] as Record<string | number, unknown>;
    cursor[path.at(-1) as string | number] = replacement;
    return copy;
  });
}

const SOURCES = [
  {
    name: "Alertmanager",
    fixture: "webhooks/alertmanager/firing.json",
    parse: (json: unknown) => AlertmanagerPayload.safeParse(json),
    deliver: (data: never) => alertmanagerDelivery(data, "{}", 1),
  },
  {
    name: "Grafana",
    fixture: "webhooks/grafana/firing.json",
    parse: (json: unknown) => GrafanaPayload.safeParse(json),
    deliver: (data: never) => grafanaDelivery(data, "{}", 1),
  },
  {
    name: "PagerDuty",
    fixture: "webhooks/pagerduty/v3-incident-triggered.json",
    parse: (json: unknown) => PagerDutyPayload.safeParse(json),
    deliver: (data: never) => pagerDutyDelivery(data, "{}", 1, "id"),
  },
] as const;

function expectDelivery(delivery: DeliveryInput): void {
  expect(typeof delivery.deliveryKey).toBe("string");
  expect(typeof delivery.groupKey).toBe("string");
  expect(typeof delivery.title).toBe("string");
  for (const alert of delivery.alerts) expect(typeof alert.name).toBe("string");
}

function expectClearRefusal(error: Parameters<typeof schemaFailure>[0]): void {
  const rejection = schemaFailure(error, "a payload");
  expect(rejection.status).toBe(422);
  expect(rejection.body.message).toMatch(/^This is not a payload: .+\. Check the sender's webhook configuration\.$/s);
  for (const issue of rejection.body.issues ?? []) expect(typeof issue.path).toBe("string");
}

describe("webhook payloads, fuzzed", () => {
  for (const source of SOURCES) {
    it(`${source.name}: a captured payload with any value replaced parses into a delivery or is refused with the path`, () => {
      fc.assert(
        fc.property(mutated(fixture(source.fixture)), (json) => {
          const parsed = source.parse(json);
          if (parsed.success) expectDelivery(source.deliver(parsed.data as never));
          else expectClearRefusal(parsed.error);
        }),
        BOUNDS,
      );
    });
  }

  it("the generic payload: any JSON parses or is refused with the path", () => {
    const near = fc.record({
      title: hostileString,
      severity: fc.option(hostileString, { nil: undefined }),
      status: fc.constantFrom("firing", "resolved", "open", 3),
      labels: fc.dictionary(hostileString, fc.oneof(hostileString, fc.integer())),
      description: hostileString,
      group: fc.option(hostileString, { nil: undefined }),
      runbookUrl: fc.option(fc.oneof(fc.webUrl(), hostileString), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.oneof(hostileJson, near), (json) => {
        const parsed = GenericPayload.safeParse(json);
        if (parsed.success) expectDelivery(genericDelivery(parsed.data, "{}", 1));
        else expectClearRefusal(parsed.error);
      }),
      BOUNDS,
    );
  });

  it("a terraform-plan delivery: any shape or depth is checked without throwing", () => {
    const plan = fixture("iac/terraform-data-plan.json");
    const deep = fc.integer({ min: 0, max: 5_000 }).map((depth) => {
      let value: unknown = "leaf";
      for (let level = 0; level < depth; level += 1) value = level % 2 === 0 ? [value] : { nested: value };
      return { plan: { format_version: "1.2", variables: value } };
    });
    fc.assert(
      fc.property(fc.oneof(deep, mutated({ plan }), hostileJson), (json) => {
        const tooDeep = depthRejection(json);
        if (tooDeep) {
          expect(tooDeep.status).toBe(422);
          expect(tooDeep.body.message).toContain("nests deeper than");
          return;
        }
        const parsed = PlanDelivery.safeParse(json);
        if (!parsed.success) expectClearRefusal(parsed.error);
      }),
      { ...BOUNDS, numRuns: 150 },
    );
  });
});

/** A request body as Node delivers it: headers, and the bytes as a stream. */
function requestOf(bytes: Uint8Array, contentType: string): IncomingMessage {
  return Object.assign(Readable.from([Buffer.from(bytes)]), { headers: { "content-type": contentType } }) as unknown as IncomingMessage;
}

describe("request bodies, fuzzed", () => {
  it("any bytes under any content type: JSON, or 400 / 413 / 415 with a message — never a throw", async () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      hostileJson.map((value) => new TextEncoder().encode(JSON.stringify(value) ?? "")),
      fc.string().map((text) => new TextEncoder().encode(text)),
    );
    const contentType = fc.constantFrom(
      "application/json",
      "application/json; charset=utf-8",
      "text/plain",
      "",
      "application/x-www-form-urlencoded",
      "APPLICATION/JSON",
    );
    await fc.assert(
      fc.asyncProperty(bytes, contentType, async (body, type) => {
        const reading = await readJsonBody(requestOf(body, type), 200);
        if (reading.ok) return;
        expect([400, 413, 415]).toContain(reading.rejection.status);
        expect(reading.rejection.body.message.length).toBeGreaterThan(10);
      }),
      BOUNDS,
    );
  });
});

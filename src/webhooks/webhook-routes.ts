import type { IncomingMessage, ServerResponse } from "node:http";
import type { z } from "zod";
import { describeError } from "../core/errors.js";
import type { AlertSource, AlertStore, Clock, DeliveryInput, DeliveryOutcome, Logger } from "../core/ports.js";
import { formatPath } from "../core/validation.js";
import { sendJson, type Route } from "../http/http-server.js";
import { alertmanagerDelivery, genericDelivery, grafanaDelivery, pagerDutyDelivery } from "./normalize-delivery.js";
import { AlertmanagerPayload, GenericPayload, GrafanaPayload, PagerDutyPayload } from "./payload-schemas.js";
import { DEFAULT_MAX_BODY_BYTES, readJsonBody, readSignedJsonBody, sendRejection, type WebhookRejection } from "./request-body.js";
import { bearerMatches, pagerDutySignaturesOf, StreamingSignatureCheck } from "./webhook-auth.js";

/**
 * `POST /webhooks/{alertmanager,grafana,pagerduty,generic}`. Each delivery is authenticated,
 * read within a size limit, checked against its sender's schema, normalised and persisted —
 * all before the 2xx — then handed to `onChanges` (which starts or updates incident runs).
 * Every refusal is JSON saying what is wrong: 401, 413, 415, 400, 422, and 503 when the
 * secret for that sender is not configured.
 */

export interface WebhookRoutesOptions {
  store: AlertStore;
  /** BATON_WEBHOOK_TOKEN: Alertmanager, Grafana and generic senders send it as a bearer token. */
  webhookToken: string | undefined;
  /** PAGERDUTY_WEBHOOK_SECRET (several while rotating). */
  pagerDutySecrets: ReadonlyArray<string>;
  maxBodyBytes?: number;
  logger: Logger;
  clock: Clock;
  onChanges(outcome: DeliveryOutcome, source: AlertSource): void;
  onDelivery?(source: AlertSource, outcome: "accepted" | "duplicate" | "rejected", status: number): void;
}

type Parsed = { ok: true; delivery: DeliveryInput } | { ok: false; rejection: WebhookRejection };

/**
 * PagerDuty drops every webhook over 256 KB ("All webhooks with a final size greater than 256 KB
 * are always dropped", with KB = 1024 bytes: "55 KB (56320 bytes)"), so nothing larger can come
 * from PagerDuty: https://github.com/PagerDuty/developer-docs/blob/main/docs/webhooks/02-Behavior.md#size-limit
 */
export const PAGERDUTY_MAX_BODY_BYTES = 256 * 1024;

/**
 * What a route decides from the headers alone: refuse before the body is read, or read it
 * (through a streaming signature check when the sender signs its bodies).
 */
type Admission = { ok: false; rejection: WebhookRejection } | { ok: true; signed?: { check: StreamingSignatureCheck; mismatch: WebhookRejection } };

const refuse = (rejection: WebhookRejection): Admission => ({ ok: false, rejection });

/** A 422 listing the zod paths that failed (at most five in the message, all in `issues`). */
export function schemaFailure(error: z.ZodError, what: string): WebhookRejection {
  const issues = error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
  return {
    status: 422,
    body: {
      error: "PAYLOAD_INVALID",
      message: `This is not ${what}: ${issues
        .slice(0, 5)
        .map((issue) => `${issue.path || "(body)"}: ${issue.message}`)
        .join("; ")}. Check the sender's webhook configuration.`,
      issues,
    },
  };
}

export function createWebhookRoutes(options: WebhookRoutesOptions): Route[] {
  const maxBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const { logger, clock } = options;

  const answer = (response: ServerResponse, source: AlertSource, rejection: WebhookRejection): void => {
    options.onDelivery?.(source, "rejected", rejection.status);
    sendRejection(response, rejection);
  };

  const route = (
    source: AlertSource,
    admit: (request: IncomingMessage) => Admission,
    parse: (json: unknown, raw: Buffer, request: IncomingMessage) => Parsed,
    bodyLimit = maxBytes,
  ): Route => ({
    method: "POST",
    path: `/webhooks/${source}`,
    handle: async (request, response) => {
      const admission = admit(request);
      if (!admission.ok) {
        // Refused on its headers: whatever body follows is discarded as it arrives, never kept.
        request.resume();
        return answer(response, source, admission.rejection);
      }
      const body = admission.signed
        ? await readSignedJsonBody(request, bodyLimit, admission.signed.check, admission.signed.mismatch)
        : await readJsonBody(request, bodyLimit);
      if (!body.ok) return answer(response, source, body.rejection);
      const parsed = parse(body.json, body.raw, request);
      if (!parsed.ok) return answer(response, source, parsed.rejection);
      let outcome: DeliveryOutcome;
      try {
        outcome = await options.store.recordDelivery(parsed.delivery);
      } catch (error) {
        logger.error({ source, error: describeError(error) }, "could not store a webhook delivery; answering 503 so the sender retries");
        options.onDelivery?.(source, "rejected", 503);
        return sendJson(response, 503, { error: "STORE_UNAVAILABLE", message: "baton could not store this delivery; retry later." });
      }
      options.onDelivery?.(source, outcome.duplicate ? "duplicate" : "accepted", 202);
      sendJson(response, 202, {
        deliveryId: outcome.deliveryId,
        duplicate: outcome.duplicate,
        incidents: outcome.changes.map((change) => ({ id: change.incident.id, change: change.change })),
      });
      try {
        options.onChanges(outcome, source);
      } catch (error) {
        logger.error({ source, deliveryId: outcome.deliveryId, error: describeError(error) }, "acting on a stored delivery failed");
      }
    },
  });

  const bearer = (request: IncomingMessage): Admission => {
    if (options.webhookToken === undefined) {
      return refuse({
        status: 503,
        body: {
          error: "WEBHOOK_NOT_CONFIGURED",
          message: "This webhook is off: set BATON_WEBHOOK_TOKEN on the baton server and send it as `Authorization: Bearer <token>`.",
        },
      });
    }
    if (!bearerMatches(request.headers, options.webhookToken)) {
      return refuse({
        status: 401,
        body: {
          error: "UNAUTHORIZED",
          message:
            "Send `Authorization: Bearer <BATON_WEBHOOK_TOKEN>` (Alertmanager: http_config.authorization; Grafana: the contact point's Authorization header).",
        },
      });
    }
    return { ok: true };
  };
  // Nothing unsigned is read: without a secret, or without a `v1=` signature, the answer comes
  // before the body, and the connection closes after it (as for GitHub).
  const signed = (request: IncomingMessage): Admission => {
    if (options.pagerDutySecrets.length === 0) {
      return refuse({
        status: 503,
        closeConnection: true,
        body: { error: "WEBHOOK_NOT_CONFIGURED", message: "The PagerDuty webhook is off: set PAGERDUTY_WEBHOOK_SECRET to the subscription's signing secret." },
      });
    }
    const given = pagerDutySignaturesOf(request.headers);
    if (given === undefined) {
      return refuse({
        status: 401,
        closeConnection: true,
        body: {
          error: "UNAUTHORIZED",
          message:
            "Send X-PagerDuty-Signature (v1=<64 hex digits>): deliver with a PagerDuty V3 webhook subscription, whose signing secret is PAGERDUTY_WEBHOOK_SECRET on baton.",
        },
      });
    }
    return {
      ok: true,
      signed: {
        check: new StreamingSignatureCheck(given, options.pagerDutySecrets),
        mismatch: {
          status: 401,
          body: {
            error: "UNAUTHORIZED",
            message:
              "X-PagerDuty-Signature does not match PAGERDUTY_WEBHOOK_SECRET. Check the secret of the webhook subscription (during rotation, list both secrets, comma-separated).",
          },
        },
      },
    };
  };
  const now = () => clock.now();

  return [
    route("alertmanager", bearer, (json, raw) => {
      const payload = AlertmanagerPayload.safeParse(json);
      return payload.success
        ? { ok: true, delivery: alertmanagerDelivery(payload.data, raw.toString("utf8"), now()) }
        : { ok: false, rejection: schemaFailure(payload.error, "an Alertmanager webhook payload (version 4)") };
    }),
    route("grafana", bearer, (json, raw) => {
      const payload = GrafanaPayload.safeParse(json);
      return payload.success
        ? { ok: true, delivery: grafanaDelivery(payload.data, raw.toString("utf8"), now()) }
        : { ok: false, rejection: schemaFailure(payload.error, "a Grafana alerting webhook payload (version 1)") };
    }),
    route(
      "pagerduty",
      signed,
      (json, raw, request) => {
        const payload = PagerDutyPayload.safeParse(json);
        const webhookId = request.headers["x-webhook-id"];
        return payload.success
          ? { ok: true, delivery: pagerDutyDelivery(payload.data, raw.toString("utf8"), now(), typeof webhookId === "string" ? webhookId : undefined) }
          : { ok: false, rejection: schemaFailure(payload.error, "a PagerDuty V3 webhook event") };
      },
      Math.min(maxBytes, PAGERDUTY_MAX_BODY_BYTES),
    ),
    route("generic", bearer, (json, raw) => {
      const payload = GenericPayload.safeParse(json);
      return payload.success
        ? { ok: true, delivery: genericDelivery(payload.data, raw.toString("utf8"), now()) }
        : {
            ok: false,
            rejection: schemaFailure(payload.error, 'baton\'s generic alert ({ "title", "severity", "labels", "description", "source", "group", "status" })'),
          };
    }),
  ];
}

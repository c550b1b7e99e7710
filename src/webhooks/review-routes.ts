import type { ServerResponse } from "node:http";
import { z } from "zod";
import { BatonError, describeError, isBatonError } from "../core/errors.js";
import type { Clock, Logger, MessageLedger } from "../core/ports.js";
import { sendJson, type Route } from "../http/http-server.js";
import { parseInfracost, parseScannerResults } from "../iac/index.js";
import type { ReviewRuns } from "../use-cases/review-runs.js";
import { depthRejection, PlanDelivery } from "./plan-delivery.js";
import { readJsonBody, readSignedJsonBody, sendRejection, type WebhookRejection } from "./request-body.js";
import { bearerMatches, githubSignatureOf, StreamingSignatureCheck } from "./webhook-auth.js";
import { schemaFailure } from "./webhook-routes.js";

/**
 * `POST /webhooks/github` (pull_request events, `X-Hub-Signature-256`) and `POST
 * /webhooks/terraform-plan` (a CI job's `terraform show -json`, bearer token): each starts an
 * IaC review run, or says why not. A pull request's files are listed before the answer (GitHub
 * waits 10 s, and does not redeliver by itself), so a 202 means the run exists; when GitHub
 * cannot be asked, the answer is 502 and the delivery can be redelivered from GitHub's page.
 * `X-GitHub-Delivery` is claimed in the ledger: a redelivery of a handled event starts nothing.
 */

export interface ReviewRoutesOptions {
  reviews: ReviewRuns;
  ledger: MessageLedger;
  clock: Clock;
  logger: Logger;
  /** GITHUB_WEBHOOK_SECRET (several, comma-separated, while rotating). */
  githubSecrets: ReadonlyArray<string>;
  /** BATON_WEBHOOK_TOKEN, for the terraform-plan webhook. */
  webhookToken: string | undefined;
  maxPlanBytes?: number;
  /** Set when a plan's review run would have no channel to be approved in: the fix to tell the sender. */
  planRunsUnseen?: string | undefined;
}

/** The `pull_request` actions that mean "this head needs a review". */
const REVIEWED_ACTIONS = new Set(["opened", "synchronize", "reopened", "ready_for_review"]);

const PullRequestEvent = z.object({
  action: z.string(),
  number: z.number().int().positive(),
  pull_request: z.object({ head: z.object({ sha: z.string() }), draft: z.boolean().optional(), html_url: z.string() }),
  repository: z.object({ full_name: z.string().regex(/^[^/]+\/[^/]+$/) }),
});

function reject(response: ServerResponse, rejection: WebhookRejection): void {
  sendRejection(response, rejection);
}

/** GitHub's payload cap: "Payloads are capped at 25 MB" (docs.github.com/en/webhooks/webhook-events-and-payloads#payload-cap). */
export const GITHUB_MAX_BODY_BYTES = 25 * 1024 * 1024;

/** A GitHub failure as the answer to a delivery: what happened and what to do. */
function githubFailure(error: unknown): WebhookRejection {
  if (isBatonError(error, "PULL_REQUEST_NOT_FOUND")) return { status: 404, body: { error: error.code, message: error.message } };
  if (isBatonError(error))
    return {
      status: error.code === "GITHUB_NOT_CONFIGURED" || error.code === "CHAIN_NOT_FOUND" ? 503 : 502,
      body: { error: error.code, message: `${error.message} Then redeliver this event from the webhook's Recent Deliveries page.` },
    };
  return {
    status: 502,
    body: {
      error: "GITHUB_UNAVAILABLE",
      message: `Could not handle the event: ${describeError(error)}. Redeliver it from the webhook's Recent Deliveries page.`,
    },
  };
}

export function createReviewRoutes(options: ReviewRoutesOptions): Route[] {
  const { reviews, ledger, clock, logger } = options;

  const github: Route = {
    method: "POST",
    path: "/webhooks/github",
    handle: async (request, response) => {
      // Nothing unauthenticated is read: without a secret, or without a signature, the answer
      // comes before the body, and the connection closes after it.
      if (options.githubSecrets.length === 0) {
        return reject(response, {
          status: 503,
          closeConnection: true,
          body: {
            error: "WEBHOOK_NOT_CONFIGURED",
            message: "The GitHub webhook is off: set GITHUB_WEBHOOK_SECRET to the webhook's secret (and GITHUB_TOKEN so baton can read pull requests).",
          },
        });
      }
      const signature = githubSignatureOf(request.headers);
      if (signature === undefined) {
        return reject(response, {
          status: 401,
          closeConnection: true,
          body: {
            error: "UNAUTHORIZED",
            message: "Send X-Hub-Signature-256 (sha256=<hex>): set a secret on the GitHub webhook, the same as GITHUB_WEBHOOK_SECRET on baton.",
          },
        });
      }
      // A signed body streams into the HMAC, up to GitHub's cap, and is parsed only once it is
      // known to come from GitHub.
      const body = await readSignedJsonBody(request, GITHUB_MAX_BODY_BYTES, new StreamingSignatureCheck([signature], options.githubSecrets), {
        status: 401,
        body: {
          error: "UNAUTHORIZED",
          message:
            "X-Hub-Signature-256 does not match GITHUB_WEBHOOK_SECRET. Set the same secret on the GitHub webhook and on baton (during rotation, list both, comma-separated).",
        },
      });
      if (!body.ok) return reject(response, body.rejection);
      const event = String(request.headers["x-github-event"] ?? "");
      if (event === "ping") return sendJson(response, 200, { ok: true, message: "baton hears this webhook." });
      if (event !== "pull_request") return sendJson(response, 202, { ignored: `baton reviews pull_request events; this was "${event || "no event header"}".` });
      const parsed = PullRequestEvent.safeParse(body.json);
      if (!parsed.success) return reject(response, schemaFailure(parsed.error, "a GitHub pull_request event"));
      const payload = parsed.data;
      if (!REVIEWED_ACTIONS.has(payload.action))
        return sendJson(response, 202, { ignored: `pull_request "${payload.action}" needs no review (reviewed: ${[...REVIEWED_ACTIONS].join(", ")}).` });
      const deliveryId = String(request.headers["x-github-delivery"] ?? "");
      const claimKey = `github-delivery:${deliveryId}`;
      if (deliveryId !== "" && !(await ledger.claimMessage({ key: claimKey, runId: null, channel: "github", at: clock.now() }))) {
        return sendJson(response, 202, { duplicate: true, message: `Delivery ${deliveryId} was handled already.` });
      }
      const ref = { repository: payload.repository.full_name, number: payload.number };
      try {
        const outcome = await reviews.reviewPullRequest(ref, `github:${payload.action}`);
        if (outcome.started) return sendJson(response, 202, { runId: outcome.runId, headSha: outcome.headSha });
        return sendJson(response, 202, { skipped: outcome.reason, message: outcome.message });
      } catch (error) {
        // Let a redelivery try again: nothing was started for this delivery.
        if (deliveryId !== "") await ledger.releaseClaim(claimKey).catch(() => undefined);
        logger.warn(
          { pullRequest: `${ref.repository}#${String(ref.number)}`, deliveryId, error: describeError(error) },
          "could not start the review of a pull request",
        );
        return reject(response, githubFailure(error));
      }
    },
  };

  const plan: Route = {
    method: "POST",
    path: "/webhooks/terraform-plan",
    handle: async (request, response) => {
      if (options.webhookToken === undefined) {
        request.resume();
        return reject(response, {
          status: 503,
          body: {
            error: "WEBHOOK_NOT_CONFIGURED",
            message: "This webhook is off: set BATON_WEBHOOK_TOKEN on the baton server and send it as `Authorization: Bearer <token>`.",
          },
        });
      }
      if (!bearerMatches(request.headers, options.webhookToken)) {
        request.resume();
        return reject(response, {
          status: 401,
          body: { error: "UNAUTHORIZED", message: "Send `Authorization: Bearer <BATON_WEBHOOK_TOKEN>` from the CI job." },
        });
      }
      if (options.planRunsUnseen !== undefined) {
        // A review nobody can see would wait for an approval until it expires: refuse it now.
        request.resume();
        return reject(response, {
          status: 503,
          body: { error: "RUN_NOT_VISIBLE", message: `baton has no Slack channel to show this plan's review in. ${options.planRunsUnseen}` },
        });
      }
      const body = await readJsonBody(request, options.maxPlanBytes ?? 20 * 1024 * 1024);
      if (!body.ok) return reject(response, body.rejection);
      const tooDeep = depthRejection(body.json);
      if (tooDeep) return reject(response, tooDeep);
      const parsed = PlanDelivery.safeParse(body.json);
      if (!parsed.success)
        return reject(
          response,
          schemaFailure(parsed.error, 'a plan delivery ({ "repository": "owner/name", "pullRequest": 42, "commit": "<sha>", "plan": <terraform show -json> })'),
        );
      const delivery = parsed.data;
      if (!/^1\./.test(delivery.plan.format_version)) {
        return reject(response, {
          status: 422,
          body: {
            error: "IAC_PLAN_UNSUPPORTED",
            message: `The plan's format_version is "${delivery.plan.format_version}"; baton reads format 1.x (Terraform 0.12 and later, OpenTofu). Send \`terraform show -json <planfile>\` output.`,
          },
        });
      }
      if ((delivery.repository === undefined) !== (delivery.pullRequest === undefined)) {
        return reject(response, {
          status: 422,
          body: {
            error: "PAYLOAD_INVALID",
            message: 'Give both "repository" and "pullRequest" (to post the review there), or neither (the review stays in Slack).',
          },
        });
      }
      // Refused now, with what to fix, rather than failing the run later.
      try {
        (delivery.scannerResults ?? []).forEach((report, index) => parseScannerResults(report, `scannerResults[${String(index)}]`));
        if (delivery.infracost !== undefined) parseInfracost(delivery.infracost, "infracost");
      } catch (error) {
        if (!(error instanceof BatonError)) throw error;
        return reject(response, { status: 422, body: { error: error.code, message: error.message } });
      }
      const pullRequest =
        delivery.repository !== undefined && delivery.pullRequest !== undefined
          ? { repository: delivery.repository, number: delivery.pullRequest, ...(delivery.commit ? { headSha: delivery.commit } : {}) }
          : undefined;
      try {
        const extras = {
          ...(delivery.scannerResults === undefined ? {} : { scannerResults: delivery.scannerResults }),
          ...(delivery.infracost === undefined ? {} : { infracost: delivery.infracost }),
        };
        const { runId } = await reviews.reviewPlan(
          { plan: delivery.plan, ...(pullRequest ? { pullRequest } : {}), ...extras },
          body.raw,
          "webhook:terraform-plan",
        );
        return sendJson(response, 202, { runId });
      } catch (error) {
        logger.error({ error: describeError(error) }, "could not start the review of a posted plan");
        const status = isBatonError(error, "CHAIN_NOT_FOUND") ? 503 : isBatonError(error, "INPUT_INVALID") ? 422 : 500;
        return reject(response, { status, body: { error: isBatonError(error) ? error.code : "INTERNAL", message: describeError(error) } });
      }
    },
  };

  return [github, plan];
}

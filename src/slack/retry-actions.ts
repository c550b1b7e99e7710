import type { App } from "@slack/bolt";
import { BatonError, describeError, isBatonError } from "../core/errors.js";
import type { RunRecord } from "../core/ports.js";
import { ephemeral, renderError, textReply } from "./render/command-replies.js";
import { escapeMrkdwn, md, mentions, type Mrkdwn } from "./render/mrkdwn.js";
import { RETRY_ACTION_ID } from "./render/progress-card.js";
import { slackOrigin, type SlackServices } from "./slack-services.js";

/**
 * The Retry button on a failed or expired run's card, and what `/baton retry` and `/baton rerun`
 * share with it. Who may retry: the person who started the
 * run, or its chain's approvers (user groups resolved at click time); others are told who may.
 * The retry is one compare-and-set on the run's status, so double clicks, two people and a click
 * racing `baton retry` in another process continue the run once; the others are told it was first.
 */

function runIdOf(action: unknown): string {
  const value = typeof action === "object" && action !== null ? (action as { value?: unknown }).value : undefined;
  if (typeof value !== "string" || value === "")
    throw new BatonError("COMMAND_INVALID", "This button carries no run id; it may come from an old card. Use `/baton runs all` to find the run.");
  return value;
}

/**
 * The run, when `userId` may retry or re-run it: its starter, or one of its chain's approvers.
 * Otherwise the refusal is audited and APPROVAL_NOT_ALLOWED names who may (their ids in the
 * details, so only those become mentions).
 */
async function recoverableRunFor(runId: string, userId: string, doing: "retry" | "rerun", services: SlackServices): Promise<RunRecord> {
  const { store, chains, directory } = services;
  const run = await store.getRun(runId);
  if (!run) throw new BatonError("RUN_NOT_FOUND", `There is no run "${runId}". List recent runs with \`/baton runs all\`.`, { runId });
  const approvers = chains.has(run.chainId) ? chains.get(run.chainId).approvers : [];
  if (run.startedBy !== userId && approvers.length > 0) {
    const actor = await directory.actorFor(userId, approvers);
    const memberships = new Set([actor.id, ...(actor.groupIds ?? [])]);
    if (!approvers.some((approver) => memberships.has(approver))) {
      await store.appendEvents([
        {
          runId,
          at: services.clock.now(),
          type: "approval.denied",
          stepId: null,
          actor: userId,
          data: { action: doing, reason: "not the starter or an approver" },
        },
      ]);
      const verb = doing === "retry" ? "retry it" : "re-run it";
      throw new BatonError(
        "APPROVAL_NOT_ALLOWED",
        `Only ${mentions([run.startedBy])}, who started run ${runId}, or ${mentions(approvers)} may ${verb}. Ask one of them.`,
        { runId, approvers, startedBy: run.startedBy },
      );
    }
  }
  return run;
}

/** Retry `runId` for `userId` when they may; resolves with what to tell them. */
export async function retryForUser(runId: string, userId: string, services: SlackServices): Promise<Mrkdwn> {
  await recoverableRunFor(runId, userId, "retry", services);
  await services.runner.retry(runId, userId);
  return md`Retrying run \`${escapeMrkdwn(runId)}\` from the step that did not finish; its card shows the progress.`;
}

/**
 * Re-run `runId` from `stepId` for `userId` when they may (the same rule as retry); the new run's
 * card goes to `channelId`, where it was asked for. Resolves with what to tell them.
 */
export async function rerunForUser(request: { runId: string; stepId: string; userId: string; channelId: string }, services: SlackServices): Promise<Mrkdwn> {
  const { runId, stepId, userId, channelId } = request;
  await recoverableRunFor(runId, userId, "rerun", services);
  const origin = slackOrigin(channelId, userId);
  const { runId: childId } = await services.runner.rerun(runId, {
    fromStepId: stepId,
    actor: userId,
    origin: { ...origin, reference: { ...origin.reference, parentRunId: runId } },
  });
  return md`Re-running run \`${escapeMrkdwn(runId)}\` from \`${escapeMrkdwn(stepId)}\` as run \`${escapeMrkdwn(childId)}\`, with the outputs before it copied. Its progress card is in this channel; \`/baton status ${escapeMrkdwn(childId)}\` shows it any time.`;
}

/** The ids a refusal names that baton holds (the run's starter, its chain's approvers): only these become mentions. */
export function mentionableOf(error: unknown): string[] {
  const details = isBatonError(error) ? error.details : {};
  const approvers = Array.isArray(details["approvers"]) ? details["approvers"].filter((id): id is string => typeof id === "string") : [];
  return [...approvers, ...(typeof details["startedBy"] === "string" ? [details["startedBy"]] : [])];
}

export function registerRetryActions(app: App, services: SlackServices): void {
  app.action(RETRY_ACTION_ID, async ({ ack, body, action, respond }) => {
    // Acknowledge only what is durable: the retry (a compare-and-set on the run) is written
    // before the ack, so a process killed right after it has nothing to lose.
    let runId: string | undefined;
    let reply: Parameters<typeof respond>[0];
    try {
      runId = runIdOf(action);
      reply = ephemeral(textReply(await retryForUser(runId, body.user.id, services)));
    } catch (error) {
      if (!isBatonError(error)) services.logger.error({ runId, error: describeError(error) }, "a retry click failed");
      reply = ephemeral(
        renderError({ code: isBatonError(error) ? error.code : "INTERNAL", message: describeError(error), runId, mentionable: mentionableOf(error) }),
      );
    }
    await ack();
    await respond(reply);
  });
}

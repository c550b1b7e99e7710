import type { App, RespondFn } from "@slack/bolt";
import { mayDecide } from "../core/approval-rules.js";
import { BatonError, describeError, isBatonError } from "../core/errors.js";
import type { ApprovalRecord } from "../core/ports.js";
import { parseCommand, type BatonCommand } from "./command-parser.js";
import { buildRunInputModal, singleTextField } from "./modals/run-input-modal.js";
import {
  ephemeral,
  renderChainList,
  renderError,
  renderHelp,
  renderPendingList,
  renderRunList,
  renderRunStatus,
  startedMessage,
  textReply,
} from "./render/command-replies.js";
import { escapeMrkdwn, md } from "./render/mrkdwn.js";
import { chainViewOf } from "./render/progress-card.js";
import { openRfpForm } from "./rfp-form.js";
import { REVIEW_INTENT, reviewFromSlack } from "./command-intents.js";
import { mentionableOf, rerunForUser, retryForUser } from "./retry-actions.js";
import { slackOrigin, type SlackServices } from "./slack-services.js";
import { withinBudget, type SlackClient } from "./slack-web-client.js";

/**
 * `/baton` subcommands. A command that only reads acknowledges first (help is the
 * acknowledgement itself, since it needs no I/O). A command that changes something (a run
 * started from the command's text, a cancel, a retry or re-run) writes it before its ack: Slack never redelivers
 * an acknowledged command, so what was acknowledged must be in the store. The answer follows
 * through `respond` (the command's response_url), ephemeral.
 */

interface CommandContext {
  userId: string;
  channelId: string;
  triggerId: string;
  respond: RespondFn;
  client: SlackClient;
  /** Acknowledge the command (once; later calls do nothing). */
  acknowledge(): Promise<void>;
}

/** Subcommands that change something, and so acknowledge only once it is written. */
const WRITES_BEFORE_ACK: ReadonlySet<BatonCommand["kind"]> = new Set(["run", "cancel", "retry", "rerun", "review"]);

/** Budget for opening a modal: the trigger id dies 3 s after the click, and ack took some of it. */
const MODAL_BUDGET_MS = 2_000;

export function registerCommands(app: App, services: SlackServices): void {
  app.command("/baton", async ({ command, ack, respond, client }) => {
    const parsed = parseCommand(command.text);
    if (parsed.kind === "help") {
      await ack(ephemeral(renderHelp({ scripted: services.scripted, notUnderstood: parsed.notUnderstood })));
      return;
    }
    let acknowledged = false;
    const acknowledge = async (): Promise<void> => {
      if (acknowledged) return;
      acknowledged = true;
      await ack();
    };
    const context: CommandContext = { userId: command.user_id, channelId: command.channel_id, triggerId: command.trigger_id, respond, client, acknowledge };
    try {
      await handleCommand(parsed, context, services);
      await acknowledge();
    } catch (error) {
      await acknowledge();
      if (!isBatonError(error)) services.logger.error({ command: parsed.kind, error: describeError(error) }, "a /baton command failed");
      const runId = "runId" in parsed ? parsed.runId : undefined;
      await respond(
        ephemeral(
          renderError({ code: isBatonError(error) ? error.code : "INTERNAL", message: describeError(error), runId, mentionable: mentionableOf(error) }),
        ),
      );
    }
  });
}

async function handleCommand(command: Exclude<BatonCommand, { kind: "help" }>, context: CommandContext, services: SlackServices): Promise<void> {
  const { store, chains, clock, respond } = { ...services, respond: context.respond };
  // Reads answer after the ack; run, cancel, retry, rerun and review acknowledge once what they wrote is durable.
  if (!WRITES_BEFORE_ACK.has(command.kind)) await context.acknowledge();
  switch (command.kind) {
    case "chains":
      await respond(ephemeral(renderChainList(chains.list().map(chainViewOf))));
      return;
    case "run":
      await startFromCommand(command.chainId, command.text, context, services);
      return;
    case "status": {
      const run = await store.getRun(command.runId);
      if (!run)
        throw new BatonError("RUN_NOT_FOUND", `There is no run "${command.runId}". List recent runs with \`/baton runs all\`.`, { runId: command.runId });
      const [steps, approvals] = await Promise.all([store.getSteps(run.id), store.listApprovals({ runId: run.id, limit: 1_000 })]);
      const chain = chainViewOf(chains.get(run.chainId));
      await respond(ephemeral(renderRunStatus({ run, chain, steps, approvals, scripted: services.scripted, now: clock.now() })));
      return;
    }
    case "runs": {
      const runs = await store.listRuns({ limit: 15, ...(command.scope === "mine" ? { startedBy: context.userId } : {}) });
      await respond(ephemeral(renderRunList(runs, { scope: command.scope, now: clock.now() })));
      return;
    }
    case "pending": {
      const pending = await approvalsFor(context.userId, services);
      const items = await Promise.all(
        pending.map(async (approval) => ({
          approval,
          run: await store.getRun(approval.runId),
          chainTitle: chains.has(approval.chainId) ? chains.get(approval.chainId).title : approval.chainId,
        })),
      );
      await respond(
        ephemeral(
          renderPendingList(
            items.flatMap((item) => (item.run ? [{ approval: item.approval, run: item.run, chainTitle: item.chainTitle }] : [])),
            clock.now(),
          ),
        ),
      );
      return;
    }
    case "cancel":
      await cancelFromCommand(command.runId, command.reason, context, services);
      return;
    case "retry": {
      // The retry (a compare-and-set on the run's status) is committed before the ack.
      const reply = await retryForUser(command.runId, context.userId, services);
      await context.acknowledge();
      await respond(ephemeral(textReply(reply)));
      return;
    }
    case "rerun": {
      // The new run (with the copied outputs) is committed before the ack.
      const reply = await rerunForUser({ runId: command.runId, stepId: command.stepId, userId: context.userId, channelId: context.channelId }, services);
      await context.acknowledge();
      await respond(ephemeral(textReply(reply)));
      return;
    }
    case "rfp":
      await openRfpForm(context, services);
      return;
    case "review": {
      // GitHub is read before the run starts: too slow to wait for before the ack, so the
      // request is recorded as an intent first; a process that dies after the ack leaves it
      // for the next one (resumeIntents).
      const { pullRequest } = command;
      const intentId = await services.intents.recordIntent({
        kind: REVIEW_INTENT,
        payload: { repository: pullRequest.repository, number: pullRequest.number, userId: context.userId, channelId: context.channelId },
        at: clock.now(),
      });
      await context.acknowledge();
      try {
        await respond(ephemeral(await reviewFromSlack(pullRequest, context.userId, context.channelId, services)));
      } finally {
        await services.intents.finishIntent(intentId, clock.now());
      }
      return;
    }
  }
}

/** Pending approvals this user may decide, oldest first. */
export async function approvalsFor(userId: string, services: SlackServices): Promise<ApprovalRecord[]> {
  const pending = await services.store.listApprovals({ statuses: ["pending"], limit: 200 });
  const allowed = await Promise.all(
    pending.map(async (approval) => {
      const actor = await services.directory.actorFor(userId, approval.approvers);
      return mayDecide(approval, actor).allowed ? approval : undefined;
    }),
  );
  return allowed.filter((approval): approval is ApprovalRecord => approval !== undefined);
}

async function startFromCommand(chainId: string, text: string, context: CommandContext, services: SlackServices): Promise<void> {
  const chain = services.chains.get(chainId);
  const textField = singleTextField(chain.input);
  let input: unknown;
  if (text.startsWith("{")) {
    try {
      input = JSON.parse(text) as unknown;
    } catch (error) {
      throw new BatonError(
        "COMMAND_INVALID",
        `The text after \`${chainId}\` starts with { but is not valid JSON (${describeError(error)}). Fix the JSON, or run \`/baton run ${chainId}\` without text to fill in a form.`,
        { chainId },
      );
    }
  } else if (text !== "" && textField !== undefined) {
    input = { [textField]: text };
  } else {
    // No text, or a chain with several fields: the form built from its input schema.
    const view = buildRunInputModal({ chainId, chainTitle: chain.title, schema: chain.input, channelId: context.channelId });
    // Nothing is written until the form is submitted (and that submission writes before its ack).
    await context.acknowledge();
    await withinBudget("the run form", MODAL_BUDGET_MS, () => context.client.views.open({ trigger_id: context.triggerId, view }));
    return;
  }
  // The run is recorded (one insert) before the ack; its steps execute after.
  const { runId } = await services.runner.start(chainId, input, { startedBy: context.userId, origin: slackOrigin(context.channelId, context.userId) });
  await context.acknowledge();
  await context.respond(ephemeral(startedMessage(runId, chain.title, services.scripted)));
}

async function cancelFromCommand(runId: string, reason: string, context: CommandContext, services: SlackServices): Promise<void> {
  const { store, chains, directory, runner } = services;
  const run = await store.getRun(runId);
  if (!run) throw new BatonError("RUN_NOT_FOUND", `There is no run "${runId}". List recent runs with \`/baton runs all\`.`, { runId });
  // Whoever started a run may stop it; so may anyone who may approve its chain.
  const approvers = chains.has(run.chainId) ? chains.get(run.chainId).approvers : [];
  if (run.startedBy !== context.userId && approvers.length > 0) {
    const actor = await directory.actorFor(context.userId, approvers);
    const memberships = new Set([actor.id, ...(actor.groupIds ?? [])]);
    if (!approvers.some((approver) => memberships.has(approver))) {
      throw new BatonError("APPROVAL_NOT_ALLOWED", `Only ${run.startedBy}, who started run ${runId}, or ${approvers.join(", ")} may cancel it.`, { runId });
    }
  }
  await runner.cancel(runId, context.userId, reason);
  await context.acknowledge();
  await context.respond(ephemeral(textReply(md`Cancelled run \`${escapeMrkdwn(runId)}\`${reason ? md`: ${escapeMrkdwn(reason)}` : md``}.`)));
}

import type { App } from "@slack/bolt";
import { BatonError, describeError, isBatonError } from "../core/errors.js";
import type { ApprovalRecord } from "../core/ports.js";
import type { DecisionRequest } from "../core/runner.js";
import { publishHome } from "./app-home.js";
import { checkClickSource, clickSourceOf, replierFor, type ClickSource } from "./click-source.js";
import { buildFeedbackModal, buildRejectModal, readFeedback, readReason, REJECT_CALLBACK_ID, REQUEST_CHANGES_CALLBACK_ID } from "./modals/decision-modals.js";
import { buildEditModal, EDIT_CALLBACK_ID } from "./modals/edit-modal.js";
import { openSealedApprovalMetadata, sealedApprovalMetadata } from "./modals/sealed-metadata.js";
import { readFormValues } from "./modals/schema-form.js";
import { APPROVAL_ACTION_IDS } from "./render/approval-card.js";
import { renderError, textReply } from "./render/command-replies.js";
import { md, mention, plainFallback, slackDate, type Mrkdwn } from "./render/mrkdwn.js";
import type { SlackServices } from "./slack-services.js";
import type { SlackMessage } from "./render/types.js";
import { withinBudget, type SlackClient } from "./slack-web-client.js";

/**
 * The approval card's buttons and the modals behind them. Button values and `private_metadata`
 * carry only the approval id; everything else is read from the store when the click arrives.
 * Who may decide is checked by the runner at decision time (groups resolved now), and a decision
 * is one compare-and-set, so double clicks, two approvers and Slack's retries decide once; the
 * others are told who decided first.
 */

const MODAL_BUDGET_MS = 2_000;

type ViewErrors = { response_action: "errors"; errors: Record<string, string> };

function buttonValue(action: unknown): string {
  const value = typeof action === "object" && action !== null ? (action as { value?: unknown }).value : undefined;
  if (typeof value !== "string" || value === "")
    throw new BatonError("COMMAND_INVALID", "This button carries no approval id; it may come from an old card. Use `/baton pending` to find the approval.");
  return value;
}

/** The first input block of a submitted modal: where errors that belong to no field are shown. */
function firstInputBlockId(view: { blocks?: ReadonlyArray<unknown> }): string {
  for (const block of view.blocks ?? []) {
    if (typeof block === "object" && block !== null && (block as { type?: unknown }).type === "input") {
      const blockId = (block as { block_id?: unknown }).block_id;
      if (typeof blockId === "string") return blockId;
    }
  }
  return "value";
}

/** Modal errors are plain text: dates as their fallback, mentions as the bare id. */
function inlineText(mrkdwnText: Mrkdwn): string {
  return plainFallback(mrkdwnText).replace(/<@([A-Z0-9]+)>/g, "$1");
}

export function alreadyDecidedText(approval: ApprovalRecord): Mrkdwn {
  if (approval.status === "expired") return md`This approval expired before anyone decided; the run ended.`;
  if (approval.status === "cancelled") return md`This run was cancelled; there is nothing left to decide.`;
  const who = approval.decidedBy ? mention(approval.decidedBy) : md`someone`;
  const when = approval.decidedAt ? md` at ${slackDate(approval.decidedAt)}` : md``;
  const what = {
    approved: md`approved`,
    edited: md`edited and approved`,
    changes_requested: md`requested changes to`,
    rejected: md`rejected`,
    pending: md`is deciding`,
  }[approval.status];
  return md`Already decided: ${who} ${what} this${when}.`;
}

export function registerApprovalActions(app: App, services: SlackServices): void {
  const { store, chains, runner, directory, logger } = services;

  async function loadPending(approvalId: string): Promise<ApprovalRecord> {
    const approval = await store.getApproval(approvalId);
    if (!approval)
      throw new BatonError("APPROVAL_NOT_FOUND", `There is no approval "${approvalId}". Use \`/baton pending\` to see what waits for you.`, { approvalId });
    return approval;
  }

  /** Decide for `userId`; resolves with what the person should be told (undefined: the card says it). */
  async function decide(approvalId: string, request: DecisionRequest, userId: string): Promise<Mrkdwn | undefined> {
    const approval = await loadPending(approvalId);
    if (approval.status !== "pending") return alreadyDecidedText(approval);
    const actor = await directory.actorFor(userId, approval.approvers);
    const result = await runner.decide(approval.id, request, actor);
    return result.applied ? undefined : alreadyDecidedText(result.approval);
  }

  type Reply = (message: SlackMessage) => Promise<unknown>;

  async function answer(reply: Reply, text: Mrkdwn | undefined): Promise<void> {
    if (text !== undefined) await reply(textReply(text));
  }

  /** A click from the App Home: the tab is drawn again, so it shows what the click changed. */
  async function refreshHome(source: ClickSource, client: SlackClient): Promise<void> {
    if (source.kind !== "home") return;
    await publishHome(source.userId, client, services).catch((error: unknown) =>
      logger.warn({ userId: source.userId, error: describeError(error) }, "could not refresh the App Home after a click"),
    );
  }

  async function answerError(reply: Reply, error: unknown, approvalId: string | undefined): Promise<void> {
    if (!isBatonError(error)) logger.error({ approvalId, error: describeError(error) }, "an approval action failed");
    const approval = approvalId ? await store.getApproval(approvalId).catch(() => undefined) : undefined;
    // renderError shows the Slack ids in the message (who may decide) as mentions.
    await reply(
      renderError({
        code: isBatonError(error) ? error.code : "INTERNAL",
        message: describeError(error),
        runId: approval?.runId,
        mentionable: approval ? [...approval.approvers, approval.requestedBy] : [],
      }),
    );
  }

  app.action(APPROVAL_ACTION_IDS.approve, async ({ ack, body, action, respond, client }) => {
    // Acknowledge only what is durable: Slack never redelivers an acknowledged click, so the
    // decision (one compare-and-set, about a millisecond) is committed before the ack. The run
    // goes on, and the card is updated, after it; a process killed in between is recovered.
    const source = clickSourceOf(body, action);
    const reply = replierFor(source, respond, client);
    let approvalId: string | undefined;
    let outcome: { told: Mrkdwn | undefined } | { error: unknown };
    try {
      approvalId = buttonValue(action);
      await checkClickSource(source, approvalId, services.ledger);
      outcome = { told: await decide(approvalId, { kind: "approve" }, body.user.id) };
    } catch (error) {
      outcome = { error };
    }
    await ack();
    if ("error" in outcome) await answerError(reply, outcome.error, approvalId);
    else await answer(reply, outcome.told);
    await refreshHome(source, client);
  });

  /** The three buttons that open a modal: open it first (the trigger id is short-lived). */
  const openModalFor = (
    actionId: string,
    build: (approval: ApprovalRecord, stepTitle: string) => Parameters<SlackClient["views"]["open"]>[0]["view"],
  ): void => {
    app.action(actionId, async ({ ack, body, action, respond, client }) => {
      await ack();
      const source = clickSourceOf(body, action);
      const reply = replierFor(source, respond, client);
      let approvalId: string | undefined;
      try {
        approvalId = buttonValue(action);
        await checkClickSource(source, approvalId, services.ledger);
        const approval = await loadPending(approvalId);
        if (approval.status !== "pending") {
          await answer(reply, alreadyDecidedText(approval));
          return await refreshHome(source, client);
        }
        const step = chains.get(approval.chainId).steps[approval.stepIndex];
        // Sealed: a submission names the approval this form was opened for, or is refused.
        const view = { ...build(approval, step?.description ?? approval.stepId), private_metadata: sealedApprovalMetadata(approval.id, services.formKey) };
        const triggerId = (body as { trigger_id?: unknown }).trigger_id;
        if (typeof triggerId !== "string")
          throw new BatonError("COMMAND_INVALID", "Slack sent this click without a trigger id, so no form can open. Click the button again.");
        await withinBudget("the form", MODAL_BUDGET_MS, () => client.views.open({ trigger_id: triggerId, view }));
      } catch (error) {
        await answerError(reply, error, approvalId);
        await refreshHome(source, client);
      }
    });
  };

  openModalFor(APPROVAL_ACTION_IDS.edit, (approval, stepTitle) => {
    const step = chains.get(approval.chainId).steps[approval.stepIndex];
    if (!step?.output) {
      throw new BatonError(
        "EDIT_INVALID",
        `Step "${approval.stepId}" declares no output schema, so it cannot be edited in a form. Approve it, request changes, or edit it at a terminal with \`baton approve ${approval.id} --edit\`.`,
        { approvalId: approval.id },
      );
    }
    return buildEditModal({ approvalId: approval.id, stepTitle, schema: step.output, proposal: approval.proposal, scripted: services.scripted });
  });
  openModalFor(APPROVAL_ACTION_IDS.requestChanges, (approval, stepTitle) => buildFeedbackModal(approval.id, stepTitle));
  openModalFor(APPROVAL_ACTION_IDS.reject, (approval, stepTitle) => buildRejectModal(approval.id, stepTitle));

  /** A modal submission that decides: errors go back inline, on the form, and nothing changes. */
  const onDecisionSubmit = (
    callbackId: string,
    read: (approval: ApprovalRecord, stateValues: unknown) => { ok: true; request: DecisionRequest } | { ok: false; errors: Record<string, string> },
  ): void => {
    app.view(callbackId, async ({ ack, body, view }) => {
      const errorBlock = firstInputBlockId(view);
      const fail = (text: string): Promise<void> => ack({ response_action: "errors", errors: { [errorBlock]: text.slice(0, 150) } } satisfies ViewErrors);
      try {
        const metadata = openSealedApprovalMetadata(view.private_metadata, services.formKey);
        if (!metadata.ok) {
          logger.warn(
            { callbackId, userId: body.user.id, viewId: view.id, reason: metadata.message },
            "refused a decision form whose metadata baton did not seal",
          );
          return await fail(`baton cannot trust this form: ${metadata.message}. Nothing was decided. Close it and click the button on the card again.`);
        }
        const approval = await loadPending(metadata.approvalId);
        if (approval.status !== "pending") return await fail(inlineText(alreadyDecidedText(approval)));
        const reading = read(approval, view.state.values);
        if (!reading.ok) return await ack({ response_action: "errors", errors: reading.errors } satisfies ViewErrors);
        const told = await decide(approval.id, reading.request, body.user.id);
        if (told !== undefined) return await fail(inlineText(told));
        await ack();
      } catch (error) {
        if (!isBatonError(error)) logger.error({ callbackId, error: describeError(error) }, "a decision form failed");
        await fail(isBatonError(error) ? error.message : `baton could not record this decision (${describeError(error)}). Try again.`);
      }
    });
  };

  onDecisionSubmit(EDIT_CALLBACK_ID, (approval, stateValues) => {
    const step = chains.get(approval.chainId).steps[approval.stepIndex];
    if (!step?.output) return { ok: false, errors: { value: `Step "${approval.stepId}" cannot be edited in a form.` } };
    const reading = readFormValues(step.output, stateValues, approval.proposal);
    return reading.ok ? { ok: true, request: { kind: "edit", output: reading.value } } : reading;
  });
  onDecisionSubmit(REQUEST_CHANGES_CALLBACK_ID, (_approval, stateValues) => {
    const reading = readFeedback(stateValues);
    return reading.ok ? { ok: true, request: { kind: "request_changes", feedback: reading.text } } : reading;
  });
  onDecisionSubmit(REJECT_CALLBACK_ID, (_approval, stateValues) => {
    const reading = readReason(stateValues);
    return reading.ok ? { ok: true, request: { kind: "reject", reason: reading.text } } : reading;
  });
}

import type { RunRecord } from "../../core/ports.js";
import { BLOCK_LIMITS, fitBetween, fitBlocks, splitIntoSections, truncateText } from "./block-limits.js";
import { context, divider, header, scriptedNotice, section } from "./blocks.js";
import { relative } from "./format.js";
import { escapeMrkdwn, joinMrkdwn, md, mention, mentionIdsIn, plainFallback, type Mrkdwn } from "./mrkdwn.js";
import { pendingItemBlocks, type PendingItem } from "./pending-item.js";
import { renderProgressCard, type ProgressCardInput } from "./progress-card.js";
import { STATUS_LABELS } from "./run-status.js";
import type { Block, ChainView, SlackMessage } from "./types.js";

export type { PendingItem } from "./pending-item.js";

/** The ephemeral answers to `/baton` subcommands. */

function message(text: Mrkdwn, blocks: Block[]): SlackMessage {
  return {
    text: truncateText(plainFallback(text), BLOCK_LIMITS.messageText),
    blocks: fitBlocks(blocks, BLOCK_LIMITS.messageBlocks, (leftOut) => md`… ${leftOut} more not shown.`, {
      maxCharacters: BLOCK_LIMITS.messageBlocksTextBudget,
    }),
  };
}

/** A one-section reply: `text` that is already mrkdwn (escaped or built). */
export function textReply(text: Mrkdwn): SlackMessage {
  return message(text, [section(text)]);
}

/** Every subcommand: its syntax, what it does, and an example. */
export const COMMANDS: ReadonlyArray<{ usage: string; description: string; example: string }> = [
  { usage: "/baton help", description: "this list", example: "/baton help" },
  { usage: "/baton chains", description: "the chains you can run, with their steps", example: "/baton chains" },
  {
    usage: "/baton run <chain> [text or JSON]",
    description: "start a run; without input a form opens",
    example: "/baton run solution-brief A customer portal for 40k users",
  },
  { usage: "/baton status <run-id>", description: "a run's steps, durations, tokens, cost and outcome", example: "/baton status r_mhx3k2a1-0001-7fq2" },
  { usage: "/baton runs [mine|all]", description: "recent runs, yours unless you say `all`", example: "/baton runs all" },
  { usage: "/baton pending", description: "approvals waiting for you, with their buttons", example: "/baton pending" },
  { usage: "/baton rfp", description: "answer an RFP: a form for its title, customer and document (a shared file or pasted text)", example: "/baton rfp" },
  {
    usage: "/baton review <pull request URL>",
    description: "review a pull request's Terraform changes (posted to GitHub after approval)",
    example: "/baton review https://github.com/acme/infra/pull/42",
  },
  {
    usage: "/baton cancel <run-id> [reason]",
    description: "stop a run you started (or may approve)",
    example: "/baton cancel r_mhx3k2a1-0001-7fq2 wrong service",
  },
  {
    usage: "/baton retry <run-id>",
    description: "continue a failed or expired run from the step that did not finish (its starter or its chain's approvers)",
    example: "/baton retry r_mhx3k2a1-0001-7fq2",
  },
  {
    usage: "/baton rerun <run-id> <step>",
    description: "a new run of a finished run from one of its steps, the outputs before it copied",
    example: "/baton rerun r_mhx3k2a1-0001-7fq2 architecture",
  },
];

/**
 * The help: every subcommand with a line on what it does and an example. `notUnderstood` (what
 * was wrong with the command typed) comes first when the help answers a mistake.
 */
export function renderHelp(options: { scripted: boolean; notUnderstood?: string | undefined }): SlackMessage {
  const lines = joinMrkdwn(
    COMMANDS.map((command) => md`\`${escapeMrkdwn(command.usage)}\` — ${escapeMrkdwn(command.description)}\n        e.g. \`${escapeMrkdwn(command.example)}\``),
    "\n",
  );
  const blocks: Block[] = [];
  if (options.notUnderstood) blocks.push(section(md`:thinking_face: ${escapeMrkdwn(options.notUnderstood)}`));
  blocks.push(section(md`*baton* runs multi-step workflows and asks a person before anything risky.\n${lines}`));
  if (options.scripted) blocks.push(scriptedNotice());
  const intro = options.notUnderstood ? `${options.notUnderstood} ` : "";
  return message(md`${escapeMrkdwn(intro)}baton commands: ${escapeMrkdwn(COMMANDS.map((command) => command.usage).join(", "))}`, blocks);
}

/** The loaded chains: title, id, description, and their steps (gated ones marked). */
export function renderChainList(chains: ReadonlyArray<ChainView>): SlackMessage {
  if (chains.length === 0) return message(md`No chains are loaded.`, [section(md`No chains are loaded: add one under \`chains/\` and restart baton.`)]);
  const blocks = chains.map((chain) => {
    const steps = joinMrkdwn(
      chain.steps.map((step) => md`${escapeMrkdwn(step.id)}${step.gated ? md` :raised_hand:` : md``}`),
      " → ",
    );
    const description = chain.description ? md`\n${escapeMrkdwn(chain.description)}` : md``;
    return section(md`*${escapeMrkdwn(chain.title)}* \`${escapeMrkdwn(chain.id)}\`${description}\n_${steps}_`);
  });
  const tail = [context(md`:raised_hand: a person approves that step. Start a run with \`/baton run &lt;chain&gt;\`.`)];
  const fitted = fitBetween({ top: [header("Chains")], body: blocks, tail }, BLOCK_LIMITS.messageBlocks, (leftOut) => md`… ${leftOut} more chains not shown.`);
  return message(
    md`Chains: ${joinMrkdwn(
      chains.map((chain) => escapeMrkdwn(chain.id)),
      ", ",
    )}`,
    fitted,
  );
}

/**
 * Recent runs, one line each: id, chain, status, who started it and when. `scope` only changes
 * the title: the caller has already chosen the runs.
 */
export function renderRunList(runs: ReadonlyArray<RunRecord>, options: { scope: "mine" | "all"; now: number }): SlackMessage {
  const title = options.scope === "mine" ? md`Your recent runs` : md`Recent runs`;
  if (runs.length === 0) return message(md`${title}: none`, [section(md`${title}: none yet. Start one with \`/baton run &lt;chain&gt;\`.`)]);
  const lines = runs.map(
    (run) =>
      md`\`${escapeMrkdwn(run.id)}\` *${escapeMrkdwn(run.chainId)}* · ${STATUS_LABELS[run.status]} · ${mention(run.startedBy)} · ${escapeMrkdwn(relative(run.createdAt, options.now))}`,
  );
  const body = splitIntoSections(joinMrkdwn(lines, "\n")).map((piece) => section(piece));
  const fitted = fitBetween(
    { top: [section(md`*${title}*`)], body, tail: [context(md`\`/baton status &lt;run-id&gt;\` shows one run.`)] },
    BLOCK_LIMITS.messageBlocks,
    (leftOut) => md`… ${leftOut} more not shown.`,
  );
  return message(
    md`${title}: ${joinMrkdwn(
      runs.map((run) => md`${escapeMrkdwn(run.id)} ${escapeMrkdwn(run.status)}`),
      ", ",
    )}`,
    fitted,
  );
}

/** One run's status: its progress card, as a reply. */
export function renderRunStatus(input: ProgressCardInput): SlackMessage {
  return renderProgressCard(input);
}

/** How many approvals the list shows with buttons (two blocks each, within 50 a message). */
const PENDING_SHOWN = 15;

/** The approvals waiting for the person, each with its buttons. */
export function renderPendingList(items: ReadonlyArray<PendingItem>, now: number): SlackMessage {
  if (items.length === 0) return message(md`Nothing is waiting for you.`, [section(md`:tada: Nothing is waiting for your approval.`)]);
  const blocks: Block[] = [section(md`*${items.length} approval${items.length === 1 ? md`` : md`s`} waiting for you*`)];
  for (const item of items.slice(0, PENDING_SHOWN)) blocks.push(divider, ...pendingItemBlocks(item, now));
  if (items.length > PENDING_SHOWN) blocks.push(context(md`… and ${items.length - PENDING_SHOWN} more; decide these first, then ask again.`));
  return message(
    md`${items.length} approvals waiting for you: ${joinMrkdwn(
      items.map((item) => escapeMrkdwn(item.approval.id)),
      ", ",
    )}`,
    blocks,
  );
}

/**
 * An error, as a reply: its code, its message (which says how to fix it) and the run it concerns.
 * The message is escaped; the Slack ids in it that baton holds (`mentionable`: who may decide)
 * become mentions, and any other id in it stays text.
 */
export function renderError(error: {
  code: string;
  message: string;
  runId?: string | undefined;
  mentionable?: ReadonlyArray<string> | undefined;
}): SlackMessage {
  const run = error.runId ? md`\nRun \`${escapeMrkdwn(error.runId)}\` — \`/baton status ${escapeMrkdwn(error.runId)}\` shows it.` : md``;
  const line = md`:warning: \`${escapeMrkdwn(error.code)}\` ${mentionIdsIn(escapeMrkdwn(error.message), new Set(error.mentionable ?? []))}${run}`;
  return message(md`${escapeMrkdwn(error.code)}: ${escapeMrkdwn(error.message)}${error.runId ? md` (run ${escapeMrkdwn(error.runId)})` : md``}`, [
    section(line),
  ]);
}

/** A reply only the person who asked sees (a `response_url` or slash-command answer). */
export function ephemeral(message: SlackMessage): { response_type: "ephemeral"; replace_original: false; text: string; blocks: SlackMessage["blocks"] } {
  return { response_type: "ephemeral", replace_original: false, text: message.text, blocks: message.blocks };
}

/** What the person who started a run is told. */
export function startedMessage(runId: string, chainTitle: string, scripted: boolean): SlackMessage {
  const note = scripted ? md` (scripted demo model: answers come from the chain's examples, not a real model)` : md``;
  return textReply(
    md`Started *${escapeMrkdwn(chainTitle)}* as run \`${escapeMrkdwn(runId)}\`${note}. Its progress card is in this channel; \`/baton status ${escapeMrkdwn(runId)}\` shows it any time.`,
  );
}

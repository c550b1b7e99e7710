import { encodeUntrusted } from "./untrusted-text.js";

/**
 * Fitting untrusted data into a model's context by design: a step's `user` prompt gets a
 * `PromptBudget` (the tokens it may use, counted by the model's tokenizer) and builds its data
 * with the helpers here — identical items folded into one line with a count, long values cut
 * with a marker, the rest summarised in one line — and every cut is recorded in the step's
 * audit entry.
 */

/** Something cut or left out so a prompt fits; recorded in the model call's audit entry. */
export interface PromptCut {
  /** What: "alerts", "alert label values", "diff", "request"… */
  what: string;
  /** folded: identical items became one line with a count; cut: text shortened with a marker; left_out: items summarised in one line. */
  how: "folded" | "cut" | "left_out";
  /** Items (or characters, for `cut`) before and after. */
  before: number;
  after: number;
}

/** The room a step's user prompt has, and how to count it. */
export interface PromptBudget {
  /** The model the prompt is for. */
  readonly model: string;
  /**
   * Tokens the user prompt may take: the model's context window less the system prompt, the
   * response schema, room for the answer and for one re-ask.
   */
  readonly tokens: number;
  /** Tokens of `text` as the model counts them. */
  count(text: string): number;
  /** Note a cut for the step's audit entry (the helpers below do it themselves). */
  recordCut(cut: PromptCut): void;
}

/** A budget for one prompt, collecting its cuts. */
export function createPromptBudget(model: string, tokens: number, count: (text: string) => number): PromptBudget & { readonly cuts: PromptCut[] } {
  const cuts: PromptCut[] = [];
  return { model, tokens, count, cuts, recordCut: (cut) => void cuts.push(cut) };
}

function safeEnd(text: string, end: number): number {
  // Never split a surrogate pair: the cut would leave half a character.
  const code = text.charCodeAt(end - 1);
  return code >= 0xd800 && code <= 0xdbff ? end - 1 : end;
}

/** The marker that ends a cut value: what was left out, in characters. */
export function cutMarker(leftOut: number): string {
  return `…[cut ${leftOut.toLocaleString("en-US")} characters]`;
}

/**
 * `text` cut to at most `maxCharacters` (the marker comes on top), encoded as untrusted text.
 * Cheap (no tokenizer): for the many small values of a large payload (label values).
 */
export function cutCharacters(text: string, maxCharacters: number): { text: string; cut: boolean } {
  if (text.length <= maxCharacters) return { text: encodeUntrusted(text), cut: false };
  const end = safeEnd(text, Math.max(0, maxCharacters));
  return { text: encodeUntrusted(text.slice(0, end)) + cutMarker(text.length - end), cut: true };
}

/**
 * `text`, encoded as untrusted text, cut with a marker to at most `maxTokens` tokens. The cut is
 * recorded as `what`.
 */
export function fitText(text: string, maxTokens: number, budget: PromptBudget, what: string): string {
  return cutToTokens(encodeUntrusted(text), maxTokens, budget, what);
}

/** `text` as it is (baton's own text around data: encode data first), cut with a marker to `maxTokens`; the cut recorded as `what`. */
export function cutToTokens(text: string, maxTokens: number, budget: PromptBudget, what: string): string {
  const tokens = budget.count(text);
  if (tokens <= maxTokens) return text;
  // Tokens per character vary, so shrink from a proportional first guess until it fits.
  let end = Math.floor((text.length * Math.max(0, maxTokens)) / tokens);
  for (;;) {
    end = safeEnd(text, Math.max(0, end));
    const candidate = text.slice(0, end) + cutMarker(text.length - end);
    if (end === 0 || budget.count(candidate) <= maxTokens) {
      budget.recordCut({ what, how: "cut", before: text.length, after: end });
      return end === 0 ? "" : candidate;
    }
    end = Math.floor(end * 0.9);
  }
}

export interface FitListOptions<Item> {
  /** One item as one line (or a few); it is encoded as untrusted text here. Bound its size first (`cutCharacters`). */
  render: (item: Item) => string;
  /** Tokens the whole list may take, its summary line included. */
  maxTokens: number;
  /** The items' plural name: "alerts", "resource changes". */
  noun: string;
  /** What the items left out have in common, for the summary line: "3 alert names, 2 services". */
  summarise?: (leftOut: ReadonlyArray<Item>) => string;
}

/** Room kept for the summary line of the items left out. */
const SUMMARY_TOKENS = 80;

/**
 * A list of untrusted items that fits `maxTokens`: identical items (the same rendered text)
 * folded into one line with a count, then as many lines as fit in order, then one line
 * summarising the rest ("… and 980 more alerts: 3 alert names, 2 services"). Folds and
 * omissions are recorded on the budget as `noun`.
 */
export function fitList<Item>(items: ReadonlyArray<Item>, budget: PromptBudget, options: FitListOptions<Item>): string {
  const groups = new Map<string, { first: Item; count: number; members: Item[] }>();
  for (const item of items) {
    const line = encodeUntrusted(options.render(item));
    const group = groups.get(line);
    if (group) {
      group.count += 1;
      group.members.push(item);
    } else groups.set(line, { first: item, count: 1, members: [item] });
  }
  if (groups.size < items.length) budget.recordCut({ what: options.noun, how: "folded", before: items.length, after: groups.size });

  const lines: string[] = [];
  let used = 0;
  const entries = [...groups.entries()];
  let shown = 0;
  const room = (index: number): number => options.maxTokens - (index < entries.length - 1 ? SUMMARY_TOKENS : 0);
  for (const [line, group] of entries) {
    const text = group.count > 1 ? `${line} (×${String(group.count)} identical)` : line;
    const tokens = budget.count(text) + 1;
    if (used + tokens > room(shown)) {
      // Not even the first item fits whole: show as much of it as fits rather than nothing.
      if (shown === 0) {
        const cut = fitText(text, Math.max(0, room(0) - used - 1), budget, options.noun);
        if (cut !== "") {
          lines.push(cut);
          used += budget.count(cut) + 1;
          shown += 1;
        }
      }
      break;
    }
    lines.push(text);
    used += tokens;
    shown += 1;
  }
  if (shown < entries.length) {
    const leftOut = entries.slice(shown).flatMap(([, group]) => group.members);
    const summary = options.summarise ? `: ${encodeUntrusted(options.summarise(leftOut))}` : "";
    lines.push(`… and ${leftOut.length.toLocaleString("en-US")} more ${options.noun}${summary}`);
    budget.recordCut({ what: options.noun, how: "left_out", before: items.length, after: items.length - leftOut.length });
  }
  return lines.join("\n");
}

/** "3 alert names, 2 services": how many different values of each kind a set of items has. */
export function countDistinct<Item>(
  items: ReadonlyArray<Item>,
  kinds: ReadonlyArray<{ plural: string; singular: string; of: (item: Item) => string | null | undefined }>,
): string {
  return kinds
    .map((kind) => {
      const values = new Set(items.map(kind.of).filter((value): value is string => value !== null && value !== undefined && value !== ""));
      return `${values.size.toLocaleString("en-US")} ${values.size === 1 ? kind.singular : kind.plural}`;
    })
    .join(", ");
}

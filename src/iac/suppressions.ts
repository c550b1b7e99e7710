import { z } from "zod";
import { BatonError } from "../core/errors.js";
import { formatPath } from "../core/validation.js";
import { parseUnifiedDiff } from "./diff-blocks.js";
import { bracketBalance } from "./hcl-values.js";
import type { Finding } from "./policy.js";
import { RULE_PACK } from "./rule-pack.js";

/**
 * Suppressions: a finding a team has accepted, with why and until when. Written in the policy
 * file (`"suppressions": [{ "rule", "address", "reason", "until" }]`) or inline in a `.tf` file
 * (`# baton:ignore RULE_ID reason="…" until=2027-03-31`, inside the resource block or on the lines
 * just above its header), read from what a diff shows of the new side. A suppressed finding is
 * still listed with its reason; past `until` it counts again. A suppression without a reason is
 * refused: an unexplained exception is what a platform team cannot audit.
 */

export interface Suppression {
  /** A baton rule id, `COST_MONTHLY_INCREASE`, or a Checkov / Trivy check id. */
  rule: string;
  address: string;
  reason: string;
  until?: string;
  /** "policy file suppressions[0]" or "network/main.tf:12". */
  where: string;
}

/** The cost finding's id: not a rule of the pack (it reads Infracost, not a resource change). */
export const COST_RULE_ID = "COST_MONTHLY_INCREASE";

const SCANNER_ID = /^(CKV2?_[A-Z0-9_]+|AVD-[A-Z0-9]+-\d+|[A-Z]+-\d{4})$/;
const knownRule = (rule: string): boolean => rule === COST_RULE_ID || RULE_PACK.some((candidate) => candidate.id === rule) || SCANNER_ID.test(rule);

const FORM_FILE = '{ "rule": "AWS_SG_OPEN_INGRESS", "address": "aws_security_group.admin", "reason": "…", "until": "2027-03-31" }';
const FORM_INLINE = '# baton:ignore AWS_SG_OPEN_INGRESS reason="VPN only, see INFRA-42" until=2027-03-31';

function invalid(message: string, details: Record<string, unknown>): BatonError {
  return new BatonError("IAC_SUPPRESSION_INVALID", message, details);
}

/** A real calendar date written YYYY-MM-DD (2027-02-30 is refused, not rolled over). */
function isDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
}

function checked(suppression: Suppression): Suppression {
  const where = suppression.where;
  if (suppression.reason.trim() === "") {
    throw invalid(
      `The suppression of ${suppression.rule} on ${suppression.address} (${where}) has no reason. Every suppression says why the finding is accepted: ${where.includes(":") ? FORM_INLINE : FORM_FILE}.`,
      { where, rule: suppression.rule, address: suppression.address },
    );
  }
  if (!knownRule(suppression.rule)) {
    throw invalid(
      `The suppression at ${where} names "${suppression.rule}", which is neither a baton rule nor a Checkov or Trivy check id. The rules are: ${[...RULE_PACK.map((rule) => rule.id), COST_RULE_ID].join(", ")}.`,
      { where, rule: suppression.rule },
    );
  }
  if (suppression.until !== undefined && !isDate(suppression.until)) {
    throw invalid(
      `The suppression at ${where} has until "${suppression.until}", which is not a date. Write the last day it holds as YYYY-MM-DD (until=2027-03-31).`,
      { where, until: suppression.until },
    );
  }
  return suppression;
}

const FileEntry = z.strictObject({ rule: z.string().min(1), address: z.string().min(1), reason: z.string().optional(), until: z.string().optional() });

/** One entry of the policy file's `suppressions`. */
export function parseFileSuppression(entry: unknown, index: number, file: string): Suppression {
  const where = `${file} suppressions[${String(index)}]`;
  const parsed = FileEntry.safeParse(entry);
  if (!parsed.success) {
    throw invalid(
      `${where} is not a suppression: ${parsed.error.issues.map((issue) => `${formatPath(issue.path) || "(entry)"}: ${issue.message}`).join("; ")}. Write ${FORM_FILE}.`,
      { where },
    );
  }
  const { rule, address, reason, until } = parsed.data;
  return checked({ rule, address, reason: reason ?? "", where, ...(until === undefined ? {} : { until }) });
}

const IGNORE = /^\s*(?:#|\/\/)\s*baton:ignore\b(.*)$/;
const HEADER = /^\s*resource\s+"([^"]+)"\s+"([^"]+)"\s*\{/;

/** One `baton:ignore` comment's text after the keyword, at `where`. */
function parseComment(rest: string, address: string, where: string): Suppression {
  const match = /^\s+([A-Za-z0-9_-]+)((?:\s+[a-z]+=(?:"(?:[^"\\]|\\.)*"|\S+))*)\s*$/.exec(rest);
  if (!match) throw invalid(`The baton:ignore comment at ${where} cannot be read. Write ${FORM_INLINE}.`, { where });
  const fields = new Map<string, string>();
  for (const field of (match[2] ?? "").matchAll(/([a-z]+)=("(?:[^"\\]|\\.)*"|\S+)/g)) {
    const raw = field[2] ?? "";
    fields.set(field[1] ?? "", raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, "$1") : raw);
  }
  const unknown = [...fields.keys()].filter((key) => key !== "reason" && key !== "until");
  if (unknown.length > 0) throw invalid(`The baton:ignore comment at ${where} has ${unknown.join(", ")}; it takes reason="…" and until=YYYY-MM-DD.`, { where });
  const until = fields.get("until");
  return checked({ rule: match[1] ?? "", address, reason: fields.get("reason") ?? "", where, ...(until === undefined ? {} : { until }) });
}

/**
 * The `baton:ignore` comments a diff shows on the new side (added or unchanged lines; a removed
 * comment no longer holds), each tied to the resource block it is in, or to the block whose
 * header follows it. A comment the diff does not show is not seen: a plan has no comments.
 */
export function inlineSuppressions(diffText: string): Suppression[] {
  const found: Suppression[] = [];
  for (const file of parseUnifiedDiff(diffText)) {
    if (!file.path.endsWith(".tf")) continue;
    for (const hunk of file.hunks) {
      // Git names the block a hunk starts in after the `@@`: the comments up to its end are its own.
      const enclosing = HEADER.exec(hunk.header);
      let current = enclosing ? `${enclosing[1] as string}.${enclosing[2] as string}` : undefined;
      let depth = current === undefined ? 0 : 1;
      let waiting: Array<{ rest: string; where: string }> = [];
      for (const line of hunk.lines) {
        if (line.kind === "removed" || line.newNumber === undefined) continue;
        const where = `${file.path}:${String(line.newNumber)}`;
        const comment = IGNORE.exec(line.text);
        if (comment) {
          if (current !== undefined && depth > 0) found.push(parseComment(comment[1] ?? "", current, where));
          else waiting.push({ rest: comment[1] ?? "", where });
          continue;
        }
        const header = depth === 0 ? HEADER.exec(line.text) : null;
        if (header) {
          current = `${header[1] as string}.${header[2] as string}`;
          for (const pending of waiting) found.push(parseComment(pending.rest, current, pending.where));
          waiting = [];
        } else if (depth === 0 && line.text.trim() !== "" && !/^\s*(#|\/\/)/.test(line.text)) {
          // Anything else between a comment and a header: the comment is not about that block.
          for (const pending of waiting)
            throw invalid(`The baton:ignore comment at ${pending.where} is not inside or just above a resource block. Put it in the block it suppresses.`, {
              where: pending.where,
            });
        }
        depth = Math.max(0, depth + bracketBalance(line.text));
        if (depth === 0 && !header) current = undefined;
      }
      for (const pending of waiting)
        throw invalid(`The baton:ignore comment at ${pending.where} is not inside or just above a resource block. Put it in the block it suppresses.`, {
          where: pending.where,
        });
    }
  }
  return found;
}

/**
 * Each finding a suppression covers (same rule — or one of the scanner checks it is reported
 * as — and the same resource address), marked with the reason; expired when `today`
 * (YYYY-MM-DD) is after `until`. An inline suppression wins over the policy file's: it is nearer.
 */
export function applySuppressions(findings: ReadonlyArray<Finding>, suppressions: ReadonlyArray<Suppression>, today: string): Finding[] {
  return findings.map((finding) => {
    const ids = new Set([finding.ruleId, ...(finding.reportedBy ?? []).map((reporter) => reporter.checkId)]);
    const covering = suppressions.filter((suppression) => ids.has(suppression.rule) && suppression.address === finding.resourceAddress);
    const chosen = covering.find((suppression) => suppression.where.includes(".tf:")) ?? covering[0];
    if (chosen === undefined) return finding;
    const expired = chosen.until !== undefined && today > chosen.until;
    return { ...finding, suppression: { reason: chosen.reason, where: chosen.where, expired, ...(chosen.until === undefined ? {} : { until: chosen.until }) } };
  });
}

/** "suppressed until 2027-03-31: VPN only" or "suppression expired 2024-01-31 (…): counts again". */
export function describeSuppression(finding: Finding): string | undefined {
  const suppression = finding.suppression;
  if (suppression === undefined) return undefined;
  if (suppression.expired) return `suppression expired ${suppression.until ?? ""} (${suppression.where}: ${suppression.reason}); counts again`;
  return `suppressed${suppression.until === undefined ? "" : ` until ${suppression.until}`} (${suppression.where}): ${suppression.reason}`;
}

import { decodeUntrusted, locateQuote, type DocumentBlock } from "../../src/chain-api.js";
import type { Architecture, ChunkRequirements, CostCompliance, MergedRequirements } from "./schemas.js";

/**
 * The deterministic checks between the RFP chain's steps. Each returns the problems with a
 * model's answer as the model should hear them; the engine sends them back until they are fixed
 * (or the step's attempts run out). This is what keeps every "must" traceable from the RFP to
 * the architecture, and the cost table honest.
 */

export interface Problem {
  path: string;
  message: string;
}

const normalise = (text: string): string => text.toLowerCase().replace(/\s+/g, " ").trim();

const clip = (text: string, length: number, fromEnd: boolean): string =>
  text.length <= length ? text : fromEnd ? `…${text.slice(-length)}` : `${text.slice(0, length)}…`;

/**
 * Each quote must be in the chunk (case, white space and emphasis aside) within one paragraph,
 * list item, label or table cell: no invented requirements, and none that glue an item without
 * end punctuation to the sentence after it. The model saw `<` and `>` encoded (`&lt;`), so a quote
 * that copies them encoded still matches.
 */
export function checkQuotes(answer: ChunkRequirements, blocks: ReadonlyArray<DocumentBlock>): Problem[] {
  return answer.requirements.flatMap((requirement, index): Problem[] => {
    const location = locateQuote(blocks, decodeUntrusted(requirement.quote));
    if (location.found) return [];
    const path = `requirements.${String(index)}.quote`;
    if (location.reason === "crosses") {
      const [before, after] = location.parts;
      return [
        {
          path,
          message: `joins two separate parts of the RFP ("${clip(before, 60, true)}" and "${clip(after, 60, false)}"): quote only the sentence, list item or table cell that states this requirement, and list the other on its own`,
        },
      ];
    }
    return [{ path, message: `is not in the text: copy the RFP's sentence exactly ("${requirement.quote.slice(0, 80)}")` }];
  });
}

/** What the merge must keep: every extracted id, each "must" as a must, ids unique and known. */
export function checkMerge(answer: MergedRequirements, extracted: ReadonlyArray<{ id: string; priority: string }>): Problem[] {
  const problems: Problem[] = [];
  const known = new Map(extracted.map((requirement) => [requirement.id, requirement]));
  const covered = new Set<string>();
  const seen = new Set<string>();
  answer.requirements.forEach((requirement, index) => {
    if (seen.has(requirement.id))
      problems.push({ path: `requirements.${String(index)}.id`, message: `${requirement.id} is used twice; number the requirements REQ-001, REQ-002, …` });
    seen.add(requirement.id);
    for (const source of requirement.sources) {
      if (!known.has(source)) problems.push({ path: `requirements.${String(index)}.sources`, message: `${source} is not one of the extracted requirements` });
      covered.add(source);
      if (known.get(source)?.priority === "must" && requirement.priority !== "must") {
        problems.push({ path: `requirements.${String(index)}.priority`, message: `must be "must": it merges ${source}, a must requirement` });
      }
    }
  });
  for (const requirement of extracted) {
    if (!covered.has(requirement.id))
      problems.push({
        path: "requirements",
        message: `${requirement.id} (${requirement.priority}) is missing: merge it into a requirement or list it on its own`,
      });
  }
  return problems;
}

/** Coverage: every must requirement is met by the architecture, and only known ids and components are named. */
export function checkCoverage(answer: Architecture, requirements: MergedRequirements): Problem[] {
  const problems: Problem[] = [];
  const ids = new Set(requirements.requirements.map((requirement) => requirement.id));
  const components = new Set(answer.components.map((component) => component.name));
  const traced = new Set(answer.traceability.map((entry) => entry.requirementId));
  for (const requirement of requirements.requirements) {
    if (requirement.priority === "must" && !traced.has(requirement.id)) {
      problems.push({
        path: "traceability",
        message: `${requirement.id} (must: "${requirement.text.slice(0, 100)}") is not addressed: add how the architecture meets it`,
      });
    }
  }
  answer.traceability.forEach((entry, index) => {
    if (!ids.has(entry.requirementId))
      problems.push({ path: `traceability.${String(index)}.requirementId`, message: `${entry.requirementId} is not a requirement of this RFP` });
    for (const name of entry.components) {
      if (!components.has(name))
        problems.push({ path: `traceability.${String(index)}.components`, message: `"${name}" is not one of the components; use their names exactly` });
    }
  });
  return problems;
}

const FRAMEWORKS: ReadonlyArray<{ name: string; pattern: RegExp }> = [
  { name: "SOC 2", pattern: /\bSOC\s?2\b/i },
  { name: "ISO 27001", pattern: /\bISO(?:\/IEC)?\s?27001\b/i },
  { name: "HIPAA", pattern: /\bHIPAA\b/ },
  { name: "GDPR", pattern: /\bGDPR\b/ },
  { name: "FedRAMP", pattern: /\bFedRAMP\b/i },
  { name: "PCI DSS", pattern: /\bPCI[\s-]?DSS\b/i },
];

/** The frameworks an RFP names, as the compliance mapping must cover them. */
export function frameworksIn(document: string): string[] {
  return FRAMEWORKS.filter((framework) => framework.pattern.test(document)).map((framework) => framework.name);
}

const same = (left: number, right: number): boolean => Math.abs(left - right) <= 0.5;

/** Arithmetic: line items add up to the totals, low ≤ high; every framework the RFP names is mapped. */
export function checkCostAndCompliance(answer: CostCompliance, requestedFrameworks: ReadonlyArray<string>): Problem[] {
  const problems: Problem[] = [];
  const low = answer.lines.reduce((sum, line) => sum + line.monthlyLow, 0);
  const high = answer.lines.reduce((sum, line) => sum + line.monthlyHigh, 0);
  if (!same(low, answer.totals.monthlyLow))
    problems.push({
      path: "totals.monthlyLow",
      message: `is ${String(answer.totals.monthlyLow)} but the lines' monthlyLow add up to ${String(Math.round(low * 100) / 100)}`,
    });
  if (!same(high, answer.totals.monthlyHigh))
    problems.push({
      path: "totals.monthlyHigh",
      message: `is ${String(answer.totals.monthlyHigh)} but the lines' monthlyHigh add up to ${String(Math.round(high * 100) / 100)}`,
    });
  answer.lines.forEach((line, index) => {
    if (line.monthlyLow > line.monthlyHigh)
      problems.push({ path: `lines.${String(index)}`, message: `monthlyLow ${String(line.monthlyLow)} is above monthlyHigh ${String(line.monthlyHigh)}` });
  });
  const mapped = new Set(answer.compliance.filter((entry) => entry.requestedInRfp).map((entry) => normalise(entry.framework)));
  for (const framework of requestedFrameworks) {
    if (!mapped.has(normalise(framework)))
      problems.push({ path: "compliance", message: `the RFP asks for ${framework}: map it to controls (requestedInRfp: true) and name any gaps` });
  }
  return problems;
}

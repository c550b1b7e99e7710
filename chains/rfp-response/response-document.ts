import type { Architecture, CostCompliance, ExecutiveSummary, MergedRequirements } from "./schemas.js";
import { describeSource, type SourceReference } from "./sources.js";

/**
 * The full RFP response as Markdown (the file delivered to the thread): the approved summary,
 * every requirement with where the RFP states it (section, lines, page) and its sentence as the
 * RFP writes it, the traceability matrix citing the same places, the architecture, costs and
 * compliance. Table cells are escaped so RFP text cannot break the tables.
 */

const cell = (text: string): string => text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
const money = (currency: string, amount: number): string => `${currency} ${amount.toLocaleString("en-US", { maximumFractionDigits: 0 })}`;

export function renderResponseDocument(input: {
  title: string;
  customer: string;
  summary: ExecutiveSummary;
  requirements: MergedRequirements;
  sources: ReadonlyMap<string, SourceReference>;
  architecture: Architecture;
  cost: CostCompliance;
}): string {
  const { summary, requirements, architecture, cost } = input;
  const traced = new Map(architecture.traceability.map((entry) => [entry.requirementId, entry]));
  const sourcesOf = (ids: ReadonlyArray<string>): SourceReference[] =>
    ids.map((id) => input.sources.get(id)).filter((source): source is SourceReference => source !== undefined);
  // One function for both tables, so the requirements list and the traceability matrix cite alike.
  const where = (ids: ReadonlyArray<string>): string => [...new Set(sourcesOf(ids).map(describeSource))].join("; ");
  const words = (ids: ReadonlyArray<string>): string => [...new Set(sourcesOf(ids).map((source) => `“${source.sentence}”`))].join(" / ");
  return [
    `# ${input.title}: response for ${input.customer}`,
    "",
    "## Executive summary",
    "",
    summary.summary,
    "",
    ...summary.winThemes.map((theme) => `- ${theme}`),
    "",
    "## Requirements",
    "",
    "| id | priority | category | requirement | where the RFP states it | as the RFP states it |",
    "|---|---|---|---|---|---|",
    ...requirements.requirements.map(
      (requirement) =>
        `| ${requirement.id} | ${requirement.priority} | ${requirement.category.replace("_", " ")} | ${cell(requirement.text)} | ${cell(where(requirement.sources))} | ${cell(words(requirement.sources))} |`,
    ),
    "",
    "## Traceability",
    "",
    "| requirement | where the RFP states it | how it is met | components |",
    "|---|---|---|---|",
    ...requirements.requirements.map((requirement) => {
      const entry = traced.get(requirement.id);
      return `| ${requirement.id} (${requirement.priority}) | ${cell(where(requirement.sources))} | ${entry ? cell(entry.approach) : "not addressed"} | ${entry ? cell(entry.components.join(", ")) : ""} |`;
    }),
    "",
    "## Architecture",
    "",
    architecture.overview,
    "",
    "| component | service | purpose |",
    "|---|---|---|",
    ...architecture.components.map((component) => `| ${cell(component.name)} | ${cell(component.service)} | ${cell(component.purpose)} |`),
    "",
    "## Monthly cost",
    "",
    "| component | low | high | assumptions |",
    "|---|---|---|---|",
    ...cost.lines.map(
      (line) =>
        `| ${cell(line.component)} | ${money(cost.currency, line.monthlyLow)} | ${money(cost.currency, line.monthlyHigh)} | ${cell(line.assumptions)} |`,
    ),
    `| **total** | **${money(cost.currency, cost.totals.monthlyLow)}** | **${money(cost.currency, cost.totals.monthlyHigh)}** | |`,
    "",
    ...cost.assumptions.map((assumption) => `- ${assumption}`),
    "",
    "## Compliance",
    "",
    "| framework | asked for | controls | gaps |",
    "|---|---|---|---|",
    ...cost.compliance.map(
      (entry) =>
        `| ${cell(entry.framework)} | ${entry.requestedInRfp ? "yes" : "no"} | ${cell(entry.controls.join("; "))} | ${cell(entry.gaps.join("; ") || "none")} |`,
    ),
    "",
    "## Risks and next steps",
    "",
    ...summary.risks.map((risk) => `- Risk: ${risk}`),
    ...summary.nextSteps.map((step) => `- Next: ${step}`),
    "",
  ].join("\n");
}

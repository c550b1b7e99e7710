/**
 * A long request for quotation in the shape of a US government RFQ converted to Markdown, for
 * the chunker's property tests and the benchmark (docs/benchmarks.md): numbered sections, many
 * of them short, CRLF line endings, requirements in prose, in list items without end
 * punctuation followed at once by a sentence, in pipe and HTML table cells (a `<br>` between
 * two of them, a footnote mark after one), and under bold labels. Deterministic for a seed;
 * the filler never says shall or must, so `musts` is every mandatory sentence, item or cell.
 */

export interface GeneratedRfq {
  text: string;
  musts: string[];
}

const SECTIONS = [
  "INTRODUCTION",
  "BACKGROUND",
  "SCOPE OF WORK",
  "TASKS",
  "DELIVERABLES",
  "CONTRACTOR PERSONNEL",
  "SECURITY",
  "SAFETY",
  "QUALITY CONTROL",
  "INSPECTION AND ACCEPTANCE",
  "INVOICING",
  "PRICING",
  "OPERATING CONSTRAINTS",
  "CLAUSES",
  "EVALUATION",
  "SUBMISSION OF QUOTES",
];

const FILLER = [
  "The installation supports approximately 1,200 military and civilian personnel across its buildings.",
  "Most of the buildings were constructed between 1958 and 1974 and have been renovated since.",
  "Historical service records are kept by the Facilities Engineering office.",
  "The Government anticipates a single award resulting from this solicitation.",
  "Work orders are currently tracked in a spreadsheet maintained by the facility manager.",
  "Access to the base is through the main gate on Victory Boulevard.",
  "Seasonal demand peaks during the summer months, when cooling loads are highest.",
  "Drawings of the building systems are available for review at the Facilities office.",
  "The previous contract for these services expired on 30 September 2025.",
  "Questions received after the deadline may not be answered.",
  "The Contracting Officer is the only person authorized to change the terms of the order.",
  "Site visits can be arranged through the point of contact listed in Section 16.0.",
];
const SYSTEMS = [
  "air handling units",
  "chillers",
  "boilers",
  "fire alarm panels",
  "sprinkler risers",
  "emergency generators",
  "backflow preventers",
  "elevators",
  "roof drains",
  "exhaust fans",
  "water heaters",
  "building automation controllers",
];
const ACTIONS = ["inspect", "clean", "test", "lubricate", "calibrate", "document the condition of"];
const PERIODS = ["monthly", "quarterly", "every six months", "annually", "every 90 days", "before each heating season"];

function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4_294_967_296;
  };
}

export function generateRfq(options: { targetBytes: number; seed?: number }): GeneratedRfq {
  const next = random(options.seed ?? 7);
  const pick = <T>(list: ReadonlyArray<T>): T => list[Math.floor(next() * list.length)] as T;
  const filler = (count: number): string => Array.from({ length: count }, () => pick(FILLER)).join(" ");
  const musts: string[] = [];
  let serial = 0;
  /** A new mandatory statement, unique by its building number; `end` is its final punctuation. */
  const must = (end = "."): string => {
    serial += 1;
    const verb = serial % 3 === 0 ? "must" : "shall";
    const text = `The contractor ${verb} ${pick(ACTIONS)} the ${pick(SYSTEMS)} in Building ${String(100 + serial)} ${pick(PERIODS)}${end}`;
    musts.push(text);
    return text;
  };
  const item = (marker: string): string => {
    serial += 1;
    const text = `${marker} Deficiencies found in Building ${String(100 + serial)} must be reported within ${String(1 + (serial % 5))} business days`;
    // As written, marker included: a list item is quoted with or without it.
    musts.push(text.replace(/^- /, "").replace(/^(\d+\.) /, "$1 "));
    return text;
  };

  const lines: string[] = [
    "# Request for Quotation 70Z0G326QBLD0099",
    "",
    "**Agency:** United States Coast Guard, Base Elizabeth City",
    "**Issue date:** 12 January 2026",
    "",
  ];
  const shapes: Array<() => void> = [
    () => lines.push(`${filler(2)} ${must()} ${filler(1)}`, ""),
    () => lines.push(filler(3), "", must(), ""),
    () => lines.push("The following applies to this task:", item("-"), item("-"), must(), ""),
    () => lines.push("Work under this task proceeds in this order:", item("1."), item("2."), "", filler(1), ""),
    () =>
      lines.push(
        "| Line | System | Requirement |",
        "|------|--------|-------------|",
        `| 1 | ${pick(SYSTEMS)} | ${must("")} |`,
        `| 2 | ${pick(SYSTEMS)} | ${must(".*")} |`,
        "",
        "\\* See Attachment 2 for the building list.",
        "",
      ),
    () =>
      lines.push(
        "<table>",
        "  <tr><th>Item</th><th>Requirement</th></tr>",
        "  <tr>",
        "    <td>A</td>",
        `    <td>${must("")}<br>${must("")}</td>`,
        "  </tr>",
        "</table>",
        "",
      ),
    () => lines.push("**Frequency**", must(), ""),
    () => lines.push(filler(1), ""),
  ];

  let section = 0;
  let subsection = 0;
  while (lines.join("\r\n").length < options.targetBytes) {
    if (section === 0 || subsection >= 2 + Math.floor(next() * 4)) {
      section = (section % SECTIONS.length) + 1;
      subsection = 0;
      // Some sections open straight onto their first subsection, as "5.0 Operating Constraints" did.
      lines.push(`## ${String(section)}.0 ${SECTIONS[section - 1] ?? ""}`, "");
      if (next() < 0.6) lines.push(filler(1 + Math.floor(next() * 3)), "");
      continue;
    }
    subsection += 1;
    lines.push(`### ${String(section)}.${String(subsection)} ${pick(["Requirements", "General", "Scope", "Schedule", "Standards", "Reporting"])}`, "");
    const count = 1 + Math.floor(next() * 3);
    for (let index = 0; index < count; index += 1) pick(shapes)();
  }
  return { text: `${lines.join("\r\n")}\r\n`, musts };
}

/**
 * Which lines are headings, in the shapes RFPs arrive in: Markdown `#` (pandoc's `{#id .class}`
 * attributes dropped), setext underlines, numbered headings such as `3.2 Availability` or
 * `Section 4: Security` on a line of their own, and the same wrapped in bold (`**4.0 Pricing**`,
 * what converters make of a bold title).
 */

export interface Heading {
  level: number;
  title: string;
  /** Lines the heading uses (2 for a setext heading). */
  span: number;
}

const MARKDOWN_HEADING = /^(#{1,6})\s+(.+?)\s*#*\s*$/;
// "3", "3.2", "3.2.1" then a capitalised title; or "Section 4: Title". A numbered list item in
// prose ("1. The vendor must…") is a sentence, not a title: titles are short and end without a period.
const NUMBERED_HEADING = /^((?:\d+\.)*\d+)\.?\s+([A-Z][^.!?]{1,80})$/;
const SECTION_HEADING = /^(?:section|part|chapter|appendix)\s+([\dA-Z]+(?:\.\d+)*)\s*[:.\-–]\s*(.{2,80})$/i;
const BOLD = /^(\*\*|__)(.+?)\1$/;
const PANDOC_ATTRIBUTES = /\s*\{[#.][^}]*\}\s*$/;

/** "2.1" is level 2; "2.0" (or "2.0.0") is level 1, as RFQs number their top sections. */
const levelOf = (number: string | undefined): number => Math.max(1, (number ?? "1").replace(/(?:\.0)+$/, "").split(".").length);

function numberedHeading(text: string): Heading | undefined {
  const section = SECTION_HEADING.exec(text);
  if (section) return { level: levelOf(section[1]), title: text, span: 1 };
  const numbered = NUMBERED_HEADING.exec(text);
  // "2. The vendor confirms, in writing, the schedule" is a list item: titles have no commas,
  // and one written "N." (a list's style) is a short phrase.
  const listStyle = /^\d+\.\s/.test(text);
  if (numbered && !text.includes(",") && text.split(/\s+/).length <= (listStyle ? 6 : 12)) return { level: levelOf(numbered[1]), title: text, span: 1 };
  return undefined;
}

/** The heading that starts at `index` of `lines` (texts), if one does. */
export function headingAt(lines: ReadonlyArray<string>, index: number): Heading | undefined {
  const text = lines[index]?.trim() ?? "";
  if (text === "" || text.startsWith("|")) return undefined;
  const markdown = MARKDOWN_HEADING.exec(text);
  if (markdown) return { level: markdown[1]?.length ?? 1, title: (markdown[2] ?? text).replace(PANDOC_ATTRIBUTES, "").trim(), span: 1 };
  const next = lines[index + 1]?.trim() ?? "";
  if (/^=+$/.test(next) && next.length >= 3) return { level: 1, title: text, span: 2 };
  if (/^-+$/.test(next) && next.length >= 3) return { level: 2, title: text, span: 2 };
  const bold = BOLD.exec(text);
  return numberedHeading(bold ? (bold[2] ?? "").trim() : text);
}

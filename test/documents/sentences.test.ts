import { describe, expect, it } from "vitest";
import { sentenceSpans, sentencesOf } from "../../src/documents/sentences.js";

describe("sentencesOf (Intl.Segmenter)", () => {
  it("ends sentences at full stops, question and exclamation marks, and reads line breaks as spaces", () => {
    expect(sentencesOf("The contractor shall\ncomply. Is a bond needed? Yes!  Next")).toEqual([
      "The contractor shall\ncomply.",
      "Is a bond needed?",
      "Yes!",
      "Next",
    ]);
  });

  it("does not end a sentence after initials, a.m./p.m., common abbreviations or a list number", () => {
    expect(
      sentencesOf(
        "The U.S. Government shall pay. Quotes are due by 2:00 p.m. Eastern Time. Wage Determination No. 2015-5393 applies. 1. The vendor shall comply. See e.g. Section 3.",
      ),
    ).toEqual([
      "The U.S. Government shall pay.",
      "Quotes are due by 2:00 p.m. Eastern Time.",
      "Wage Determination No. 2015-5393 applies.",
      "1. The vendor shall comply.",
      "See e.g. Section 3.",
    ]);
  });

  it("gives offsets into the text as given, white space trimmed, and nothing for blank text", () => {
    const text = "  One.\n\nTwo.  ";
    expect(sentenceSpans(text).map((span) => text.slice(span.start, span.end))).toEqual(["One.", "Two."]);
    expect(sentenceSpans(" \n ")).toEqual([]);
    expect(sentencesOf("U.S.")).toEqual(["U.S."]);
  });
});

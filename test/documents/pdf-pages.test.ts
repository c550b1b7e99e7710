import { describe, expect, it } from "vitest";
import { pdfPages } from "../../src/documents/pdf-pages.js";
import { BatonError } from "../../src/core/errors.js";
import { minimalPdf } from "../support/minimal-pdf.js";

describe("pdfPages (pdf.js)", () => {
  it("returns each page's text with its lines", async () => {
    const pdf = minimalPdf([
      ["1 Introduction", "The solution MUST support single sign-on (SAML 2.0)."],
      ["2 Availability", "The service shall be available 99.95% of each month."],
    ]);
    const pages = await pdfPages(pdf);
    expect(pages).toEqual([
      "1 Introduction\nThe solution MUST support single sign-on (SAML 2.0).",
      "2 Availability\nThe service shall be available 99.95% of each month.",
    ]);
  });

  it("a file that is not a PDF is DOCUMENT_UNSUPPORTED with what to do", async () => {
    const error = await pdfPages(Buffer.from("%PDF-1.4 this is not really a pdf")).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BatonError);
    expect((error as BatonError).code).toBe("DOCUMENT_UNSUPPORTED");
    expect((error as BatonError).message).toContain("paste its text instead");
  });
});

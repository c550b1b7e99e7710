import { BatonError, describeError } from "../core/errors.js";

/**
 * The text of a PDF, one string per page, with Mozilla's pdf.js (`pdfjs-dist`, its Node build;
 * no canvas is needed for text). Lines are rebuilt from the text items' positions: pdf.js hands
 * back runs of text, and a run that starts lower on the page than the last one starts a new line.
 * A PDF pdf.js cannot open (damaged, encrypted) is DOCUMENT_UNSUPPORTED with what to do.
 */

interface TextItem {
  str: string;
  transform: number[];
  hasEOL?: boolean;
}

export async function pdfPages(bytes: Uint8Array): Promise<string[]> {
  const pdfjs = await import("pdfjs-dist/legacy/build/pdf.mjs");
  let document: Awaited<ReturnType<typeof pdfjs.getDocument>["promise"]>;
  try {
    // pdf.js takes ownership of the buffer it is given: hand it a copy.
    document = await pdfjs.getDocument({ data: new Uint8Array(bytes), useSystemFonts: false, isEvalSupported: false, disableFontFace: true, verbosity: 0 })
      .promise;
  } catch (error) {
    throw new BatonError(
      "DOCUMENT_UNSUPPORTED",
      `The PDF could not be read (${describeError(error)}). If it is password-protected or scanned, export it again as a text PDF, or paste its text instead.`,
      {},
    );
  }
  try {
    const pages: string[] = [];
    for (let number = 1; number <= document.numPages; number += 1) {
      const page = await document.getPage(number);
      const content = await page.getTextContent();
      let text = "";
      let lastY: number | undefined;
      for (const item of content.items as TextItem[]) {
        if (typeof item.str !== "string") continue;
        const y = item.transform[5];
        if (lastY !== undefined && y !== undefined && Math.abs(y - lastY) > 2 && !text.endsWith("\n")) text += "\n";
        text += item.str;
        if (item.hasEOL === true) text += "\n";
        if (y !== undefined) lastY = y;
      }
      pages.push(text.replace(/[ \t]+\n/g, "\n").trim());
      page.cleanup();
    }
    return pages;
  } finally {
    await document.destroy();
  }
}

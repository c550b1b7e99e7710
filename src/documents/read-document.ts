import { BatonError } from "../core/errors.js";
import { pdfPages } from "./pdf-pages.js";

/**
 * A shared document's text: PDF pages through pdf.js (joined with form feeds, so the chunker
 * keeps page numbers), text and Markdown as UTF-8. A document with no text is DOCUMENT_EMPTY.
 */
export async function readDocument(file: { bytes: Buffer; fileName: string; mimeType: string }): Promise<string> {
  const isPdf = file.mimeType === "application/pdf" || file.fileName.toLowerCase().endsWith(".pdf");
  const text = isPdf ? (await pdfPages(file.bytes)).join("\f") : decodeUtf8(file);
  if (text.replace(/\f/g, "").trim() === "") {
    throw new BatonError(
      "DOCUMENT_EMPTY",
      `${file.fileName} has no text baton can read${isPdf ? " (a scanned PDF holds pictures of text)" : ""}. Share a text PDF, Markdown or plain text version, or paste the text.`,
      { fileName: file.fileName },
    );
  }
  return text;
}

function decodeUtf8(file: { bytes: Buffer; fileName: string }): string {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(file.bytes);
  } catch {
    throw new BatonError(
      "DOCUMENT_UNSUPPORTED",
      `${file.fileName} is not UTF-8 text (is it a Word or binary file?). Export it as PDF, Markdown or plain text and share it again.`,
      { fileName: file.fileName },
    );
  }
  return text.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
}

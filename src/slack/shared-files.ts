import { BatonError, describeError } from "../core/errors.js";
import type { SharedFileChoice } from "./modals/rfp-modal.js";
import type { SlackClient } from "./slack-web-client.js";

/**
 * Files people shared in Slack, as documents for a chain (the RFP): which ones a channel has,
 * what one is, and its bytes — fetched from its private URL with the bot token (`files:read`).
 * Every refusal says what to do: a type baton cannot read, a file over the limit, a file the
 * bot may not see.
 */

/** The document types baton reads, by MIME type and by file name. */
const SUPPORTED = [
  { label: "plain text", mimeTypes: ["text/plain"], extensions: [".txt", ".text"] },
  { label: "Markdown", mimeTypes: ["text/markdown", "text/x-markdown"], extensions: [".md", ".markdown"] },
  { label: "PDF", mimeTypes: ["application/pdf"], extensions: [".pdf"] },
] as const;

export const SUPPORTED_DOCUMENTS = SUPPORTED.map((type) => type.label).join(", ");

export function isSupportedDocument(name: string, mimeType: string): boolean {
  const lower = name.toLowerCase();
  return SUPPORTED.some(
    (type) => (type.mimeTypes as ReadonlyArray<string>).includes(mimeType) || type.extensions.some((extension) => lower.endsWith(extension)),
  );
}

export interface SharedFile {
  id: string;
  name: string;
  mimeType: string;
  size: number;
  downloadUrl: string;
}

/** Readable documents shared in the channel lately, newest first (for the form's picker). */
export async function listChannelDocuments(client: SlackClient, channelId: string): Promise<SharedFileChoice[]> {
  const answer = await client.files.list({ channel: channelId, count: 50 });
  return (answer.files ?? [])
    .filter((file) => typeof file.id === "string" && isSupportedDocument(file.name ?? "", file.mimetype ?? ""))
    .map((file) => ({ id: file.id as string, name: file.title || file.name || (file.id as string) }));
}

export async function describeSharedFile(client: SlackClient, fileId: string): Promise<SharedFile> {
  let answer: Awaited<ReturnType<SlackClient["files"]["info"]>>;
  try {
    answer = await client.files.info({ file: fileId });
  } catch (error) {
    throw new BatonError(
      "DOCUMENT_UNSUPPORTED",
      `Slack did not describe the file ${fileId} (${describeError(error)}). Share it again in the channel, and check baton has the files:read scope.`,
      { fileId },
    );
  }
  const file = answer.file;
  const downloadUrl = file?.url_private_download ?? file?.url_private;
  if (!file || !downloadUrl)
    throw new BatonError("DOCUMENT_UNSUPPORTED", `The file ${fileId} has no download link baton can use. Share it again as a file (not a link).`, { fileId });
  return { id: fileId, name: file.name ?? fileId, mimeType: file.mimetype ?? "application/octet-stream", size: file.size ?? 0, downloadUrl };
}

/** Refuses a file baton cannot read or that is over `maxBytes`, before downloading it. */
export function checkSharedFile(file: SharedFile, maxBytes: number): void {
  if (!isSupportedDocument(file.name, file.mimeType)) {
    throw new BatonError(
      "DOCUMENT_UNSUPPORTED",
      `${file.name} is ${file.mimeType}; baton reads ${SUPPORTED_DOCUMENTS}. Export the RFP as one of those and share it again.`,
      { fileId: file.id, mimeType: file.mimeType },
    );
  }
  if (file.size > maxBytes) {
    throw new BatonError(
      "DOCUMENT_TOO_LARGE",
      `${file.name} is ${(file.size / 1_048_576).toFixed(1)} MB; baton reads documents up to ${(maxBytes / 1_048_576).toFixed(0)} MB. Share the sections that matter, or split it.`,
      { fileId: file.id, size: file.size, maxBytes },
    );
  }
}

/** The file's bytes, with the bot token. Slack answers a download it refuses with a sign-in page, not an error. */
export async function downloadSharedFile(file: SharedFile, token: string, maxBytes: number): Promise<Buffer> {
  let response: Response;
  try {
    response = await fetch(file.downloadUrl, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(30_000) });
  } catch (error) {
    throw new BatonError("DOCUMENT_UNSUPPORTED", `Could not download ${file.name} from Slack (${describeError(error)}). Try again in a moment.`, {
      fileId: file.id,
    });
  }
  const type = response.headers.get("content-type") ?? "";
  if (!response.ok || (type.startsWith("text/html") && !file.name.toLowerCase().endsWith(".html"))) {
    throw new BatonError(
      "DOCUMENT_UNSUPPORTED",
      `Slack did not hand ${file.name} to baton (HTTP ${String(response.status)}${type.startsWith("text/html") ? ", a sign-in page" : ""}). Reinstall the app so it has the files:read scope, and share the file in a channel baton is in.`,
      { fileId: file.id, status: response.status },
    );
  }
  const bytes = Buffer.from(await response.arrayBuffer());
  if (bytes.length > maxBytes)
    throw new BatonError(
      "DOCUMENT_TOO_LARGE",
      `${file.name} is larger than ${(maxBytes / 1_048_576).toFixed(0)} MB. Share the sections that matter, or split it.`,
      { fileId: file.id, maxBytes },
    );
  return bytes;
}

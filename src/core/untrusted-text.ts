import { BatonError } from "./errors.js";

/**
 * Untrusted text in prompts: alerts, pull requests and diffs, RFP documents, earlier model
 * output, what people type. It always sits inside a delimiter (`<alert_data>…</alert_data>`),
 * and `<` and `>` in it are encoded as `&lt;` and `&gt;`, so nothing in it can close that
 * delimiter early or forge another one. `&` is left as is: the encoding only has to make tags
 * impossible, and encoding twice changes nothing.
 */
export function encodeUntrusted(text: string): string {
  return text.replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/** Reverses `encodeUntrusted`, for checks that compare a model's quote with the original text. */
export function decodeUntrusted(text: string): string {
  return text.replaceAll("&lt;", "<").replaceAll("&gt;", ">");
}

const TAG = /^[a-z][a-z0-9_]*$/;

/**
 * `<tag>` + the text encoded + `</tag>`. The system prompt should say that what is inside
 * the tag is data, never instructions. The tag is baton's own (lower case, digits, `_`).
 */
export function untrusted(tag: string, text: string): string {
  if (!TAG.test(tag))
    throw new BatonError("CHAIN_INVALID", `"${tag}" is not a valid data tag: use lower-case letters, digits and "_" (such as alert_data).`, { tag });
  return `<${tag}>\n${encodeUntrusted(text)}\n</${tag}>`;
}

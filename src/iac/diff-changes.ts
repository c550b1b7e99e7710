import { BatonError } from "../core/errors.js";
import { bracketBalance, parseHclValue } from "./hcl-values.js";
import type { ResourceChange } from "./resource-change.js";

/**
 * Resource changes out of a unified diff of Terraform files (`git diff`, a pull request's
 * patches). A diff shows only the lines around each change, so this reads what it shows: each
 * `resource` block with an added line becomes a change (`create` when its header is added,
 * `update` otherwise), with the attributes and nested blocks visible on the new side and the
 * line each one is on; a removed block becomes a `delete`. `.tf.json` files are not read.
 */

interface DiffLine {
  /** New-file line number (undefined for a removed line). */
  number: number | undefined;
  text: string;
  kind: "added" | "removed" | "context";
}

interface FileDiff {
  path: string;
  lines: DiffLine[];
  /** Resource headers git printed after `@@` (the block a hunk starts inside). */
  hunkContexts: Array<{ index: number; header: string }>;
}

const RESOURCE_HEADER = /^\s*(resource|data)\s+"([^"]+)"\s+"([^"]+)"\s*\{/;

function parseUnifiedDiff(text: string): FileDiff[] {
  const files: FileDiff[] = [];
  let current: FileDiff | undefined;
  let next = 0;
  for (const raw of text.replace(/\r\n/g, "\n").split("\n")) {
    if (raw.startsWith("diff --git ")) {
      current = undefined;
      continue;
    }
    if (raw.startsWith("+++ ")) {
      const path = raw.slice(4).trim().replace(/^b\//, "");
      current = { path, lines: [], hunkContexts: [] };
      files.push(current);
      continue;
    }
    if (raw.startsWith("--- ")) continue;
    const hunk = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@ ?(.*)$/.exec(raw);
    if (hunk) {
      next = Number(hunk[1]);
      if (current && hunk[2] && RESOURCE_HEADER.test(hunk[2])) current.hunkContexts.push({ index: current.lines.length, header: hunk[2] });
      continue;
    }
    if (!current) continue;
    if (raw.startsWith("+")) current.lines.push({ number: next++, text: raw.slice(1), kind: "added" });
    else if (raw.startsWith("-")) current.lines.push({ number: undefined, text: raw.slice(1), kind: "removed" });
    else if (raw.startsWith(" ") || raw === "") current.lines.push({ number: next++, text: raw.slice(1), kind: "context" });
  }
  return files;
}

interface Block {
  kind: "resource" | "data";
  type: string;
  name: string;
  headerLine: number;
  headerAdded: boolean;
  attributes: Record<string, unknown>;
  attributeLines: Record<string, number>;
  hasAddedLine: boolean;
  text: string[];
}

/** Read the blocks on one side of a file's diff (the new side: added and context lines). */
function readBlocks(lines: ReadonlyArray<DiffLine>, contexts: FileDiff["hunkContexts"], side: "new" | "old"): Block[] {
  const blocks: Block[] = [];
  let block: Block | undefined;
  let depth = 0;
  // A nested block (ingress { … }) or a multi-line value being collected.
  let nested: { key: string; depth: number; lines: string[]; line: number; kind: "block" | "value" } | undefined;
  const visible = lines.filter((line) => (side === "new" ? line.kind !== "removed" : line.kind !== "added"));
  const startFrom = (header: string, line: number, added: boolean): Block | undefined => {
    const match = RESOURCE_HEADER.exec(header);
    if (!match) return undefined;
    return { kind: match[1] === "data" ? "data" : "resource", type: match[2] as string, name: match[3] as string, headerLine: line, headerAdded: added, attributes: {}, attributeLines: {}, hasAddedLine: added, text: [header] };
  };
  visible.forEach((line, index) => {
    // A hunk that starts inside a block: git named the block after the @@.
    const context = contexts.find((entry) => lines.indexOf(line) === entry.index);
    if (context && depth === 0) {
      block = startFrom(context.header, line.number ?? 0, false);
      if (block) {
        blocks.push(block);
        depth = 1;
      }
    }
    const text = line.text;
    if (depth === 0) {
      const opened = startFrom(text, line.number ?? index + 1, line.kind === "added" || (side === "old" && line.kind === "removed"));
      if (opened) {
        block = opened;
        blocks.push(block);
        depth = bracketBalance(text);
        if (depth <= 0) block = undefined;
      }
      return;
    }
    if (!block) return;
    block.text.push(text);
    if (line.kind === "added" || (side === "old" && line.kind === "removed")) block.hasAddedLine = true;
    const before = depth;
    depth += bracketBalance(text);
    if (nested) {
      nested.lines.push(text);
      if (depth <= nested.depth) {
        const body = nested.lines.join("\n");
        if (nested.kind === "block") {
          const inner = body.slice(body.indexOf("{") + 1, body.lastIndexOf("}"));
          const object = parseHclValue(`{${inner.replace(/\n/g, ",")}}`);
          const existing = block.attributes[nested.key];
          block.attributes[nested.key] = [...(Array.isArray(existing) ? existing : []), object];
        } else {
          const value = body.slice(body.indexOf("=") + 1);
          block.attributes[nested.key] = /^\s*[[{]/.test(value) && !/^\s*(jsonencode|<<)/.test(value) ? parseHclValue(value.replace(/,?\s*\n\s*/g, ", ").replace(/\[\s*,/g, "[").replace(/,\s*]/g, "]").replace(/\{\s*,/g, "{").replace(/,\s*}/g, "}")) : value.trim();
        }
        nested = undefined;
      }
    } else if (before === 1) {
      const attribute = /^\s*([\w-]+)\s*=\s*(.*)$/.exec(text);
      const nestedBlock = /^\s*([\w-]+)\s*\{\s*$/.exec(text) ?? /^\s*([\w-]+)\s*\{/.exec(text);
      const heredoc = attribute ? /<<-?(\w+)\s*$/.exec(attribute[2] ?? "") : null;
      if (attribute && !heredoc && depth === 1) {
        block.attributes[attribute[1] as string] = parseHclValue(attribute[2] ?? "");
        block.attributeLines[attribute[1] as string] = line.number ?? 0;
      } else if (attribute) {
        block.attributeLines[attribute[1] as string] = line.number ?? 0;
        nested = { key: attribute[1] as string, depth: 1, lines: [text], line: line.number ?? 0, kind: "value" };
        if (heredoc) nested.depth = Number.NaN;
      } else if (nestedBlock) {
        block.attributeLines[nestedBlock[1] as string] ??= line.number ?? 0;
        nested = { key: nestedBlock[1] as string, depth: 1, lines: [text], line: line.number ?? 0, kind: "block" };
        if (depth <= 1) {
          nested.lines = [text];
          const inner = text.slice(text.indexOf("{") + 1, text.lastIndexOf("}"));
          const existing = block.attributes[nested.key];
          block.attributes[nested.key] = [...(Array.isArray(existing) ? existing : []), parseHclValue(`{${inner}}`)];
          nested = undefined;
        }
      }
    }
    if (nested && Number.isNaN(nested.depth)) {
      // A heredoc ends at its terminator line, whatever the brackets say.
      const terminator = /<<-?(\w+)/.exec(nested.lines[0] ?? "")?.[1];
      if (nested.lines.length > 1 && terminator !== undefined && text.trim() === terminator) {
        block.attributes[nested.key] = nested.lines.slice(1, -1).join("\n");
        nested = undefined;
      }
    }
    if (depth <= 0) {
      block = undefined;
      depth = 0;
    }
  });
  return blocks;
}

export function diffChanges(diffText: string): ResourceChange[] {
  const files = parseUnifiedDiff(diffText);
  const terraform = files.filter((file) => file.path.endsWith(".tf"));
  if (terraform.length === 0) {
    const seen = files.map((file) => file.path).filter((path) => path !== "/dev/null");
    throw new BatonError(
      "IAC_NO_TERRAFORM",
      seen.length === 0
        ? "This is not a unified diff (no `+++ b/<file>` headers). Give `git diff` output or a pull request's diff."
        : `The diff changes no Terraform (.tf) files (it changes ${seen.slice(0, 5).join(", ")}${seen.length > 5 ? ", …" : ""}); there is nothing for the IaC review.`,
      { files: seen },
    );
  }
  const changes: ResourceChange[] = [];
  for (const file of terraform) {
    const current = readBlocks(file.lines, file.hunkContexts, "new").filter((block) => block.hasAddedLine);
    const oldSide = readBlocks(file.lines, file.hunkContexts, "old");
    const removed = oldSide.filter((block) => block.headerAdded);
    const present = new Set(readBlocks(file.lines, file.hunkContexts, "new").map((block) => `${block.type}.${block.name}`));
    const beforeOf = new Map(oldSide.map((block) => [`${block.type}.${block.name}`, block.attributes]));
    for (const block of current) {
      const address = `${block.kind === "data" ? "data." : ""}${block.type}.${block.name}`;
      changes.push({
        address,
        type: block.type,
        name: block.name,
        mode: block.kind === "data" ? "data" : "managed",
        actions: [block.headerAdded ? "create" : "update"],
        // What the diff shows of the old side (removed and context lines of the same block).
        before: block.headerAdded ? null : (beforeOf.get(`${block.type}.${block.name}`) ?? null),
        after: block.attributes,
        replacedBecause: [],
        source: { kind: "diff", file: file.path, line: block.headerLine },
        attributeLines: block.attributeLines,
        text: block.text.join("\n"),
      });
    }
    for (const block of removed) {
      if (present.has(`${block.type}.${block.name}`)) continue;
      changes.push({
        address: `${block.kind === "data" ? "data." : ""}${block.type}.${block.name}`,
        type: block.type,
        name: block.name,
        mode: block.kind === "data" ? "data" : "managed",
        actions: ["delete"],
        before: block.attributes,
        after: null,
        replacedBecause: [],
        // A deleted block has no line in the new file: point at the file.
        source: { kind: "diff", file: file.path, line: 0 },
        attributeLines: {},
        text: block.text.join("\n"),
      });
    }
  }
  return changes;
}

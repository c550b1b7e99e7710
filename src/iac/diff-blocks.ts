import { bracketBalance, parseHclBody } from "./hcl-values.js";

/**
 * The top-level blocks of each side of a unified diff of `.tf` files (`git diff`), as far as the
 * diff shows them. A hunk shows a few lines around each change, so a block may be cut: a block
 * records whether it was seen whole, and each attribute whether its whole value was seen.
 *
 * Where a hunk starts inside a block, git names the enclosing line after the `@@` — taken from
 * the *old* file. So the old side's open block continues into the next hunk when git names
 * that same block; the new side's open block continues then too (the lines between hunks are
 * the same on both sides), which keeps a block renamed in an earlier hunk under its new name.
 */

export interface DiffLine {
  text: string;
  kind: "added" | "removed" | "context";
  /** Line number on the old side (undefined for an added line). */
  oldNumber: number | undefined;
  /** Line number on the new side (undefined for a removed line). */
  newNumber: number | undefined;
}

export interface Hunk {
  /** The text git printed after `@@ … @@` (the enclosing line of the old file), or "". */
  header: string;
  lines: DiffLine[];
}

export interface FileDiff {
  path: string;
  oldPath: string;
  hunks: Hunk[];
}

export interface BlockItem {
  key: string;
  line: number;
  lines: string[];
  /** The whole item was inside one hunk. */
  complete: boolean;
  /** One of its lines is added (new side) or removed (old side). */
  changed: boolean;
}

export interface SideBlock {
  kind: "resource" | "data" | "moved" | "removed";
  type: string;
  name: string;
  /** Side line of the header, or of the first line shown when the header is outside the hunks. */
  line: number;
  /** The header line itself is added (new side) or removed (old side). */
  headerChanged: boolean;
  /** Some line of the block is added (new side) or removed (old side). */
  changed: boolean;
  /** Header to closing brace, all inside the hunks. */
  complete: boolean;
  items: BlockItem[];
}

const RESOURCE_HEADER = /^(resource|data)\s+"([^"]+)"\s+"([^"]+)"\s*\{/;
const META_HEADER = /^(moved|removed)\s*\{/;

export function parseUnifiedDiff(text: string): FileDiff[] {
  const files: FileDiff[] = [];
  let current: FileDiff | undefined;
  let oldPath = "";
  let oldNumber = 0;
  let newNumber = 0;
  let inHeader = true;
  for (const raw of text.replace(/\r\n/g, "\n").split("\n")) {
    if (raw.startsWith("diff --git ")) {
      current = undefined;
      inHeader = true;
      continue;
    }
    if (inHeader && raw.startsWith("--- ")) {
      oldPath = raw.slice(4).trim().replace(/^a\//, "");
      continue;
    }
    if (inHeader && raw.startsWith("+++ ")) {
      current = { path: raw.slice(4).trim().replace(/^b\//, ""), oldPath, hunks: [] };
      files.push(current);
      continue;
    }
    const hunk = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@ ?(.*)$/.exec(raw);
    if (hunk && current) {
      inHeader = false;
      oldNumber = Number(hunk[1]);
      newNumber = Number(hunk[2]);
      current.hunks.push({ header: hunk[3] ?? "", lines: [] });
      continue;
    }
    const lines = current?.hunks.at(-1)?.lines;
    if (!lines || inHeader) continue;
    if (raw.startsWith("+")) lines.push({ text: raw.slice(1), kind: "added", oldNumber: undefined, newNumber: newNumber++ });
    else if (raw.startsWith("-")) lines.push({ text: raw.slice(1), kind: "removed", oldNumber: oldNumber++, newNumber: undefined });
    else if (raw.startsWith(" ") || raw === "") lines.push({ text: raw.slice(1), kind: "context", oldNumber: oldNumber++, newNumber: newNumber++ });
  }
  return files;
}

interface OpenBlock {
  block: SideBlock;
  /** The header text as the old file has it (to recognise git's hunk header). */
  header: string;
  depth: number;
  item: BlockItem | undefined;
  heredoc: string | undefined;
}

function openFrom(text: string, line: number, headerChanged: boolean): OpenBlock | undefined {
  const resource = RESOURCE_HEADER.exec(text);
  const meta = META_HEADER.exec(text);
  if (!resource && !meta) return undefined;
  const block: SideBlock = resource
    ? {
        kind: resource[1] === "data" ? "data" : "resource",
        type: resource[2] as string,
        name: resource[3] as string,
        line,
        headerChanged,
        changed: headerChanged,
        complete: true,
        items: [],
      }
    : { kind: meta?.[1] === "moved" ? "moved" : "removed", type: "", name: "", line, headerChanged, changed: headerChanged, complete: true, items: [] };
  return { block, header: text.trim(), depth: bracketBalance(text), item: undefined, heredoc: undefined };
}

/**
 * The blocks of one side of a file's diff, in order, and the header of the block left open at
 * the end of each hunk (the new side is read with the old side's, see the file's comment).
 */
export function readSide(
  file: FileDiff,
  side: "old" | "new",
  oldOpenAfterHunk: ReadonlyArray<string | undefined> = [],
): { blocks: SideBlock[]; openAfterHunk: Array<string | undefined> } {
  const blocks: SideBlock[] = [];
  const openAfterHunk: Array<string | undefined> = [];
  const changedKind = side === "new" ? "added" : "removed";
  let open: OpenBlock | undefined;
  file.hunks.forEach((hunk, hunkIndex) => {
    const lines = hunk.lines.filter((line) => line.kind !== (side === "new" ? "removed" : "added"));
    const gitHeader = hunk.header.trim();
    const previousOldHeader = side === "old" ? openAfterHunk[hunkIndex - 1] : oldOpenAfterHunk[hunkIndex - 1];
    if (open) {
      open.block.complete = false;
      if (open.item) open.item.complete = false;
      // git truncates the header it prints: compare by prefix.
      if (previousOldHeader === undefined || gitHeader === "" || !previousOldHeader.startsWith(gitHeader)) open = undefined;
    }
    const first = lines.find((line) => line.text.trim() !== "");
    const atTopLevel = first !== undefined && /^\S/.test(first.text) && !/^[}\]]/.test(first.text);
    if (!open && !atTopLevel && first !== undefined) {
      const started = openFrom(gitHeader, (side === "new" ? first.newNumber : first.oldNumber) ?? 0, false);
      if (started) {
        const indent = /^\s*/.exec(first.text)?.[0].length ?? 0;
        started.depth = Math.max(1, Math.floor(indent / 2) + (/^\s*[}\]]/.test(first.text) ? 1 : 0));
        started.block.complete = false;
        // Started inside a nested value whose key is out of sight: an unnamed, incomplete item.
        if (started.depth > 1) started.item = { key: "", line: 0, lines: [], complete: false, changed: false };
        blocks.push(started.block);
        open = started;
      }
    }
    for (const line of lines) {
      const number = (side === "new" ? line.newNumber : line.oldNumber) ?? 0;
      const changed = line.kind === changedKind;
      if (!open) {
        if (/^\s/.test(line.text)) continue;
        const opened = openFrom(line.text, number, changed);
        if (!opened) continue;
        blocks.push(opened.block);
        open = opened.depth > 0 ? opened : undefined;
        continue;
      }
      if (changed) open.block.changed = true;
      if (open.heredoc !== undefined) {
        open.item?.lines.push(line.text);
        if (open.item && changed) open.item.changed = true;
        if (line.text.trim() === open.heredoc) {
          open.heredoc = undefined;
          finishItem(open);
        }
        continue;
      }
      const before = open.depth;
      open.depth += bracketBalance(line.text);
      if (before === 1 && !open.item) {
        if (open.depth <= 0) {
          open = undefined;
          continue;
        }
        const key = /^\s*([\w-]+)/.exec(line.text)?.[1];
        if (key === undefined) continue;
        open.item = { key, line: number, lines: [line.text], complete: true, changed };
        open.heredoc = /<<-?([A-Za-z_]\w*)\s*$/.exec(line.text)?.[1];
      } else if (open.item) {
        open.item.lines.push(line.text);
        if (changed) open.item.changed = true;
      }
      if (open.depth <= 1 && open.heredoc === undefined) finishItem(open);
      if (open.depth <= 0) open = undefined;
    }
    openAfterHunk.push(open?.header);
  });
  return { blocks, openAfterHunk };
}

function finishItem(open: OpenBlock): void {
  if (open.item && open.item.key !== "") open.block.items.push(open.item);
  open.item = undefined;
}

/** A block's attributes and nested blocks from the items seen whole; the keys cut by a hunk edge apart. */
export function attributesOf(block: SideBlock): {
  attributes: Record<string, unknown>;
  lines: Record<string, number>;
  partialKeys: string[];
  changedKeys: string[];
} {
  const attributes: Record<string, unknown> = {};
  const lines: Record<string, number> = {};
  const partialKeys: string[] = [];
  const changedKeys: string[] = [];
  for (const item of block.items) {
    lines[item.key] ??= item.line;
    if (item.changed) changedKeys.push(item.key);
    if (!item.complete) {
      partialKeys.push(item.key);
      continue;
    }
    for (const [key, value] of Object.entries(parseHclBody(item.lines.join("\n")))) {
      const existing = attributes[key];
      attributes[key] =
        Array.isArray(existing) && Array.isArray(value) && /^\s*[\w-]+\s*("[^"]*"\s*)*\{/.test(item.lines[0] ?? "") ? [...existing, ...value] : value;
    }
  }
  return { attributes, lines, partialKeys, changedKeys };
}

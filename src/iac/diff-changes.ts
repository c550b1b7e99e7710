import { BatonError } from "../core/errors.js";
import { attributesOf, parseUnifiedDiff, readSide, type SideBlock } from "./diff-blocks.js";
import type { ResourceChange } from "./resource-change.js";

/**
 * Resource changes out of a unified diff of Terraform files (`git diff`, a pull request's
 * patches). A diff shows only the lines around each change, so this reads what it shows:
 *
 * - a `resource` block with an added or removed line is a change: `create` when its header is
 *   added, `update` otherwise — and `update` too when a `moved` block renames it;
 * - a removed block is a `delete`, unless a `moved` block (a rename) or a `removed` block with
 *   `destroy = false` (a `forget`: Terraform stops managing it and leaves it in place) covers it;
 * - each change carries the attributes and nested blocks the diff shows on each side, the line
 *   each one is on, and which were cut by a hunk's edge (`partialAttributes`).
 *
 * `.tf.json` files are not read.
 */

interface Located {
  block: SideBlock;
  file: string;
}

const addressOf = (block: SideBlock): string => `${block.kind === "data" ? "data." : ""}${block.type}.${block.name}`;

function merge(into: Map<string, Located[]>, blocks: ReadonlyArray<SideBlock>, file: string): void {
  for (const block of blocks) {
    if (block.kind !== "resource" && block.kind !== "data") continue;
    const list = into.get(addressOf(block)) ?? [];
    list.push({ block, file });
    into.set(addressOf(block), list);
  }
}

/** Attributes of every piece of a block the diff shows (a block cut into several hunks). */
function combined(pieces: ReadonlyArray<Located>): ReturnType<typeof attributesOf> & { complete: boolean } {
  const result = {
    attributes: {} as Record<string, unknown>,
    lines: {} as Record<string, number>,
    partialKeys: [] as string[],
    changedKeys: [] as string[],
    complete: pieces.length === 1 && pieces[0]?.block.complete === true,
  };
  for (const piece of pieces) {
    const read = attributesOf(piece.block);
    Object.assign(result.attributes, read.attributes);
    for (const [key, line] of Object.entries(read.lines)) result.lines[key] ??= line;
    result.partialKeys.push(...read.partialKeys);
    result.changedKeys.push(...read.changedKeys);
  }
  return result;
}

function metaBlocks(blocks: ReadonlyArray<SideBlock>, kind: "moved" | "removed"): Array<Record<string, unknown>> {
  return blocks.filter((block) => block.kind === kind).map((block) => attributesOf(block).attributes);
}

export function diffChanges(diffText: string): ResourceChange[] {
  const files = parseUnifiedDiff(diffText);
  const terraform = files.filter((file) => file.path.endsWith(".tf") || (file.path === "/dev/null" && file.oldPath.endsWith(".tf")));
  if (terraform.length === 0) {
    const seen = files.map((file) => (file.path === "/dev/null" ? file.oldPath : file.path));
    throw new BatonError(
      "IAC_NO_TERRAFORM",
      seen.length === 0
        ? "This is not a unified diff (no `+++ b/<file>` headers). Give `git diff` output or a pull request's diff."
        : `The diff changes no Terraform (.tf) files (it changes ${seen.slice(0, 5).join(", ")}${seen.length > 5 ? ", …" : ""}); there is nothing for the IaC review.`,
      { files: seen },
    );
  }
  const newSide = new Map<string, Located[]>();
  const oldSide = new Map<string, Located[]>();
  const moved = new Map<string, string>();
  const forgotten = new Set<string>();
  for (const file of terraform) {
    const old = readSide(file, "old");
    const current = readSide(file, "new", old.openAfterHunk);
    const path = file.path === "/dev/null" ? file.oldPath : file.path;
    merge(oldSide, old.blocks, path);
    merge(newSide, current.blocks, path);
    // moved and removed blocks say what a block's disappearance means, wherever they are.
    for (const block of metaBlocks(current.blocks, "moved")) {
      if (typeof block["from"] === "string" && typeof block["to"] === "string") moved.set(block["from"], block["to"]);
    }
    for (const block of metaBlocks(current.blocks, "removed")) {
      const lifecycle = Array.isArray(block["lifecycle"]) ? (block["lifecycle"][0] as Record<string, unknown> | undefined) : undefined;
      if (typeof block["from"] === "string" && lifecycle?.["destroy"] === false) forgotten.add(block["from"]);
    }
  }
  const movedTo = new Map([...moved].map(([from, to]) => [to, from]));
  const changes: ResourceChange[] = [];
  for (const [address, pieces] of newSide) {
    if (!pieces.some((piece) => piece.block.changed)) continue;
    const first = pieces[0] as Located;
    const headerAdded = pieces.some((piece) => piece.block.headerChanged);
    const previousAddress = movedTo.get(address);
    const oldPieces = oldSide.get(previousAddress ?? address) ?? [];
    // A header re-typed in place (spacing) or renamed by a moved block is the same resource.
    const created = headerAdded && previousAddress === undefined && !oldPieces.some((piece) => piece.block.headerChanged);
    const after = combined(pieces);
    const before = combined(oldPieces);
    changes.push({
      address,
      type: first.block.type,
      name: first.block.name,
      mode: first.block.kind === "data" ? "data" : "managed",
      actions: [created ? "create" : "update"],
      before: created ? null : before.attributes,
      after: after.attributes,
      replacedBecause: [],
      source: { kind: "diff", file: first.file, line: first.block.line },
      attributeLines: after.lines,
      ...(previousAddress === undefined ? {} : { previousAddress }),
      diff: { complete: after.complete, partialAttributes: [...new Set(after.partialKeys)], changedAttributes: [...new Set(after.changedKeys)] },
    });
  }
  for (const [address, pieces] of oldSide) {
    if (newSide.has(address) || moved.has(address) || !pieces.some((piece) => piece.block.headerChanged)) continue;
    const first = pieces[0] as Located;
    const before = combined(pieces);
    changes.push({
      address,
      type: first.block.type,
      name: first.block.name,
      mode: first.block.kind === "data" ? "data" : "managed",
      actions: [forgotten.has(address) ? "forget" : "delete"],
      before: before.attributes,
      after: null,
      replacedBecause: [],
      // A deleted block has no line in the new file: point at the file.
      source: { kind: "diff", file: first.file, line: 0 },
      attributeLines: {},
      diff: { complete: before.complete, partialAttributes: [...new Set(before.partialKeys)], changedAttributes: [] },
    });
  }
  return changes;
}

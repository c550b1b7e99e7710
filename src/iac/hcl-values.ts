/**
 * Just enough of HCL's expression syntax to read attributes out of a diff: strings, numbers,
 * booleans, null, one-line lists and maps. Anything else (a reference, a function call) is
 * kept as its source text, which the rules treat as "not a literal".
 */

function splitTopLevel(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let current = "";
  for (let index = 0; index < text.length; index += 1) {
    const character = text[index] ?? "";
    if (character === '"' && text[index - 1] !== "\\") quoted = !quoted;
    if (!quoted && (character === "[" || character === "{" || character === "(")) depth += 1;
    if (!quoted && (character === "]" || character === "}" || character === ")")) depth -= 1;
    if (!quoted && depth === 0 && character === separator) {
      parts.push(current);
      current = "";
      continue;
    }
    current += character;
  }
  if (current.trim() !== "") parts.push(current);
  return parts.map((part) => part.trim()).filter((part) => part !== "");
}

export function parseHclValue(source: string): unknown {
  const text = source.trim().replace(/\s*(#|\/\/).*$/, "");
  if (/^"(?:[^"\\]|\\.)*"$/.test(text)) return text.slice(1, -1).replace(/\\"/g, '"');
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  if (text === "true") return true;
  if (text === "false") return false;
  if (text === "null") return null;
  if (text.startsWith("[") && text.endsWith("]")) return splitTopLevel(text.slice(1, -1), ",").map(parseHclValue);
  if (text.startsWith("{") && text.endsWith("}")) {
    const entries = splitTopLevel(text.slice(1, -1).replace(/\n/g, ","), ",").flatMap((entry) => {
      const match = /^"?([\w.\-/:]+)"?\s*[=:]\s*([\s\S]+)$/.exec(entry);
      return match ? [[match[1] as string, parseHclValue(match[2] as string)] as const] : [];
    });
    return Object.fromEntries(entries);
  }
  return text;
}

/** Net `{`/`[`/`(` minus closers on a line, outside strings: how a multi-line value or block continues. */
export function bracketBalance(line: string): number {
  let balance = 0;
  let quoted = false;
  for (let index = 0; index < line.length; index += 1) {
    const character = line[index] ?? "";
    if (character === '"' && line[index - 1] !== "\\") quoted = !quoted;
    if (quoted) continue;
    if (character === "#" || (character === "/" && line[index + 1] === "/")) break;
    if (character === "{" || character === "[" || character === "(") balance += 1;
    if (character === "}" || character === "]" || character === ")") balance -= 1;
  }
  return balance;
}

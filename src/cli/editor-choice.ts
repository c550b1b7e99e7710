/**
 * The editor the user chose for `e` (edit) at an approval prompt: `$VISUAL`, else `$EDITOR`;
 * undefined to paste the JSON inline instead.
 *
 * npm exports its `editor` setting as EDITOR to every script, and that setting defaults to
 * `$EDITOR || $VISUAL || vi`. So under `npm run demo` an EDITOR of `vi` with no VISUAL is npm's
 * fallback, not a choice the user made (a user who did choose vi is indistinguishable, and
 * gets the inline path the README documents; VISUAL=vi still opens it).
 */
export function chosenEditor(environment: Readonly<Record<string, string | undefined>>): string | undefined {
  const visual = environment["VISUAL"]?.trim();
  if (visual) return visual;
  const editor = environment["EDITOR"]?.trim();
  if (!editor) return undefined;
  const underNpm = environment["npm_lifecycle_event"] !== undefined;
  return underNpm && editor === "vi" ? undefined : editor;
}

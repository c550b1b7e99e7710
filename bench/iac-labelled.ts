import { measure } from "../test/iac/labelled-set.js";

/** `npx tsx bench/iac-labelled.ts`: recall and precision of `baton iac check` on the labelled set, with every miss and every wrong report. */
const result = measure();
for (const entry of result.cases) {
  for (const missed of entry.missed) console.log(`MISSED  ${entry.file}  ${missed}`);
  for (const wrong of entry.wrong) console.log(`WRONG   ${entry.file}  ${wrong}`);
}
console.log(
  `recall ${(result.recall * 100).toFixed(1)}% (${String(Math.round(result.recall * result.labelled))}/${String(result.labelled)}), precision ${(result.precision * 100).toFixed(1)}% of ${String(result.reported)} reported`,
);

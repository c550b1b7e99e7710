// Writes the generated long RFP to test/fixtures/rfp/long-rfp.md (for people to read and for
// `baton run rfp-response --input`): npx tsx test/support/write-rfp-fixture.ts
import { writeFileSync } from "node:fs";
import { generateRfp } from "./rfp-fixture.js";

writeFileSync(new URL("../fixtures/rfp/long-rfp.md", import.meta.url), generateRfp().markdown);

#!/usr/bin/env node
// The Slack bot (`npm start`). Chains are TypeScript files (baton's chains/ and the folders in
// BATON_CHAINS_DIR): the launcher compiles them with baton's sources (bin/build-sources.js says
// why not a loader hook) and runs the result.
import { runCompiled } from "./build-sources.js";

await runCompiled("src/main.ts");

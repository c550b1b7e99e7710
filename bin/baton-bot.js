#!/usr/bin/env node
// The Slack bot (`npm start`). Chains are TypeScript files in chains/, so baton runs its sources
// through tsx's loader instead of shipping a build step.
import { register } from "tsx/esm/api";

register();
await import("../src/main.ts");

#!/usr/bin/env node
// Chains are TypeScript files that users add to chains/, so baton runs its sources through
// tsx's loader instead of shipping a build step.
import { register } from "tsx/esm/api";

register();
await import("../src/cli/main.ts");

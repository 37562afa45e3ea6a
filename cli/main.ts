#!/usr/bin/env node
/** Entry point: `node dist/cli/main.js ARGS` (what bin/mtslc.js runs) or `npx tsx cli/main.ts ARGS`. */
import { run } from "./mtslc.js";

process.exitCode = await run(process.argv.slice(2));

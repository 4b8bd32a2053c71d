#!/usr/bin/env node
"use strict";
// The CLI is TypeScript run through tsx, so an installed credroot needs no build step.
require("tsx/cjs");
require("../src/cli/main.ts").main();

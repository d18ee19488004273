#!/usr/bin/env node
// The emulator is TypeScript; tsx (a dependency) loads it, so the bin runs with no build step.
require('tsx/cjs');
require('../src/main.ts');

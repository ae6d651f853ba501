#!/usr/bin/env node
// The `octet` command: the bundled CLI (build it first with `npm run build`), started with the
// allocator setting training needs (engine/cli/launcher.ts).
require('../dist/launcher.js');

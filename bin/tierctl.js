#!/usr/bin/env node
// The CLI, bundled by scripts/bundle-cli.js (npm run build): CommonJS (bin/package.json), so that
// `tierctl --help` never starts the ES module loader; each command requires only its own bundle,
// compiled from V8's code cache when an earlier run left one (src/cli/code-cache.ts).
require('../dist/tierctl/code-cache.cjs').enableCodeCache(require('node:path').join(__dirname, '..', 'dist', 'tierctl'));
require('../dist/tierctl/main.cjs');

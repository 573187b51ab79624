#!/usr/bin/env node
// The CLI, bundled by scripts/bundle-cli.js (npm run build): CommonJS (bin/package.json), so that
// `tierctl --help` never starts the ES module loader; each command imports only its own bundle.
require('../dist/tierctl/main.cjs');

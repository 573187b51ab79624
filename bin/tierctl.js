#!/usr/bin/env node
// The CLI, bundled by scripts/bundle-cli.js (npm run build): each command loads only its own chunks.
import '../dist/tierctl/main.js';

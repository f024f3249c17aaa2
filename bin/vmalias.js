#!/usr/bin/env node
'use strict';
// Thin launcher: the CLI is the esbuild bundle built by `npm run build` (run by `npm ci` through "prepare").
const path = require('path');
const fs = require('fs');
const bundle = path.join(__dirname, '..', 'dist', 'cli.js');
if (!fs.existsSync(bundle)) {
  process.stderr.write('vmalias: dist/cli.js is missing; run `npm run build` in ' + path.dirname(__dirname) + '\n');
  process.exit(2);
}
require(bundle).main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { process.stderr.write('vmalias: internal error: ' + (err && err.stack ? err.stack : String(err)) + '\n'); process.exitCode = 2; },
);

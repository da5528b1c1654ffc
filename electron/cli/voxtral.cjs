#!/usr/bin/env node
// Bin shim for `npx voxtral`: runs the CLI bundle built by build/bundle.mjs (npm run build:js).
'use strict';
const path = require('node:path');
const bundle = path.join(__dirname, '..', '..', 'dist', 'cli', 'voxtral.cjs');
let cli;
try {
  cli = require(bundle);
} catch (err) {
  if (err && err.code === 'MODULE_NOT_FOUND' && String(err.message).includes('voxtral.cjs')) {
    process.stderr.write('voxtral: the CLI is not built yet; run "npm run build:js" first\n');
    process.exit(1);
  }
  throw err;
}
cli.runCli(process.argv.slice(2)).then((code) => { process.exitCode = code; });

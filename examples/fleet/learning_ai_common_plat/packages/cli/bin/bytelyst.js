#!/usr/bin/env node
import { run } from '../src/index.js';

run(process.argv.slice(2), { env: process.env, stdout: process.stdout, stderr: process.stderr }).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`bytelyst: ${error?.stack ?? error}\n`);
    process.exitCode = 70;
  }
);

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { captureStreams, createMemoryLogger } from '@bytelyst/testing';
import { run, VERSION } from '../src/index.js';

const fixture = fileURLToPath(new URL('./fixtures/sample.env', import.meta.url));
const bin = fileURLToPath(new URL('../bin/bytelyst.js', import.meta.url));

async function cli(argv, env = {}) {
  const io = captureStreams();
  const mem = createMemoryLogger();
  const code = await run(argv, { env, stdout: io.stdout, stderr: io.stderr, logger: mem.logger });
  return { code, ...io.output, logs: mem.messages() };
}

test('help and version', async () => {
  assert.match((await cli(['--help'])).stdout, /Usage: bytelyst/);
  assert.equal((await cli(['version'])).stdout, `${VERSION}\n`);
  const bad = await cli(['--nope']);
  assert.equal(bad.code, 64);
  assert.match(bad.stderr, /Unknown option/);
});

test('config merges env file under process env', async () => {
  const res = await cli(['config', '--env-file', fixture, '--json'], { PORT: '9000' });
  assert.equal(res.code, 0);
  const cfg = JSON.parse(res.stdout);
  assert.equal(cfg.serviceName, 'billing');
  assert.equal(cfg.port, 9000);
  assert.deepEqual(cfg.featureFlags, ['invoices-v2', 'new-ui:25', '-legacy-export']);
  assert.deepEqual(res.logs, ['running command', 'loading env file']);
});

test('env-check and flags', async () => {
  const missing = await cli(['env-check', '--require', 'SERVICE_NAME,DATABASE_URL', '--env-file', fixture]);
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr, 'missing: DATABASE_URL\n');
  const flags = await cli(['flags', '--env-file', fixture]);
  assert.equal(flags.stdout, 'on  invoices-v2\noff legacy-export\non  new-ui (25%)\n');
});

test('bin script runs', () => {
  const out = execFileSync(process.execPath, [bin, '--help'], { encoding: 'utf8' });
  assert.match(out, /Commands:/);
});

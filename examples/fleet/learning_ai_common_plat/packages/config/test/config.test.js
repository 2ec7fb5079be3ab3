import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig, toEnvName, parseBool, parseList, parseDotenv } from '../src/index.js';

test('loadConfig reads typed values and defaults', () => {
  const cfg = loadConfig(
    {
      port: { type: 'number', default: 3000 },
      debugMode: { type: 'boolean', default: false },
      allowedHosts: { type: 'list', default: [] },
      serviceName: { env: 'SVC', required: true },
    },
    { PORT: '8080', DEBUG_MODE: 'yes', SVC: 'api' }
  );
  assert.deepEqual(cfg, { port: 8080, debugMode: true, allowedHosts: [], serviceName: 'api' });
  assert.ok(Object.isFrozen(cfg));
});

test('loadConfig reports all missing required keys', () => {
  assert.throws(
    () => loadConfig({ a: { required: true }, b: { env: 'BEE', required: true } }, {}),
    /Missing required config: A, BEE/
  );
});

test('parsers', () => {
  assert.equal(toEnvName('databaseUrl'), 'DATABASE_URL');
  assert.equal(parseBool('OFF'), false);
  assert.throws(() => parseBool('maybe'), TypeError);
  assert.deepEqual(parseList(' a, ,b '), ['a', 'b']);
});

test('parseDotenv handles comments, quotes and export', () => {
  const env = parseDotenv('# c\nexport A=1\nB="x\\ny"\nC=plain # trailing\nD=\'raw\'\n');
  assert.deepEqual(env, { A: '1', B: 'x\ny', C: 'plain', D: 'raw' });
});

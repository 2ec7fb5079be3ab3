import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ValidationError } from '@bytelyst/errors';
import { z, parseOrThrow, validate, schemas } from '../src/index.js';
import { issuesByField } from '../src/issues.js';

const Signup = z.object({ email: schemas.email, port: schemas.port, tags: z.array(z.string()) });

test('parseOrThrow returns parsed data', () => {
  const value = parseOrThrow(Signup, { email: ' A@B.io ', port: '8080', tags: [] });
  assert.deepEqual(value, { email: 'a@b.io', port: 8080, tags: [] });
});

test('parseOrThrow raises ValidationError with dotted paths', () => {
  try {
    parseOrThrow(Signup, { email: 'nope', port: 0, tags: [1] }, 'signup');
    assert.fail('should throw');
  } catch (error) {
    assert.ok(error instanceof ValidationError);
    assert.equal(error.status, 422);
    const paths = error.details.issues.map((i) => i.path);
    assert.deepEqual(paths, ['email', 'port', 'tags[0]']);
    assert.deepEqual(Object.keys(issuesByField(error.details.issues)), ['email', 'port', 'tags']);
  }
});

test('validate and prefixedId schema', () => {
  const id = schemas.prefixedId('usr');
  assert.equal(validate(id, 'usr_01hq3v5k8m9n0p1q2r3s4t5v6w').ok, true);
  const bad = validate(id, 'org_01hq3v5k8m9n0p1q2r3s4t5v6w');
  assert.equal(bad.ok, false);
  assert.match(bad.error.message, /must be a usr_ id/);
  assert.deepEqual(schemas.pagination.parse({}), { limit: 50 });
});

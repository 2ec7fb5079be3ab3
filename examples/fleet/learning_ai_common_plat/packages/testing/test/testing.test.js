import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryLogger, captureStreams } from '../src/index.js';

test('memory logger keeps structured entries', () => {
  const mem = createMemoryLogger({ level: 'info', name: 'svc' });
  mem.logger.debug('dropped');
  mem.logger.info('started', { port: 1 });
  mem.logger.child({ job: 'j1' }).error('failed');
  assert.deepEqual(mem.messages(), ['started', 'failed']);
  assert.deepEqual(mem.messages('error'), ['failed']);
  assert.equal(mem.find('started').port, 1);
  assert.equal(mem.find('failed').job, 'j1');
  mem.clear();
  assert.equal(mem.entries.length, 0);
});

test('captureStreams', () => {
  const io = captureStreams();
  io.stdout.write('a');
  io.stderr.write('b');
  io.stdout.write('c');
  assert.deepEqual(io.output, { stdout: 'ac', stderr: 'b' });
});

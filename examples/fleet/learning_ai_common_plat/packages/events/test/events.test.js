import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixedClock } from '@bytelyst/time';
import { isUlid } from '@bytelyst/ids';
import { createEvent, createEventBus, matchesType } from '../src/index.js';

test('createEvent builds a frozen envelope', () => {
  const clock = fixedClock('2024-05-01T12:00:00Z');
  const event = createEvent('user.created', { id: 'usr_1' }, { clock, source: 'accounts' });
  assert.ok(isUlid(event.id));
  assert.equal(event.time, '2024-05-01T12:00:00.000Z');
  assert.equal(event.source, 'accounts');
  assert.ok(Object.isFrozen(event));
  assert.throws(() => createEvent('UserCreated', {}), TypeError);
});

test('matchesType wildcards', () => {
  assert.ok(matchesType('user.*', 'user.deleted'));
  assert.ok(matchesType('*', 'order.paid'));
  assert.equal(matchesType('user.*', 'users.deleted'), false);
});

test('bus delivers, collects errors and supports once/unsubscribe', async () => {
  const bus = createEventBus();
  const seen = [];
  const off = bus.on('user.*', (e) => { seen.push(`all:${e.type}`); });
  bus.once('user.created', (e) => { seen.push(`once:${e.type}`); });
  bus.on('user.created', async () => { throw new Error('handler failed'); });

  const first = await bus.emit(createEvent('user.created', {}));
  assert.equal(first.delivered, 3);
  assert.equal(first.errors[0].message, 'handler failed');

  off();
  const second = await bus.emit(createEvent('user.created', {}));
  assert.equal(second.delivered, 1);
  assert.deepEqual(seen, ['all:user.created', 'once:user.created']);
  assert.equal(bus.listenerCount, 1);
});

import { ulid } from '@bytelyst/ids';
import { systemClock, toIso } from '@bytelyst/time';

const TYPE = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;

/** CloudEvents-flavoured envelope: { id, type, source, time, data }. */
export function createEvent(type, data, { source = 'bytelyst', clock = systemClock, id } = {}) {
  if (!TYPE.test(type)) throw new TypeError(`Event type must be dotted lower_case, got "${type}"`);
  return Object.freeze({
    id: id ?? ulid({ clock }),
    type,
    source,
    time: toIso(clock.now()),
    data,
  });
}

/** "user.created" matches "user.created", "user.*" and "*". */
export function matchesType(pattern, type) {
  if (pattern === '*' || pattern === type) return true;
  return pattern.endsWith('.*') && type.startsWith(pattern.slice(0, -1));
}

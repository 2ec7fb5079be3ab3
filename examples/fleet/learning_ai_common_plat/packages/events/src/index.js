import { matchesType } from './envelope.js';

export { createEvent, matchesType } from './envelope.js';

/**
 * In-process pub/sub. Handlers run concurrently; `emit` resolves once all have
 * settled and reports failures instead of throwing on the first one.
 */
export function createEventBus() {
  const subscriptions = new Set();

  return {
    on(pattern, handler) {
      const sub = { pattern, handler };
      subscriptions.add(sub);
      return () => subscriptions.delete(sub);
    },
    once(pattern, handler) {
      const off = this.on(pattern, (event) => {
        off();
        return handler(event);
      });
      return off;
    },
    async emit(event) {
      const targets = [...subscriptions].filter((s) => matchesType(s.pattern, event.type));
      const settled = await Promise.allSettled(targets.map((s) => s.handler(event)));
      const errors = settled.filter((r) => r.status === 'rejected').map((r) => r.reason);
      return { delivered: targets.length, errors };
    },
    get listenerCount() {
      return subscriptions.size;
    },
  };
}

import { formatDuration, parseDuration } from '@bytelyst/time';
import { Timers } from './timers.js';

const timers = new Timers();

export interface Reply {
  status: number;
  body: unknown;
}

export function handle(method: string, url: URL): Reply {
  if (url.pathname === '/health') return { status: 200, body: { ok: true } };
  if (url.pathname === '/zones') {
    const zones = (url.searchParams.get('tz') ?? 'UTC,Europe/Paris,Asia/Tokyo').split(',');
    const now = new Date();
    return {
      status: 200,
      body: zones.map((tz) => ({ tz, time: now.toLocaleTimeString('en-GB', { timeZone: tz }) })),
    };
  }
  if (url.pathname === '/timers' && method === 'POST') {
    const name = url.searchParams.get('name') ?? 'timer';
    const ms = parseDuration(url.searchParams.get('for') ?? '5m');
    return { status: 201, body: timers.start(name, ms) };
  }
  if (url.pathname === '/timers') {
    return {
      status: 200,
      body: timers.list().map((t) => ({ ...t, left: formatDuration(Math.max(0, t.endsAt - Date.now())) })),
    };
  }
  return { status: 404, body: { error: 'not found' } };
}

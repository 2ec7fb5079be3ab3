import { randomUUID } from 'node:crypto';
import type { DailyPeak, Pulse } from '../../shared/types.js';

export class PulseStore {
  private pulses: Pulse[] = [];

  add(score: number, note?: string): Pulse {
    const pulse: Pulse = { id: randomUUID(), at: new Date().toISOString(), score, note };
    this.pulses.push(pulse);
    return pulse;
  }

  get(id: string): Pulse | undefined {
    return this.pulses.find((p) => p.id === id);
  }

  list(): Pulse[] {
    return [...this.pulses];
  }

  dailyPeaks(): DailyPeak[] {
    const byDay = new Map<string, DailyPeak>();
    for (const p of this.pulses) {
      const day = p.at.slice(0, 10);
      const cur = byDay.get(day) ?? { day, peak: 0, count: 0 };
      cur.peak = Math.max(cur.peak, p.score);
      cur.count += 1;
      byDay.set(day, cur);
    }
    return [...byDay.values()].sort((a, b) => a.day.localeCompare(b.day));
  }
}

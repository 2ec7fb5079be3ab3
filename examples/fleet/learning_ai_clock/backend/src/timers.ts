export interface Timer {
  id: number;
  name: string;
  endsAt: number;
}

export class Timers {
  private next = 1;
  private timers: Timer[] = [];

  start(name: string, ms: number): Timer {
    const t = { id: this.next++, name, endsAt: Date.now() + ms };
    this.timers.push(t);
    return t;
  }

  list(): Timer[] {
    const now = Date.now();
    this.timers = this.timers.filter((t) => t.endsAt > now - 60_000);
    return [...this.timers];
  }
}

export interface Pulse {
  id: string;
  at: string;
  score: number;
  note?: string;
}

export interface DailyPeak {
  day: string;
  peak: number;
  count: number;
}

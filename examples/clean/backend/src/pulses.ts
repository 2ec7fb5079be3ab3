import { Router } from 'express';
import dayjs from 'dayjs';
import { PulseInput, type Pulse } from './schema.js';

export const pulses = Router();
const store: Pulse[] = [];

pulses.get('/', (_req, res) => {
  res.json(store);
});

pulses.get('/today', (_req, res) => {
  const today = dayjs().format('YYYY-MM-DD');
  const mine = store.filter((p) => dayjs(p.at).format('YYYY-MM-DD') === today);
  res.json({ day: today, count: mine.length, peak: Math.max(0, ...mine.map((p) => p.score)) });
});

pulses.post('/', (req, res) => {
  const parsed = PulseInput.safeParse(req.body);
  if (!parsed.success) {
    res.status(400).json({ error: parsed.error.flatten() });
    return;
  }
  const pulse: Pulse = { ...parsed.data, id: store.length + 1, at: dayjs().toISOString() };
  store.push(pulse);
  res.status(201).json(pulse);
});

import { Router } from 'express';
import { NotFoundError, ValidationError } from '@bytelyst/errors';
import { PulseStore } from '../store.js';

export const pulsesRouter = Router();
const store = new PulseStore();

pulsesRouter.get('/', (_req, res) => {
  res.json(store.list());
});

pulsesRouter.get('/peaks', (_req, res) => {
  res.json(store.dailyPeaks());
});

pulsesRouter.get('/:id', (req, res) => {
  const pulse = store.get(req.params.id);
  if (!pulse) throw new NotFoundError(`pulse ${req.params.id}`);
  res.json(pulse);
});

pulsesRouter.post('/', (req, res) => {
  const score = Number(req.body?.score);
  if (!Number.isFinite(score) || score < 0 || score > 10) {
    throw new ValidationError('score must be a number between 0 and 10');
  }
  res.status(201).json(store.add(score, req.body?.note));
});

import express from 'express';
import pino from 'pino';
import { loadConfig } from '@bytelyst/config';
import { createLogger } from '@bytelyst/logger';
import { pulses } from './pulses.js';

const config = loadConfig({
  port: { env: 'PEAKPULSE_PORT', type: 'number', default: 4010 },
});
const access = pino({ name: 'peakpulse-access' });
const log = createLogger({ name: 'peakpulse' });

const app = express();
app.use(express.json());
app.use((req, _res, next) => {
  access.info({ method: req.method, url: req.url });
  next();
});
app.get('/health', (_req, res) => res.json({ ok: true }));
app.use('/pulses', pulses);

app.listen(config.port, () => log.info('listening', { port: config.port }));

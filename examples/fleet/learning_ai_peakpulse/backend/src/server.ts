import express from 'express';
import { loadConfig } from '@bytelyst/config';
import { createLogger } from '@bytelyst/logger';
import { isAppError } from '@bytelyst/errors';
import { healthRouter } from './routes/health.js';
import { pulsesRouter } from './routes/pulses.js';

const config = loadConfig({
  port: { env: 'PEAKPULSE_PORT', type: 'number', default: 4010 },
  logLevel: { env: 'LOG_LEVEL', type: 'string', default: 'info' },
});
const log = createLogger({ name: 'peakpulse', level: config.logLevel });

const app = express();
app.use(express.json());
app.use('/health', healthRouter);
app.use('/pulses', pulsesRouter);
app.use((err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
  const status = isAppError(err) ? err.status : 500;
  log.error('request failed', { status, error: String(err) });
  res.status(status).json({ error: isAppError(err) ? err.code : 'internal' });
});

app.listen(config.port, () => log.info('listening', { port: config.port }));

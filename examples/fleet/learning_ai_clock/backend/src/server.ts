import { createServer } from 'node:http';
import { loadConfig } from '@bytelyst/config';
import { createLogger } from '@bytelyst/logger';
import { handle } from './routes.js';

const config = loadConfig({
  port: { env: 'CLOCK_PORT', type: 'number', default: 4020 },
});
const log = createLogger({ name: 'clock' });

createServer((req, res) => {
  const { status, body } = handle(req.method ?? 'GET', new URL(req.url ?? '/', 'http://x'));
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}).listen(config.port, () => log.info('listening', { port: config.port }));

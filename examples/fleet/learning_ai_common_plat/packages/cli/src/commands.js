import { readFile } from 'node:fs/promises';
import { loadConfig, parseDotenv, parseList } from '@bytelyst/config';

export const SERVICE_SPEC = {
  serviceName: { env: 'SERVICE_NAME', default: 'unnamed' },
  port: { env: 'PORT', type: 'number', default: 3000 },
  logLevel: { env: 'LOG_LEVEL', default: 'info' },
  featureFlags: { env: 'FEATURE_FLAGS', type: 'list', default: [] },
};

export async function resolveEnv({ env, options, logger }) {
  if (!options['env-file']) return env;
  logger.debug('loading env file', { path: options['env-file'] });
  const fromFile = parseDotenv(await readFile(options['env-file'], 'utf8'));
  return { ...fromFile, ...env };
}

export const commands = {
  async config(ctx) {
    const cfg = loadConfig(SERVICE_SPEC, await resolveEnv(ctx));
    if (ctx.options.json) ctx.print(JSON.stringify(cfg, null, 2));
    else for (const [key, value] of Object.entries(cfg)) ctx.print(`${key}=${Array.isArray(value) ? value.join(',') : value}`);
    return 0;
  },
  async 'env-check'(ctx) {
    const env = await resolveEnv(ctx);
    const missing = parseList(ctx.options.require ?? '').filter((name) => !env[name]);
    for (const name of missing) ctx.error(`missing: ${name}`);
    if (missing.length === 0) ctx.print('ok');
    return missing.length === 0 ? 0 : 1;
  },
  async flags(ctx) {
    let flagsModule;
    try {
      flagsModule = await import('@bytelyst/feature-flags'); // optional dependency
    } catch {
      ctx.error('feature flags support is not installed (@bytelyst/feature-flags)');
      return 2;
    }
    const list = flagsModule.flagsFromEnv(await resolveEnv(ctx)).list();
    if (ctx.options.json) ctx.print(JSON.stringify(list));
    else for (const f of list) ctx.print(`${f.enabled ? 'on ' : 'off'} ${f.name}${f.rollout === undefined ? '' : ` (${f.rollout}%)`}`);
    return 0;
  },
};

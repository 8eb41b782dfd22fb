/** Alert options from the configuration (alerts.* keys), validated with the same schema as the code uses. */
import { z } from 'zod';
import { ConfigError, type Config } from '../../common/config.ts';
import { AlertOptions } from './options.ts';

export function alertOptionsFromConfig(config: Config): AlertOptions {
  const parsed = AlertOptions.safeParse({
    channels: config.alerts.channels,
    routes: config.alerts.routes,
    cooldown_ms: config.alerts.cooldownMinutes * 60_000,
  });
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const key = issue.path[0] === 'routes' ? 'alerts.routes' : 'alerts.channels';
  // The message names the path and the rule, never the value: channel URLs are secrets.
  throw new ConfigError(key, `${key}: ${z.prettifyError(parsed.error).replace(/\n/g, ' ')}`);
}

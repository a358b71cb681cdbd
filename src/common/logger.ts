import { appendFileSync } from 'node:fs';
import type { Logger } from '../context/request-context';
import { maskSensitive } from './sensitive';

/**
 * JSON lines, with ID and phone numbers masked in every line. LOG_LEVEL: info, error or silent;
 * LOG_FILE appends the lines to a file instead of stdout (the tests grep it for unmasked numbers).
 */
export function createLogger(level = process.env.LOG_LEVEL ?? 'info', file = process.env.LOG_FILE): Logger {
  const write = (lvl: string, message: string, fields?: Record<string, unknown>) => {
    const line = `${maskSensitive(JSON.stringify({ time: new Date().toISOString(), level: lvl, message, ...fields }))}\n`;
    if (file) appendFileSync(file, line);
    else process.stdout.write(line);
  };
  return {
    info: (message, fields) => {
      if (level === 'info') write('info', message, fields);
    },
    error: (message, fields) => {
      if (level !== 'silent') write('error', message, fields);
    },
  };
}

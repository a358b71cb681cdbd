import type { Logger } from '../context/request-context';

/** JSON lines on stdout; LOG_LEVEL=silent for tests, error for errors only. */
export function createLogger(level = process.env.LOG_LEVEL ?? 'info'): Logger {
  const write = (lvl: string, message: string, fields?: Record<string, unknown>) =>
    process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level: lvl, message, ...fields })}\n`);
  return {
    info: (message, fields) => {
      if (level === 'info') write('info', message, fields);
    },
    error: (message, fields) => {
      if (level !== 'silent') write('error', message, fields);
    },
  };
}

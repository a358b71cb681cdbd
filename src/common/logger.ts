import pino from 'pino';
import { maskSensitive } from './sensitive';

/** What the server and its commands log through; the masking logger below is the only implementation. */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/**
 * Structured JSON logs (pino), with ID and phone numbers masked in every line whatever wrote them.
 * LOG_LEVEL: info, error or silent; LOG_FILE writes the lines to a file instead of stdout (the tests
 * grep it for unmasked numbers).
 */
export function createLogger(level = process.env.LOG_LEVEL ?? 'info', file = process.env.LOG_FILE): Logger {
  const destination = file ? pino.destination({ dest: file, sync: true, append: true }) : pino.destination({ dest: 1, sync: false });
  // The log's disk full, or its reader gone (stdout piped to a process that ended): said once on stderr,
  // and the server goes on serving; unheard, the error event would end the process.
  let failedWith: string | null = null;
  destination.on('error', (err: NodeJS.ErrnoException) => {
    if (failedWith === (err.code ?? err.message)) return;
    failedWith = err.code ?? err.message;
    process.stderr.write(`log lines are being lost: ${err.message}\n`);
  });
  const log = pino(
    {
      level: level === 'silent' ? 'silent' : level === 'error' ? 'error' : 'info',
      base: undefined,
      messageKey: 'message',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      hooks: { streamWrite: (line) => maskSensitive(line) },
    },
    destination,
  );
  return {
    info: (message, fields) => log.info(fields ?? {}, message),
    error: (message, fields) => log.error(fields ?? {}, message),
  };
}

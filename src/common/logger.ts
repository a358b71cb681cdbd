import pino from 'pino';
import { maskSensitive } from './sensitive';

/** What the server and its commands log through; the masking logger below is the only implementation. */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** Log lines waiting for their destination at most; past it, lines are dropped. */
const LOG_BUFFER_MB = 16;
const LOG_BUFFER_MAX_BYTES = LOG_BUFFER_MB * 1024 * 1024;

/**
 * Structured JSON logs (pino), with ID and phone numbers masked in every line whatever wrote them.
 * LOG_LEVEL: info, error or silent; LOG_FILE writes the lines to a file instead of stdout (the tests
 * grep it for unmasked numbers).
 */
export function createLogger(level = process.env.LOG_LEVEL ?? 'info', file = process.env.LOG_FILE): Logger {
  // Lines that cannot be written yet are kept, up to LOG_BUFFER_MAX_BYTES, and written when the
  // destination takes them again; past that they are dropped, so that memory stays bounded.
  const destination = file
    ? pino.destination({ dest: file, sync: true, append: true, maxLength: LOG_BUFFER_MAX_BYTES })
    : pino.destination({ dest: 1, sync: false, maxLength: LOG_BUFFER_MAX_BYTES });
  // The log's disk full, or its reader gone (stdout piped to a process that ended): said once on stderr,
  // and the server goes on serving; unheard, the error event would end the process.
  let failedWith: string | null = null;
  destination.on('error', (err: NodeJS.ErrnoException) => {
    if (failedWith === (err.code ?? err.message)) return;
    failedWith = err.code ?? err.message;
    process.stderr.write(`log lines cannot be written (${err.message}): kept up to ${LOG_BUFFER_MB} MB, then dropped\n`);
  });
  // Dropping is said at once on stderr, and how many lines were dropped a minute later (then again for
  // the next minute in which lines are dropped).
  let dropped = 0;
  destination.on('drop', () => {
    if (dropped++ > 0) return;
    process.stderr.write(`log lines are being dropped: more than ${LOG_BUFFER_MB} MB of them wait for their destination\n`);
    setTimeout(() => {
      process.stderr.write(`${dropped} log lines dropped in the last minute\n`);
      dropped = 0;
    }, 60_000).unref();
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

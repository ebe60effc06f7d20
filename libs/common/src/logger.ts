import type { LoggerService, LogLevel } from '@nestjs/common';
import { currentCorrelationId } from './correlation.js';
import { redact } from './masking.js';

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/**
 * One JSON object per line on stdout/stderr. Every message and field passes through `redact`, so
 * passwords, tokens and ID numbers never reach the log.
 */
export class JsonLogger implements LoggerService {
  private enabled: Set<LogLevel>;

  constructor(
    readonly node: string,
    level: LogLevel = 'log',
    private readonly sink?: (line: string) => void,
  ) {
    const idx = LEVELS.indexOf(level);
    this.enabled = new Set(LEVELS.slice(0, idx < 0 ? 3 : idx + 1));
  }

  setLogLevels(levels: LogLevel[]): void {
    this.enabled = new Set(levels);
  }

  log(message: unknown, ...rest: unknown[]): void {
    this.write('log', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('verbose', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  private write(level: LogLevel, message: unknown, rest: unknown[]): void {
    if (!this.enabled.has(level)) return;
    const context = typeof rest[rest.length - 1] === 'string' ? (rest.pop() as string) : undefined;
    const entry: Record<string, unknown> = {
      time: new Date().toISOString(),
      level,
      node: this.node,
      context,
      correlationId: currentCorrelationId(),
    };
    if (typeof message === 'object' && message !== null && !(message instanceof Error))
      Object.assign(entry, redact(message) as object);
    else entry.msg = redact(message instanceof Error ? message.message : message);
    const extra = rest.filter((r) => r !== undefined);
    if (extra.length) entry.extra = redact(extra);
    const line = JSON.stringify(entry);
    if (this.sink) this.sink(line);
    else if (level === 'error' || level === 'fatal' || level === 'warn') process.stderr.write(line + '\n');
    else process.stdout.write(line + '\n');
  }
}

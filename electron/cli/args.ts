/** Thin wrapper over node:util parseArgs that turns its errors into CliUsageError. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliUsageError } from './command.js';

type Options = NonNullable<ParseArgsConfig['options']>;

export function parseCommandArgs<O extends Options>(argv: string[], options: O, usage: string) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new CliUsageError(`${(err as Error).message}\nusage: ${usage}`);
  }
}

export function requireString(value: string | boolean | undefined, flag: string, usage: string): string {
  if (typeof value !== 'string' || value === '') throw new CliUsageError(`missing ${flag}\nusage: ${usage}`);
  return value;
}

export function parseInteger(value: string, flag: string): number {
  if (!/^\d+$/.test(value)) throw new CliUsageError(`${flag} must be a non-negative integer (got ${JSON.stringify(value)})`);
  return Number(value);
}

export function oneOf<T extends string>(value: string, allowed: readonly T[], flag: string): T {
  if (!(allowed as readonly string[]).includes(value)) throw new CliUsageError(`${flag} must be one of ${allowed.join(', ')} (got ${JSON.stringify(value)})`);
  return value as T;
}

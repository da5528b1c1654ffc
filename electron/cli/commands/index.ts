/** The command registry: adding a command is one import and one line here. */
import type { CliCommand } from '../command.js';
import { backendsCommand } from './backends.js';
import { inspectCommand } from './inspect.js';
import { makeCheckpointCommand } from './make-checkpoint.js';
import { packCommand } from './pack.js';
import { transcribeCommand } from './transcribe.js';

export const commands: CliCommand[] = [
  packCommand,
  makeCheckpointCommand,
  inspectCommand,
  transcribeCommand,
  backendsCommand,
];

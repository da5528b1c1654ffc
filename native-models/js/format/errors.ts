/**
 * The one error type thrown for bad model files (truncated, mutated, hostile or simply not what we
 * expected). Callers can tell "the file is bad" apart from programming errors by `instanceof`.
 */
export class ModelFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelFormatError';
  }
}

export function fail(message: string): never {
  throw new ModelFormatError(message);
}

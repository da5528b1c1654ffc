import type { AppError, ErrorCode } from '../../common/ipc-contract';

/** An expected failure with a code the renderer can act on; services throw it, calls return it. */
export class AppFailure extends Error {
  override readonly name = 'AppFailure';
  constructor(readonly code: ErrorCode, message: string) {
    super(message);
  }

  toAppError(): AppError {
    return { code: this.code, message: this.message };
  }
}

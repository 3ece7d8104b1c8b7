import 'server-only';
import { randomBytes } from 'node:crypto';
import { ServiceError, type ServiceErrorCode } from '@/server/errors';

export interface PublicError {
  code: ServiceErrorCode;
  message: string;
  /** Set when the details stayed in the server log: the key to find them there. */
  errorId?: string;
}

/** A short random id, so a user's report can be matched to the one log line that explains it. */
export function newErrorId(): string {
  return randomBytes(5).toString('hex');
}

/** Logs an unexpected failure with a fresh error id and returns the id. */
export function logUnexpected(error: unknown, where: string): string {
  const errorId = newErrorId();
  console.error(`[tidewatch] error id ${errorId} (${where}):`, error);
  return errorId;
}

export const unexpectedMessage = (errorId: string) => `Something went wrong (error id ${errorId}).`;

/**
 * What an error may show outside the server: the written message of a typed ServiceError. An
 * `internal` one and anything else may hold SQL, file paths or broker text, so they stay in the log.
 */
export function toPublicError(error: unknown, where = 'request'): PublicError {
  if (error instanceof ServiceError && error.code !== 'internal') {
    return { code: error.code, message: error.message };
  }
  const errorId = logUnexpected(error, where);
  return { code: 'internal', message: unexpectedMessage(errorId), errorId };
}

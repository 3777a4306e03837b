// One error shape for every route: `{"error": "..."}` with a message that names the field or
// header at fault. Anything that is not an HttpError is a bug and answers 500.

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const badRequest = (message: string) => new HttpError(400, message);
export const unauthorized = (message: string) => new HttpError(401, message);
export const forbidden = (message: string) => new HttpError(403, message);
export const notFound = (message: string) => new HttpError(404, message);
/** The request clashes with what exists (a name or id already taken): the caller must change it. */
export const conflict = (message: string) => new HttpError(409, message);
export const tooLarge = (message: string) => new HttpError(413, message);
export const unsupportedMedia = (message: string) => new HttpError(415, message);
export const overloaded = (message: string, retryAfterSeconds = 1) =>
  new HttpError(429, message, { 'retry-after': String(retryAfterSeconds) });
export const requestTimeout = (message: string) => new HttpError(408, message);
/** The data folder's disk is short of space (src/disk): retry once space is freed. */
export const insufficientStorage = (message: string, retryAfterSeconds = 10) => new HttpError(507, message, { 'retry-after': String(retryAfterSeconds) });
/** Tend cannot take this now for lack of a resource other than disk (memory): retry later. */
export const unavailable = (message: string, retryAfterSeconds = 10) => new HttpError(503, message, { 'retry-after': String(retryAfterSeconds) });

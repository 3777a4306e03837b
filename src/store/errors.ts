// What a read can fail with, in words every engine shares: each store turns its engine's own
// errors into these, so the query layer maps them to answers (408, 400) without knowing which
// engine spoke. Any other error from a read is a fault in Tend, not in the request.

/** The read ran past its time limit and was stopped. */
export class ReadTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`the read took longer than ${timeoutMs} ms`);
    this.name = 'ReadTimeoutError';
  }
}

/** A value the engine could not compute from the request's input: an overflow, text that is not a number or a date, a broken pattern. */
export class BadValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BadValueError';
  }
}

/** The statement names a column the relation does not have. */
export class UnknownColumnError extends Error {
  constructor(readonly column: string) {
    super(`column "${column}" does not exist here`);
    this.name = 'UnknownColumnError';
  }
}

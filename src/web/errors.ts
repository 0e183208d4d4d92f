// One error type for everything a user can be told: a status, a stable code and a translation key.
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    readonly messageKey: string = `errors.${code}`,
  ) {
    super(code);
    this.name = 'HttpError';
  }
}

export const notFound = () => new HttpError(404, 'not_found');

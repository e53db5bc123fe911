/** An error with the HTTP status and machine-readable code the client should see. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
  }

  static badRequest(message: string, code = 'bad_request'): HttpError {
    return new HttpError(400, code, message)
  }
  static notFound(message = 'not found'): HttpError {
    return new HttpError(404, 'not_found', message)
  }
  static forbidden(message = 'this key may not do that'): HttpError {
    return new HttpError(403, 'forbidden', message)
  }
}

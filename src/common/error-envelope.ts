/** The one JSON shape of every error response. */
export interface ErrorEnvelope {
  readonly statusCode: number;
  readonly error: string;
}

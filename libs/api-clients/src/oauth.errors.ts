import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';

/** Error codes of RFC 6749 §5.2 (token endpoint). */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope';

/** A token-endpoint refusal, answered as RFC 6749 §5.2 says (not problem+json: OAuth libraries parse this). */
export class OAuthError extends Error {
  constructor(
    readonly error: OAuthErrorCode,
    readonly description: string,
  ) {
    super(`${error}: ${description}`);
    this.name = 'OAuthError';
  }

  get status(): number {
    return this.error === 'invalid_client' ? 401 : 400;
  }
}

/** Renders `OAuthError` as `{ error, error_description }` with `Cache-Control: no-store`. */
@Catch(OAuthError)
export class OAuthErrorFilter implements ExceptionFilter {
  catch(e: OAuthError, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<{
      status(n: number): { json(b: unknown): void };
      setHeader(k: string, v: string): void;
    }>();
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Pragma', 'no-cache');
    if (e.error === 'invalid_client') res.setHeader('WWW-Authenticate', 'Basic realm="tmis", charset="UTF-8"');
    res.status(e.status).json({ error: e.error, error_description: e.description });
  }
}

/** The body of a token-endpoint refusal (RFC 6749 §5.2), as documented in the OpenAPI document. */
export const OAUTH_ERROR_SCHEMA = {
  type: 'object',
  required: ['error', 'error_description'],
  properties: {
    error: {
      type: 'string',
      enum: [
        'invalid_request',
        'invalid_client',
        'invalid_grant',
        'unauthorized_client',
        'unsupported_grant_type',
        'invalid_scope',
      ],
    },
    error_description: { type: 'string' },
  },
};

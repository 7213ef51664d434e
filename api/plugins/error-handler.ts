import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../core/errors.js';
import { errorText, pickLang } from '../../core/i18n/messages.js';

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/** The shape of every error response, for route response schemas and the OpenAPI document. */
export const errorResponseSchema = {
  $id: 'ErrorResponse',
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} },
    },
  },
} as const;

const FASTIFY_CODES: Readonly<Record<string, string>> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_JSON',
};

function send(
  reply: FastifyReply,
  request: FastifyRequest,
  status: number,
  code: string,
  fallback: string,
  details?: unknown,
  zh?: string,
) {
  const lang = pickLang(request.headers['accept-language']);
  const message = lang === 'zh-CN' && zh ? zh : errorText(code, lang, fallback);
  const body: ErrorBody = { error: { code, message, ...(details === undefined ? {} : { details }) } };
  return reply.status(status).type('application/json; charset=utf-8').send(body);
}

/** Answers with an AppError as the error handler would (for hooks that must not throw). */
export function sendAppError(reply: FastifyReply, request: FastifyRequest, err: AppError) {
  return send(reply, request, err.status, err.code, err.message, err.details, err.zh);
}

/**
 * One root error handler: validation and other 4xx errors pass through with a stable code; anything
 * else becomes a 500 whose internals are logged, never shown.
 */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | AppError, request, reply) => {
    if (err instanceof AppError) {
      if (err.status >= 500) request.log.error({ err }, 'request failed');
      return send(reply, request, err.status, err.code, err.message, err.details, err.zh);
    }
    if (err.validation) {
      const details = err.validation.map((v) => ({
        field:
          `${err.validationContext ?? 'body'}${v.instancePath.replaceAll('/', '.')}` || err.validationContext,
        message: v.message,
      }));
      return send(reply, request, 400, 'VALIDATION_FAILED', err.message, details);
    }
    const status = err.statusCode ?? 500;
    if (status < 500) {
      const code =
        (err.code && FASTIFY_CODES[err.code]) ??
        (err instanceof SyntaxError ? 'INVALID_JSON' : 'BAD_REQUEST');
      return send(reply, request, status, code, err.message);
    }
    request.log.error({ err }, 'unhandled error');
    return send(reply, request, 500, 'INTERNAL_ERROR', 'Internal server error', { requestId: request.id });
  });

  app.setNotFoundHandler((request, reply) =>
    send(reply, request, 404, 'ROUTE_NOT_FOUND', 'No such route', {
      method: request.method,
      url: request.url.split('?')[0],
    }),
  );
}

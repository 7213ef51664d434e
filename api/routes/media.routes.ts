import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError } from '../../core/errors.js';
import {
  deleteMedia,
  getMedia,
  listMedia,
  type MediaContext,
  mediaTooLarge,
  readMedia,
  uploadMedia,
} from '../../core/media/media.service.js';
import { actorOf } from '../plugins/auth.js';
import { authErrors, IdParams, Nullable, Uuid } from '../schemas/identity.schemas.js';

const Media = Type.Object({
  id: Type.String(),
  organisationId: Type.String(),
  sha256: Type.String(),
  mime: Type.String(),
  bytes: Type.Integer(),
  width: Nullable(Type.Integer()),
  height: Nullable(Type.Integer()),
  originalName: Type.String(),
  url: Type.String({ description: 'use as <img src> in article bodies' }),
  createdAt: Type.String(),
});
const tags = ['media'];

export const mediaRoutes: FastifyPluginAsyncTypebox<MediaContext> = async (app, ctx) => {
  await app.register(multipart, {
    limits: { fileSize: ctx.maxBytes, files: 1, fields: 0, parts: 1, headerPairs: 100 },
    throwFileSizeLimit: true,
  });

  app.post(
    '/',
    {
      config: { permission: 'media.write' },
      schema: {
        tags,
        summary: 'Upload an image (multipart, one file); the same bytes are stored once',
        consumes: ['multipart/form-data'],
        querystring: Type.Object({ organisationId: Uuid }, { additionalProperties: false }),
        response: {
          200: Media,
          201: Media,
          ...authErrors,
          413: { $ref: 'ErrorResponse#' },
          415: { $ref: 'ErrorResponse#' },
        },
      },
    },
    async (request, reply) => {
      if (!request.isMultipart())
        throw new AppError('MEDIA_NOT_MULTIPART', 'Upload the image as multipart/form-data', 415);
      let file: { filename: string; bytes: Buffer } | undefined;
      try {
        const part = await request.file();
        if (part) file = { filename: part.filename, bytes: await part.toBuffer() };
      } catch (err) {
        if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw mediaTooLarge(ctx.maxBytes);
        throw err;
      }
      if (!file) throw new AppError('MEDIA_MISSING', 'The request holds no file', 422);
      const { media, created } = await uploadMedia(ctx, actorOf(request), request.query.organisationId, file);
      reply.status(created ? 201 : 200);
      return media;
    },
  );

  app.get(
    '/',
    {
      config: { permission: 'media.read' },
      schema: {
        tags,
        summary: "An organisation's images, newest first",
        querystring: Type.Object(
          {
            organisationId: Uuid,
            limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
            before: Type.Optional(Type.String({ format: 'date-time' })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(Media) }), ...authErrors },
      },
    },
    async (request) => ({ items: await listMedia(ctx.db, request.query) }),
  );

  app.get(
    '/:id',
    {
      config: { permission: 'media.read' },
      schema: {
        tags,
        summary: 'One image (metadata)',
        params: IdParams,
        response: { 200: Media, ...authErrors },
      },
    },
    async (request) => getMedia(ctx.db, request.params.id),
  );

  app.get(
    '/:id/file',
    {
      config: { permission: 'media.read' },
      schema: { tags, summary: 'The image itself', params: IdParams },
    },
    async (request, reply) => {
      const { media, bytes } = await readMedia(ctx, request.params.id);
      return reply
        .type(media.mime)
        .header('cache-control', 'private, max-age=31536000, immutable')
        .header('x-content-type-options', 'nosniff')
        .send(bytes);
    },
  );

  app.delete(
    '/:id',
    {
      config: { permission: 'media.write' },
      schema: {
        tags,
        summary: 'Remove an image no content refers to',
        params: IdParams,
        response: { 204: Type.Null(), ...authErrors },
      },
    },
    async (request, reply) => {
      await deleteMedia(ctx, actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
};

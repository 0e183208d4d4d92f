// Multipart forms: text fields land in request.body like any form post (so CSRF and schemas work
// unchanged), files in request.uploads, spooled to disk while they stream in (see spool.ts). Over-limit
// files are read to the end and dropped, so the form can be shown again with what the user typed and a
// clear message instead of a broken connection.
import fp from 'fastify-plugin';
import multipart, { type MultipartFile } from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from '../web/errors.js';
import type { AttachmentLimits, Upload } from './files.js';
import { Spool, type SpoolFiles } from './spool.js';

declare module 'fastify' {
  interface FastifyRequest {
    uploads: Upload[];
    spooled: SpoolFiles | null;
  }
}

export const maxFilesPerRequest = 20;

export interface MultipartOptions {
  limits: AttachmentLimits;
  /** The largest file any route takes (a route says its own limit in `config.uploadBytes`). */
  largestFileBytes: number;
  /** Uploads one process reads at once; beyond it, 503 with Retry-After before a byte is read. */
  maxConcurrent: number;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The largest file this route takes, when not an attachment's. */
    uploadBytes?: number;
  }
}

export const multipartPlugin = fp(
  async (app: FastifyInstance, { limits, largestFileBytes, maxConcurrent }: MultipartOptions) => {
    app.decorateRequest('uploads', null as unknown as Upload[]);
    app.decorateRequest('spooled', null);
    app.addHook('onRequest', (request, _reply, done) => {
      request.uploads = [];
      done();
    });
    const spool = await Spool.open();
    app.addHook('onClose', () => spool.close());

    // Before a single byte of a file is read: a session, a valid CSRF token (in the form's action URL,
    // since the body is not read yet) and a free upload slot. A refused upload costs no memory.
    let inFlight = 0;
    // Every request passes here: all but uploads go on at once, without a promise of their own.
    app.addHook('preParsing', (request, reply, payload, done) => {
      // The content-type parser marks a request as multipart only later: read the header.
      if (!/^multipart\//i.test(request.headers['content-type'] ?? '')) return done(null, payload);
      admitUpload(request, reply).then(
        () => done(null, payload),
        (error: Error) => done(error),
      );
    });
    async function admitUpload(request: FastifyRequest, reply: FastifyReply): Promise<void> {
      if (!request.viewer) throw new HttpError(401, 'login_required');
      await new Promise<void>((resolve, reject) =>
        request.server.csrfProtection(request, reply, (error?: Error) => (error ? reject(error) : resolve())),
      );
      if (inFlight >= maxConcurrent) {
        reply.header('retry-after', '5');
        throw new HttpError(503, 'uploads_busy', 'errors.uploadsBusy');
      }
      inFlight += 1;
      const files = spool.forRequest();
      request.spooled = files;
      let released = false;
      // The slot and the spooled files last until the response is sent or the connection is gone.
      const release = () => {
        if (!released) inFlight -= 1;
        released = true;
        void files.clear();
      };
      reply.raw.once('close', release);
      reply.raw.once('finish', release);
    }

    async function onFile(this: FastifyRequest, part: MultipartFile) {
      const files = this.spooled;
      if (!files) throw new HttpError(400, 'bad_multipart');
      const held = this.uploads.reduce((sum, upload) => sum + (upload.source ? upload.size : 0), 0);
      const keepBytes = this.routeOptions.config.uploadBytes ?? Math.min(limits.fileBytes, limits.caseBytes - held);
      const spooled = await files.write(part.file as AsyncIterable<Buffer>, keepBytes);
      // An empty file input still sends a part, with no name and no bytes: that is not an upload.
      if (spooled.size === 0 && part.filename === '') return;
      this.uploads.push({
        field: part.fieldname,
        filename: part.filename,
        size: spooled.size,
        head: spooled.head,
        sha256: spooled.sha256,
        source: spooled.path ? { path: spooled.path } : undefined,
      });
    }

    await app.register(multipart, {
      attachFieldsToBody: 'keyValues',
      onFile,
      throwFileSizeLimit: false,
      limits: {
        // One byte over the limit is enough to know the file is too large.
        fileSize: Math.max(limits.fileBytes, largestFileBytes) + 1,
        files: maxFilesPerRequest,
        fields: 200,
        fieldSize: 256 * 1024,
      },
    });
  },
);

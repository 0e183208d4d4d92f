// A client that streams a large multipart upload the way a browser does, without ever holding the file:
// the same 1 MiB block is written again and again, with back-pressure. Used by tests and the bench.
import { createHash } from 'node:crypto';
import { request } from 'node:http';

const boundary = 'ks-stream-boundary';

export interface StreamedUpload {
  status: number;
  location: string | undefined;
  /** How much of the file was written before the answer came (less than all when refused early). */
  sentBytes: number;
  /** SHA-256 of the file as sent in full. */
  fileSha256: string;
}

/** POSTs `fields` and one PDF of `size` bytes as `attachments`; stops writing once an answer arrives. */
export function streamUpload(
  target: URL,
  fields: Record<string, string | string[]>,
  size: number,
  headers: Record<string, string> = {},
): Promise<StreamedUpload> {
  const hash = createHash('sha256');
  const start = Buffer.from('%PDF-1.4\n');
  const block = Buffer.alloc(1024 * 1024, 0x20);
  let sentBytes = 0;
  let answered = false;
  let finished = false;
  return new Promise((resolve, reject) => {
    const req = request(target, {
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, ...headers },
    });
    req.on('response', (response) => {
      answered = true;
      // Refused before the end: stop sending, as a browser does, and let the connection go.
      if (!finished) req.destroy();
      response.resume();
      response.on('error', () => {});
      resolve({
        status: response.statusCode ?? 0,
        location: response.headers.location,
        sentBytes,
        fileSha256: hash.copy().digest('hex'),
      });
    });
    // A server that answers early may close the connection while we still write: the answer counts.
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    const write = (data: Buffer | string) =>
      req.write(data)
        ? Promise.resolve()
        : new Promise<void>((r) => {
            const done = () => {
              req.off('drain', done);
              req.off('close', done);
              r();
            };
            req.on('drain', done);
            req.on('close', done);
          });
    void (async () => {
      for (const [name, value] of Object.entries(fields))
        for (const one of [value].flat())
          await write(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${one}\r\n`);
      await write(
        `--${boundary}\r\nContent-Disposition: form-data; name="attachments"; filename="stor.pdf"\r\n` +
          'Content-Type: application/pdf\r\n\r\n',
      );
      hash.update(start);
      await write(start);
      sentBytes = start.length;
      while (sentBytes < size && !answered && !req.destroyed) {
        const slice = block.subarray(0, Math.min(block.length, size - sentBytes));
        hash.update(slice);
        await write(slice);
        sentBytes += slice.length;
      }
      if (answered || req.destroyed) return;
      finished = true;
      req.end(`\r\n--${boundary}--\r\n`);
    })().catch((error: unknown) => {
      if (!answered) reject(error);
    });
  });
}

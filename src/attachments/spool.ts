// Uploads are written to a private temporary folder while they stream in: hashed on the way, with
// their first bytes kept to tell the type. Memory per upload stays at a stream's buffers whatever the
// file's size; the files live only as long as their request.
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpError } from '../web/errors.js';
import { headBytes, type UploadSource } from './files.js';

/** What reading one file part gave: `path` is absent when it went over `keepBytes` and was dropped. */
export interface Spooled {
  size: number;
  head: Buffer;
  sha256: string;
  path: string | undefined;
}

/** A folder of its own per process (mode 0700 from mkdtemp), removed when the app closes. */
export class Spool {
  private constructor(readonly dir: string) {}

  static async open(): Promise<Spool> {
    return new Spool(await mkdtemp(join(tmpdir(), 'kundesenter-uploads-')));
  }

  /** Files of one request: every one of them is removed by `clear()`, also one still being written. */
  forRequest(): SpoolFiles {
    return new SpoolFiles(this.dir);
  }

  async close(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

export class SpoolFiles {
  private readonly paths = new Set<string>();
  private cleared = false;

  constructor(private readonly dir: string) {}

  /**
   * Reads a stream to its end. Bytes are written to disk while the total stays within `keepBytes`;
   * past it the file is dropped and the rest is only counted, so the form can say how large it was.
   */
  async write(stream: AsyncIterable<Buffer>, keepBytes: number): Promise<Spooled> {
    const path = join(this.dir, randomUUID());
    this.paths.add(path);
    const hash = createHash('sha256');
    const head: Buffer[] = [];
    let headLength = 0;
    let size = 0;
    let out: ReturnType<typeof createWriteStream> | undefined = createWriteStream(path, { flags: 'wx', mode: 0o600 });
    // A failed write (a full disk) surfaces at the next write or at the end.
    let failure: Error | undefined;
    out.on('error', (error) => {
      failure = error;
    });
    try {
      for await (const chunk of stream) {
        size += chunk.length;
        if (headLength < headBytes) {
          head.push(chunk.subarray(0, headBytes - headLength));
          headLength += Math.min(chunk.length, headBytes - headLength);
        }
        if (!out) continue;
        if (size > keepBytes) {
          out.destroy();
          out = undefined;
          await rm(path, { force: true });
          continue;
        }
        hash.update(chunk);
        if (failure) throw failure;
        if (!out.write(chunk)) await once(out, 'drain');
      }
      if (out) {
        out.end();
        await once(out, 'close');
      }
      if (failure) throw failure;
    } catch (error) {
      out?.destroy();
      await rm(path, { force: true });
      // A full disk is a passing shortage, like a full set of upload slots: try again shortly.
      const code = (error as { code?: string }).code;
      if (code === 'ENOSPC' || code === 'EDQUOT') throw new HttpError(503, 'uploads_busy', 'errors.uploadsBusy');
      throw error;
    }
    if (this.cleared) await rm(path, { force: true });
    return {
      size,
      head: Buffer.concat(head),
      sha256: hash.digest('hex'),
      path: out && !this.cleared ? path : undefined,
    };
  }

  async clear(): Promise<void> {
    this.cleared = true;
    const paths = [...this.paths];
    this.paths.clear();
    await Promise.all(paths.map((path) => rm(path, { force: true })));
  }
}

export const chunkBytes = 1024 * 1024;

/** The bytes of an upload in slices of at most `chunkBytes`, from disk or from memory. */
export async function* uploadChunks(source: UploadSource): AsyncGenerator<Buffer> {
  if ('data' in source) {
    for (let offset = 0; offset < source.data.length; offset += chunkBytes)
      yield source.data.subarray(offset, offset + chunkBytes);
    return;
  }
  yield* createReadStream(source.path, { highWaterMark: chunkBytes }) as AsyncIterable<Buffer>;
}

/** Writes an upload slice by slice (numbered from 0) through `write`: no file is ever whole in memory. */
export async function writeChunks(source: UploadSource, write: (seq: number, data: Buffer) => Promise<unknown>) {
  let seq = 0;
  for await (const data of uploadChunks(source)) await write(seq++, data);
}

// What an uploaded file is, judged by its bytes; and a name that is safe to store and send back.
import type { Problem } from '../web/input.js';
import { createHash } from 'node:crypto';
import { fileTypeFromBuffer } from 'file-type';

/** Where an upload's bytes are: a file spooled to disk while the request streamed in, or memory (mail). */
export type UploadSource = { path: string } | { data: Buffer };

/** A file as it arrived in a multipart request or a mail, before any checks. */
export interface Upload {
  /** The form input it came from: `attachments` or a form's file field. */
  field: string;
  filename: string;
  size: number;
  /** The first bytes (up to `headBytes`): enough to tell the type. */
  head: Buffer;
  sha256: string;
  /** Absent when the file went over a limit: its bytes were discarded while reading. */
  source: UploadSource | undefined;
}

/** How much of the start of a file is kept to tell its type and to look for NULs in text. */
export const headBytes = 64 * 1024;

/** An upload whose bytes are already in memory (a mail's attachment). */
export function uploadFromBuffer(field: string, filename: string, data: Buffer): Upload {
  return {
    field,
    filename,
    size: data.length,
    head: data.subarray(0, headBytes),
    sha256: createHash('sha256').update(data).digest('hex'),
    source: { data },
  };
}

export interface FileProblem {
  field: string;
  problem: Problem;
}

/** A file that passed every check and can be stored. */
export interface CheckedFile {
  field: string;
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
  source: UploadSource;
}

export interface AttachmentLimits {
  fileBytes: number;
  caseBytes: number;
}

/** The types we accept, keyed by the extension `file-type` reports for the content. */
const allowedBinary: Record<string, string> = {
  pdf: 'application/pdf',
  png: 'image/png',
  jpg: 'image/jpeg',
  gif: 'image/gif',
  tif: 'image/tiff',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  odt: 'application/vnd.oasis.opendocument.text',
  ods: 'application/vnd.oasis.opendocument.spreadsheet',
};
/** Plain text has no signature: it is accepted by name when its bytes hold no NULs. */
const allowedText: Record<string, string> = { txt: 'text/plain', csv: 'text/csv' };

export const allowedExtensions = [...Object.keys(allowedBinary), 'jpeg', ...Object.keys(allowedText)];

function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

/** Detects the type from the start of the content; undefined when it is not on the allow-list. */
export async function detectType(
  head: Buffer,
  filename: string,
): Promise<{ ext: string; contentType: string } | undefined> {
  const detected = await fileTypeFromBuffer(head);
  if (detected) {
    const contentType = allowedBinary[detected.ext];
    return contentType ? { ext: detected.ext, contentType } : undefined;
  }
  const ext = extensionOf(filename);
  const contentType = allowedText[ext];
  if (!contentType || head.subarray(0, headBytes).includes(0)) return undefined;
  return { ext, contentType: `${contentType}; charset=utf-8` };
}

/**
 * Keeps the user's name where it is harmless: no path, no control or bidi-override characters, no
 * characters Windows refuses, and an extension that matches what the file really is.
 */
export function sanitiseFilename(name: string, ext: string): string {
  const base = (name.normalize('NFC').split(/[\\/]/).pop() ?? '')
    .replace(/[\u0000-\u001f\u007f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '')
    .replace(/[<>:"|?*]/g, '_')
    .replace(/^[.\s]+|[.\s]+$/g, '');
  const current = extensionOf(base);
  const sameType = current === ext || (ext === 'jpg' && current === 'jpeg') || (ext === 'tif' && current === 'tiff');
  const stem = (current ? base.slice(0, base.length - current.length - 1) : base).replace(/[.\s]+$/g, '').slice(0, 200);
  return `${stem || 'vedlegg'}.${sameType ? base.slice(base.length - current.length) : ext}`;
}

/**
 * Checks a batch of uploads against the limits and the allow-list. `existingBytes` is what the case
 * already holds. Problems name the file, so the user knows which one to fix.
 */
export async function checkUploads(
  uploads: readonly Upload[],
  limits: AttachmentLimits,
  existingBytes: number,
): Promise<{ files: CheckedFile[]; problems: FileProblem[]; tooLarge: boolean }> {
  const files: CheckedFile[] = [];
  const problems: FileProblem[] = [];
  let tooLarge = false;
  let total = existingBytes;
  const megabytes = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
  for (const upload of uploads) {
    const name = upload.filename.slice(0, 255) || '?';
    if (!upload.source || upload.size > limits.fileBytes) {
      tooLarge = true;
      problems.push({
        field: upload.field,
        problem:
          upload.size > limits.fileBytes
            ? { key: 'attachments.errors.fileTooLarge', params: { name, max: megabytes(limits.fileBytes) } }
            : { key: 'attachments.errors.caseTooLarge', params: { name, max: megabytes(limits.caseBytes) } },
      });
      continue;
    }
    if (upload.size === 0) {
      problems.push({ field: upload.field, problem: { key: 'attachments.errors.empty', params: { name } } });
      continue;
    }
    total += upload.size;
    if (total > limits.caseBytes) {
      tooLarge = true;
      problems.push({
        field: upload.field,
        problem: { key: 'attachments.errors.caseTooLarge', params: { name, max: megabytes(limits.caseBytes) } },
      });
      continue;
    }
    const type = await detectType(upload.head, upload.filename);
    if (!type) {
      problems.push({
        field: upload.field,
        problem: { key: 'attachments.errors.type', params: { name, allowed: allowedExtensions.join(', ') } },
      });
      continue;
    }
    files.push({
      field: upload.field,
      filename: sanitiseFilename(upload.filename, type.ext),
      contentType: type.contentType,
      size: upload.size,
      sha256: upload.sha256,
      source: upload.source,
    });
  }
  return { files, problems, tooLarge };
}

/** RFC 6266 header: an ASCII fallback for old clients and the exact UTF-8 name for the rest. */
export function contentDisposition(filename: string): string {
  const fallback =
    filename
      .replace(/[æÆøØ]/g, (c) => ({ æ: 'ae', Æ: 'Ae', ø: 'o', Ø: 'O' })[c]!)
      .normalize('NFKD')
      .replace(/[^\x20-\x7e]/g, '')
      .replace(/["\\%]/g, '_') || 'vedlegg';
  const encoded = encodeURIComponent(filename).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

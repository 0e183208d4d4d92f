// Uploads are refused before a byte of a file is read when nobody is signed in, the CSRF token is
// missing or every upload slot is taken; a malformed multipart body is a 400, never a 500.
import { readdirSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import path from 'node:path';
import t from 'tap';
import { Spool } from '../src/attachments/spool.js';
import { build, enquiry } from './helpers.js';

const boundary = 'ks-test-boundary';
const part = (name: string, value: string) =>
  `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
const filePart = (size: number) =>
  `--${boundary}\r\nContent-Disposition: form-data; name="attachments"; filename="a.pdf"\r\n` +
  `Content-Type: application/pdf\r\n\r\n%PDF-1.4\n${'x'.repeat(size)}\r\n`;

t.test('an anonymous upload is refused before it is read, and a missing token too', async (t) => {
  const { app, login } = await build(t);
  const anonymous = await app.inject({
    method: 'POST',
    url: '/cases',
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    payload: `${part('title', 'x')}${filePart(4 * 1024 * 1024)}--${boundary}--\r\n`,
  });
  t.equal(anonymous.statusCode, 401, 'nobody signed in');
  const ola = await login('ola@demoetaten.no');
  await ola.get('/cases/new?area=lonn&form=henvendelse');
  const noToken = await app.inject({
    method: 'POST',
    url: '/cases',
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, cookie: ola.cookieHeader() },
    payload: `${part('_csrf', ola.csrfToken!)}${part('title', 'x')}--${boundary}--\r\n`,
  });
  t.equal(noToken.statusCode, 403, 'a token only inside the body is not read: the upload is refused first');
});

t.test('a malformed multipart body is a 400 with a translated page, never a 500', async (t) => {
  const { app, login } = await build(t);
  const ola = await login('ola@demoetaten.no');
  await ola.get('/cases/new?area=lonn&form=henvendelse');
  const url = `/cases?_csrf=${encodeURIComponent(ola.csrfToken!)}`;
  const bodies: [string, string, string][] = [
    ['no boundary', 'multipart/form-data', `${part('title', 'x')}--${boundary}--\r\n`],
    ['the wrong boundary', 'multipart/form-data; boundary=other', `${part('title', 'x')}--${boundary}--\r\n`],
    [
      'a truncated body',
      `multipart/form-data; boundary=${boundary}`,
      `${part('title', 'x')}--${boundary}\r\nContent-Disp`,
    ],
    ['garbage', `multipart/form-data; boundary=${boundary}`, '\u0000\u0001\u0002 not multipart at all'],
  ];
  for (const [what, type, payload] of bodies) {
    const response = await app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': type, cookie: ola.cookieHeader() },
      payload,
    });
    t.ok(response.statusCode >= 400 && response.statusCode < 500, `${what}: ${response.statusCode}`);
    t.match(response.body, /<html/, `${what}: our page (${response.body.slice(0, 200)})`);
  }
  const sent = await ola.postMultipart('/cases', enquiry('lonn', 'Etter feilene', 'Tekst'), [
    { name: 'a.pdf', type: 'application/pdf', data: Buffer.from('%PDF-1.4\n') },
  ]);
  t.equal(sent.statusCode, 303, 'a proper upload still works');
});

t.test('beyond UPLOADS_MAX_CONCURRENT an upload is answered 503 with Retry-After before it is read', async (t) => {
  const { baseUrl, login } = await build(t, { listen: true, env: { UPLOADS_MAX_CONCURRENT: '1' } });
  const ola = await login('ola@demoetaten.no');
  await ola.get('/cases/new?area=lonn&form=henvendelse');
  const target = new URL(`/cases?_csrf=${encodeURIComponent(ola.csrfToken!)}`, baseUrl);
  const open = (): { done: Promise<{ status: number; retryAfter?: string }>; finish: () => void } => {
    const request = httpRequest(target, {
      method: 'POST',
      headers: {
        'content-type': `multipart/form-data; boundary=${boundary}`,
        cookie: ola.cookieHeader(),
        'transfer-encoding': 'chunked',
      },
    });
    const done = new Promise<{ status: number; retryAfter?: string }>((resolve, reject) => {
      request.on('response', (response) => {
        response.resume();
        resolve({
          status: response.statusCode ?? 0,
          retryAfter: response.headers['retry-after'] as string | undefined,
        });
      });
      request.on('error', reject);
    });
    request.write(part('title', 'Første'));
    return { done, finish: () => request.end(`--${boundary}--\r\n`) };
  };
  const first = open();
  await new Promise((resolve) => setTimeout(resolve, 300));
  const second = open();
  const refused = await second.done;
  second.finish();
  t.equal(refused.status, 503, 'the second upload waits for no one');
  t.equal(refused.retryAfter, '5');
  first.finish();
  t.ok((await first.done).status < 500, 'the first one is answered as usual');
  const third = open();
  third.finish();
  t.ok((await third.done).status < 500, 'and the slot is free again');
});

t.test('spooled files live only as long as their request, and an over-limit file is not kept at all', async (t) => {
  const spool = await Spool.open();
  t.teardown(() => spool.close());
  const files = spool.forRequest();
  const blocks = async function* (count: number) {
    for (let i = 0; i < count; i++) yield Buffer.alloc(64 * 1024, i);
  };
  const kept = await files.write(blocks(4), 1024 * 1024);
  t.equal(kept.size, 256 * 1024);
  t.equal(kept.head.length, 64 * 1024, 'the head is the first 64 KiB');
  t.equal(readFileSync(kept.path!).length, 256 * 1024, 'the bytes are on disk');
  const dropped = await files.write(blocks(20), 1024 * 1024);
  t.equal(dropped.size, 20 * 64 * 1024, 'an over-limit file is counted to its end');
  t.equal(dropped.path, undefined, 'and not kept');
  t.same(readdirSync(spool.dir), [path.basename(kept.path!)], 'nothing of it is left on disk');
  await files.clear();
  t.same(readdirSync(spool.dir), [], 'the request is over: its files are gone');
});

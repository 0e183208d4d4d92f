// Memory stays bounded whatever is sent: refused uploads cost nothing, an accepted 100 MB upload
// streams to disk and into the database and back out, and an oversized mail is counted, not kept.
// The process's resident memory is sampled while each of them happens.
import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import t from 'tap';
import { inboundSettings, startInboundSmtp } from '../src/mail/inbound.js';
import { build, enquiry } from './helpers.js';
import { streamUpload } from './uploading.js';

const megabyte = 1024 * 1024;

// A full collection before each baseline, so that garbage of the previous step does not count.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** Runs `work` while sampling RSS every 5 ms; answers its result and the peak increase in MB. */
async function peakRss<T>(work: () => Promise<T>): Promise<{ result: T; deltaMb: number }> {
  collectGarbage();
  const before = process.memoryUsage.rss();
  let peak = before;
  let ticks = 0;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
    // Every 100 ms a full collection: the peak then shows what is held, not garbage V8 has not yet
    // collected (the client shares this process and makes its own).
    if (++ticks % 20 === 0) collectGarbage();
  }, 5);
  try {
    const result = await work();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { result, deltaMb: (peak - before) / megabyte };
  } finally {
    clearInterval(timer);
  }
}

t.test('three anonymous 100 MB uploads are refused at once and cost no memory', async (t) => {
  const { baseUrl } = await build(t, { listen: true });
  const { result, deltaMb } = await peakRss(() =>
    Promise.all([1, 2, 3].map(() => streamUpload(new URL('/cases', baseUrl), {}, 100 * megabyte))),
  );
  t.same(
    result.map((answer) => answer.status),
    [401, 401, 401],
  );
  t.ok(
    result.every((answer) => answer.sentBytes < 100 * megabyte),
    'the refusal came before the files were sent',
  );
  t.comment(`RSS increase: ${deltaMb.toFixed(1)} MB`);
  t.ok(deltaMb < 32, `RSS grew ${deltaMb.toFixed(1)} MB`);
});

t.test('an accepted 100 MB file streams in and out with bounded memory and arrives whole', async (t) => {
  const { baseUrl, login } = await build(t, {
    listen: true,
    env: { ATTACHMENT_MAX_FILE_MB: '100', ATTACHMENT_MAX_CASE_MB: '200' },
  });
  const ola = await login('ola@demoetaten.no');
  await ola.get('/cases/new?area=lonn&form=henvendelse');
  const target = new URL(`/cases?_csrf=${encodeURIComponent(ola.csrfToken!)}`, baseUrl);
  const fields = enquiry('lonn', 'Stor fil', 'Vedlagt lønnsgrunnlag for hele året.');
  const size = 100 * megabyte;
  const upload = await peakRss(() => streamUpload(target, fields, size, { cookie: ola.cookieHeader() }));
  t.equal(upload.result.status, 303, 'the case is created');
  t.comment(`upload RSS increase: ${upload.deltaMb.toFixed(1)} MB`);
  // A buffered upload would add at least 200 MB (the chunks and their concatenation).
  t.ok(upload.deltaMb <= 64, `uploading grew RSS ${upload.deltaMb.toFixed(1)} MB (at most 64)`);

  const casePath = String(upload.result.location);
  const page = await ola.get(casePath);
  const link = /href="(\/cases\/[0-9-]+\/attachments\/\d+)"/.exec(page.body)?.[1];
  t.ok(link, 'the file is listed on the case');
  const download = await peakRss(async () => {
    const response = await fetch(new URL(link!, baseUrl), { headers: { cookie: ola.cookieHeader() } });
    const hash = createHash('sha256');
    let bytes = 0;
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      hash.update(chunk);
      bytes += chunk.length;
    }
    return { status: response.status, bytes, sha256: hash.digest('hex') };
  });
  t.equal(download.result.status, 200);
  t.equal(download.result.bytes, size, 'every byte comes back');
  t.equal(download.result.sha256, upload.result.fileSha256, 'and they are the same bytes');
  t.comment(`download RSS increase: ${download.deltaMb.toFixed(1)} MB`);
  t.ok(download.deltaMb <= 64, `downloading grew RSS ${download.deltaMb.toFixed(1)} MB (at most 64)`);
});

/** One SMTP conversation that streams `bytes` of message body; answers the reply to the final dot. */
function sendOversizedMail(port: number, bytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const steps = ['EHLO test.example', 'MAIL FROM:<kari@demoetaten.no>', 'RCPT TO:<lonn@kundesenter.no>', 'DATA'];
    let buffer = '';
    let streaming = false;
    socket.setEncoding('utf8');
    socket.on('error', reject);
    const line = `${'A'.repeat(998)}\r\n`;
    const block = Buffer.from(line.repeat(Math.floor(megabyte / line.length)));
    const stream = async () => {
      socket.write('Subject: stor\r\n\r\n');
      for (let sent = 0; sent < bytes; sent += block.length)
        if (!socket.write(block)) await new Promise((r) => socket.once('drain', r));
      socket.write('\r\n.\r\n');
    };
    socket.on('data', (data: string) => {
      buffer += data;
      const lines = buffer.split('\r\n');
      buffer = lines.pop() ?? '';
      for (const reply of lines) {
        if (/^\d{3}-/.test(reply)) continue;
        if (streaming) {
          socket.end('QUIT\r\n');
          return resolve(reply);
        }
        if (reply.startsWith('354')) {
          streaming = true;
          void stream();
        } else if (/^[45]/.test(reply)) return reject(new Error(reply));
        else socket.write(`${steps.shift()}\r\n`);
      }
    });
  });
}

t.test('a 100 MB mail to a listener that takes 5 MB is refused with 552 and never held', async (t) => {
  const app = await build(t);
  const inbound = await startInboundSmtp(app.db, {
    ...inboundSettings(app.config, { port: 0, host: '127.0.0.1' }),
    maxMessageBytes: 5 * megabyte,
  });
  t.teardown(() => inbound.close());
  const { result, deltaMb } = await peakRss(() => sendOversizedMail(inbound.port, 100 * megabyte));
  t.match(result, /^552/, 'too large');
  t.comment(`RSS increase: ${deltaMb.toFixed(1)} MB`);
  t.ok(deltaMb < 32, `RSS grew ${deltaMb.toFixed(1)} MB`);
});

// Mail as it reaches the listener through the centre's gateway, in development's settings (authserv-id
// mx.kundesenter.test, relay 127.0.0.1): the gateway's Authentication-Results says the sender passed.
// Tests of everything but sender verification send through it; the forging tests do not.
import nodemailer, { type SendMailOptions, type Transporter } from 'nodemailer';

export const authservId = 'mx.kundesenter.test';

/** The header a gateway adds for a sender whose domain passed DMARC. */
export function gatewayVerified(from: string): string {
  const domain = (/@([^>\s]+)/.exec(from)?.[1] ?? from).toLowerCase();
  return (
    `${authservId}; dkim=pass header.d=${domain}; spf=pass smtp.mailfrom=${domain}; ` +
    `dmarc=pass (p=reject) header.from=${domain}`
  );
}

/** The same for a raw message: the header goes on top, as a gateway puts it. */
export function withGatewayHeader(raw: string, from: string): string {
  return `Authentication-Results: ${gatewayVerified(from)}\r\n${raw}`;
}

function addressOf(from: SendMailOptions['from']): string {
  if (!from) return '';
  if (typeof from === 'string') return from;
  return Array.isArray(from) ? '' : String((from as { address?: string }).address ?? '');
}

/** A transport to the listener on `port` that plays the gateway: what it sends arrives verified. */
export function gatewayTransport(port: number): Transporter {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
  transport.use('compile', (mail, done) => {
    const data = mail.data as SendMailOptions;
    const from = addressOf(data.from) || String(data.envelope && (data.envelope as { from?: string }).from) || '';
    if (typeof data.raw === 'string') data.raw = withGatewayHeader(data.raw, from);
    else if (Buffer.isBuffer(data.raw)) data.raw = Buffer.concat([Buffer.from(withGatewayHeader('', from)), data.raw]);
    else
      data.headers = { ...(data.headers as Record<string, string>), 'Authentication-Results': gatewayVerified(from) };
    done();
  });
  return transport;
}

/** A transport to the listener that adds nothing: what it sends arrives as anyone could send it. */
export function plainTransport(port: number): Transporter {
  return nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
}

// The development identity provider's own thread (see idp-thread.ts): starts it from the options the bench
// sent, says where it listens, and closes it when told.
import { parentPort, workerData } from 'node:worker_threads';
import { startDevIdentityProvider } from '../src/auth/dev-idp.js';

const { host, port, publicUrl } = workerData as { host: string; port: number; publicUrl: string };
const idp = await startDevIdentityProvider({ host, port, publicUrl: new URL(publicUrl) });
parentPort!.once('message', () => {
  void idp.close().then(() => parentPort!.close());
});
parentPort!.postMessage({ issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret });

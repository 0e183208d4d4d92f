// The bench's identity provider, in a worker thread of its own. oidc-provider runs each request in an
// AsyncLocalStorage, and from the first login on, every promise in the same isolate pays for async hooks
// (about 4 % of a case list's main-thread CPU, measured by turning them on and off in alternate seconds).
// Production never loads oidc-provider, so the pages are measured without it. The development server
// keeps it in the app's own isolate: a thread of its own made a development start slower (docs/notes.md).
import { Worker } from 'node:worker_threads';
import type { DevIdentityProvider, DevIdpOptions } from '../src/auth/dev-idp.js';

export function startIdentityProviderThread(options: DevIdpOptions): Promise<DevIdentityProvider> {
  // The bench runs through tsx, whose loader does not reach a thread's entry: the thread loads the
  // TypeScript through tsx's API.
  const entry = new URL('./idp-worker.ts', import.meta.url).href;
  const worker = new Worker(
    `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then(({ tsImport }) => tsImport(${JSON.stringify(entry)}, ${JSON.stringify(import.meta.url)}))`,
    {
      eval: true,
      workerData: { host: options.host, port: options.port, publicUrl: options.publicUrl.href },
    },
  );
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    worker.on('error', reject);
    worker.once('exit', (code) => reject(new Error(`the identity provider's thread ended (exit code ${code})`)));
    worker.once('message', (started: Omit<DevIdentityProvider, 'close'>) =>
      resolve({
        ...started,
        close: () => {
          worker.postMessage('close');
          return exited;
        },
      }),
    );
  });
}

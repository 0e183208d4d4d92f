// Work done every so often by the workers (outbox, incoming mail, scheduled reports): one round at a
// time per process, a round asked for while one runs joins it, and stopping waits for the round.
export interface Periodic {
  /** Runs a round now, or joins the one running; resolves with how many items it handled. */
  run(): Promise<number>;
  stop(): Promise<void>;
}

export function periodic(
  round: () => Promise<number>,
  options: { intervalMs: number; onError: (error: unknown) => void; atStart?: boolean },
): Periodic {
  let running: Promise<number> | undefined;
  let stopped = false;
  const run = () => {
    running ??= round().finally(() => (running = undefined));
    return running;
  };
  const tick = () => {
    if (!stopped) run().catch(options.onError);
  };
  if (options.atStart) tick();
  const timer = setInterval(tick, options.intervalMs);
  return {
    run,
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await running?.catch(() => {});
    },
  };
}

/** Stops a standalone simulator cleanly on Ctrl-C or SIGTERM. */
export function stopOnSignal(stop: () => Promise<void>) {
  const shutdown = () => {
    stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

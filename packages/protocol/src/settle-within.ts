/**
 * A promise's outcome, or `'timeout'` after `ms`. For shutdown steps that wait on a peer (a broker's
 * acknowledgement), so a stop ends even when the network is gone. The work is not cancelled.
 */
export function settleWithin<T>(work: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

import http from 'node:http';

export interface LoadResult {
  requests: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  failures: number;
}

/**
 * A bounded closed-loop load: `concurrency` keep-alive clients each send the next request when
 * the previous answer arrives, for `seconds`. Runs on loopback in this process, so it measures
 * both targets under identical conditions rather than absolute capacity.
 */
export async function runLoad(
  url: string,
  opts: { seconds: number; concurrency: number; headers?: Record<string, string> },
): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.concurrency });
  const latencies: number[] = [];
  let failures = 0;
  const started = performance.now();
  const deadline = started + opts.seconds * 1000;
  const once = () =>
    new Promise<void>((resolve) => {
      const t0 = performance.now();
      const req = http.get(url, { agent, headers: opts.headers }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode !== 200) failures++;
          latencies.push(performance.now() - t0);
          resolve();
        });
      });
      req.on('error', () => {
        failures++;
        resolve();
      });
    });
  const worker = async () => {
    while (performance.now() < deadline) await once();
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const pick = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return {
    requests: latencies.length,
    seconds,
    perSecond: latencies.length / seconds,
    p50Ms: pick(0.5),
    p99Ms: pick(0.99),
    failures,
  };
}

export interface BenchRequest {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: unknown;
  /** Answers that count as success (default 200 and 201). */
  ok?: number[];
}

/**
 * Like `runLoad`, with each request made by `next` (a different user, a different box); `next`
 * answering undefined ends that client early (the work ran out).
 */
export async function runRequests(
  baseUrl: string,
  opts: { seconds: number; concurrency: number },
  next: () => BenchRequest | undefined,
): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.concurrency });
  const latencies: number[] = [];
  let failures = 0;
  const started = performance.now();
  const deadline = started + opts.seconds * 1000;
  const once = (r: BenchRequest) =>
    new Promise<void>((resolve) => {
      const t0 = performance.now();
      const body = r.body === undefined ? undefined : JSON.stringify(r.body);
      const req = http.request(
        `${baseUrl}${r.path}`,
        {
          method: r.method,
          agent,
          headers: { ...r.headers, ...(body ? { 'content-type': 'application/json' } : {}) },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (!(r.ok ?? [200, 201]).includes(res.statusCode ?? 0)) failures++;
            latencies.push(performance.now() - t0);
            resolve();
          });
        },
      );
      req.on('error', () => {
        failures++;
        resolve();
      });
      req.end(body);
    });
  const worker = async () => {
    while (performance.now() < deadline) {
      const r = next();
      if (!r) return;
      await once(r);
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const pick = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return {
    requests: latencies.length,
    seconds,
    perSecond: latencies.length / seconds,
    p50Ms: pick(0.5),
    p99Ms: pick(0.99),
    failures,
  };
}

/**
 * How the daemon's node process is started in production (deploy/systemd/locker-edge.service sets
 * the same; a test keeps the two in step, and the bench starts the daemon this way).
 *
 * - A courier PIN check is one scrypt (16 MiB, in a libuv thread). glibc keeps freed memory in a
 *   per-thread arena, so four pool threads would hold ~64 MiB for good; allocations this large go
 *   straight to mmap and back to the kernel with the threshold below, and fewer arenas are made.
 * - V8's young generation otherwise grows by ~30 MiB under a burst of requests on a small device.
 * - Without a cap V8 lets the old generation grow far past the live heap (~21 MiB, flat over
 *   thousands of operations) before it collects: measured 145 MB RSS after 4,000 operations
 *   uncapped, ~92 MB capped at 64 MiB. 64 MiB leaves room for the largest input, a full
 *   desired-state snapshot (bounded by its schema).
 */
export const EDGE_NODE_ARGS: readonly string[] = ['--max-semi-space-size=1', '--max-old-space-size=64'];

export const EDGE_ENV: Readonly<Record<string, string>> = {
  MALLOC_ARENA_MAX: '2',
  MALLOC_MMAP_THRESHOLD_: '131072',
};

/**
 * How the daemon's node process is started in production (deploy/systemd/locker-edge.service sets
 * the same; a test keeps the two in step, and the bench starts the daemon this way).
 *
 * - A courier PIN check is one scrypt (16 MiB, in a libuv thread). glibc keeps freed memory in a
 *   per-thread arena, so four pool threads would hold ~64 MiB for good; allocations this large go
 *   straight to mmap and back to the kernel with the threshold below, and fewer arenas are made.
 * - V8's young generation otherwise grows by ~30 MiB under a burst of requests on a small device.
 *   (Capping the old generation at 48 or 64 MiB was measured too and saved nothing: the live heap
 *   is ~21 MiB and does not grow with operations.)
 */
export const EDGE_NODE_ARGS: readonly string[] = ['--max-semi-space-size=1'];

export const EDGE_ENV: Readonly<Record<string, string>> = {
  MALLOC_ARENA_MAX: '2',
  MALLOC_MMAP_THRESHOLD_: '131072',
};

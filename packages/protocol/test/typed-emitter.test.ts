import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TypedEmitter } from '../src/typed-emitter.js';

interface Events {
  door: { lock: number };
  link: { up: boolean };
}

class Bus extends TypedEmitter<Events> {}

const repo = join(import.meta.dirname, '..', '..', '..');
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' || e.name === 'dist' ? [] : sources(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

describe('the one typed emitter', () => {
  it('delivers each payload to its listeners until the returned unsubscribe is called', () => {
    const bus = new Bus();
    const seen: number[] = [];
    const off = bus.on('door', (e) => seen.push(e.lock));
    bus.emit('door', { lock: 1 });
    off();
    bus.emit('door', { lock: 2 });
    expect(seen).toEqual([1]);
    expect(bus.listenerCount('door')).toBe(0);
  });

  it('fires a once listener a single time, and off removes a listener by reference', () => {
    const bus = new Bus();
    const ups: boolean[] = [];
    bus.once('link', (e) => ups.push(e.up));
    const keep = (e: { up: boolean }) => ups.push(!e.up);
    bus.on('link', keep);
    bus.emit('link', { up: true });
    bus.off('link', keep);
    bus.emit('link', { up: true });
    expect(ups).toEqual([true, false]);
  });

  it('is the only emitter in the cloud, the edge and the lock-board driver', () => {
    const dirs = ['cloud/src', 'edge/src', 'packages/lockboard/src', 'packages/protocol/src'];
    const own = dirs
      .flatMap((d) => sources(join(repo, d)))
      .filter((f) => /new EventEmitter\(|extends EventEmitter\b/.test(readFileSync(f, 'utf8')))
      .map((f) => f.slice(repo.length + 1));
    expect(own).toEqual(['packages/protocol/src/typed-emitter.ts']);
  });
});

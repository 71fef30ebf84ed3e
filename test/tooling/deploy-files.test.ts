import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCloudConfig } from '@locker/cloud';
import { EDGE_ENV, EDGE_NODE_ARGS, parseEdgeConfig } from '@locker/edge';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/daemon-process.js';

const read = (path: string) => readFileSync(join(repoRoot, path), 'utf8');

describe('the deploy files', () => {
  it('start the cabinet daemon with the runtime settings the bench measured', () => {
    const unit = read('deploy/systemd/locker-edge.service');
    const exec = unit.split('\n').find((l) => l.startsWith('ExecStart='));
    for (const arg of EDGE_NODE_ARGS) expect(exec).toContain(arg);
    for (const [k, v] of Object.entries(EDGE_ENV)) expect(unit).toContain(`Environment=${k}=${v}`);
    expect(unit).toContain('RestartPreventExitStatus=78');
  });

  it('ship example configs that the daemons accept', () => {
    expect(() => parseEdgeConfig(JSON.parse(read('deploy/examples/edge.json')))).not.toThrow();
    expect(() => parseCloudConfig(JSON.parse(read('deploy/examples/cloud.json')))).not.toThrow();
  });
});

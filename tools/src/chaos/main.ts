#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { runPowerCut } from './power-cut.js';

/** `node edge/dist/chaos/main.js --kills 200`: the long power-cut run (npm run chaos). */
const { values } = parseArgs({ options: { kills: { type: 'string', default: '200' } } });
const kills = Number(values.kills);
const started = Date.now();
const report = await runPowerCut({ kills, log: (l) => console.log(l) });
console.log(
  `${report.kills} power cuts, ${report.deposits} deposits, ${report.pickups} pickups, ${report.events} events in the outbox, ${Math.round((Date.now() - started) / 1000)} s`,
);
if (report.problems.length > 0) {
  console.error(report.problems.join('\n'));
  process.exit(1);
}
console.log('no event lost or duplicated; box state matched the physical state after every restart');

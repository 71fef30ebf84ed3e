/**
 * Test rigs, kept out of the production entry point (`@locker/lockboard/testing`): a simulator behind
 * `@serialport/binding-mock`, socat pseudo-terminal pairs, and a simulated bus that can be unplugged.
 * The simulator itself stays in the main entry: `port: 'sim:'` is a supported way to run a cabinet.
 */
export { mockBindingFor } from './simulator/mock-binding.js';
export { type ReplugableBus, replugableSimulatorOnPty } from './simulator/replugable-pty.js';
export { type SimulatedBus, simulatorOnPty } from './simulator/simulator-on-pty.js';
export { openPtyPair, type PtyPair, type PtyPairOptions } from './simulator/socat.js';

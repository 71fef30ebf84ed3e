import { fileURLToPath } from 'node:url';

/** The built edge package, found the way Node finds it (edge/dist/index.js, its main next to it). */
const EDGE_INDEX = import.meta.resolve('@locker/edge');

/** The built daemon entry (`edge/dist/main.js`), run as the process under test. */
export const DAEMON_MAIN = fileURLToPath(new URL('./main.js', EDGE_INDEX));
/** The daemon module, imported alone by the memory baseline. */
export const DAEMON_MODULE = new URL('./daemon.js', EDGE_INDEX).href;

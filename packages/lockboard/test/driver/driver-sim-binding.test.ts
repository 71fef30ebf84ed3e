import { driverSuite } from './driver-suite.js';

driverSuite('sim-binding');

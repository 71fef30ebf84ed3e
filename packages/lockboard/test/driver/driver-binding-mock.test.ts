import { driverSuite } from './driver-suite.js';

driverSuite('binding-mock');

import { afterAll } from '@jest/globals';
import { backendContract } from './contract.js';
import { standinEnv, standinTarget } from './support.js';

// The stand-in ipvsadm, spawned per call exactly like the real one.
const s = standinEnv();
afterAll(() => s.cleanup());
backendContract('ipvsadm backend -> stand-in ipvsadm', () => standinTarget(s));

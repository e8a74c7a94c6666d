// Kernel tier only (npm run test:kernel): needs the IPVS VM that scripts/kernel/test-kernel.sh starts.
import base from '../../jest.config.js';

/** @type {import('jest').Config} */
export default {
  ...base,
  rootDir: '../..',
  testMatch: ['<rootDir>/test/kernel/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  testTimeout: 300000,
  maxWorkers: 1,
};

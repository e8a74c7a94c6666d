import { SERVICE_NAMES } from '../src/checks/types.js';

test('ldirectord knows 21 service names', () => {
  expect(SERVICE_NAMES).toHaveLength(21);
});

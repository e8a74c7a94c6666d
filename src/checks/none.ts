// service=none (and negotiate checks for services without a check): ldirectord's check_none
// brings the real server up unconditionally. Reads no CheckOptions field.
import type { CheckFn } from './types.js';
import { result, startTimer, withRedaction } from './util/result.js';

export const checkNone: CheckFn = withRedaction(async () => {
  const elapsed = startTimer();
  return result(elapsed, true, 'no check for this service (none): up');
});

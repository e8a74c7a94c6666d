// Secrets never leave the process: every printed or served form of the config goes through here.
import type { Config, VirtualService } from './model.js';

export const MASK = '********';

function maskVirtual(v: VirtualService): VirtualService {
  return { ...v, passwd: v.passwd ? MASK : '', secret: v.secret ? MASK : '' };
}

export function redactConfig(config: Config): Config {
  return { ...config, virtuals: config.virtuals.map(maskVirtual) };
}

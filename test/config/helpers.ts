// Parse config text in-process with a resolver that never touches the network.
import { parseConfigText } from '../../src/config/load.js';
import type { ConfigFileProbe } from '../../src/config/parser.js';
import { ServicesTable, parseServices, staticResolver } from '../../src/config/resolve.js';

export const services = new ServicesTable(parseServices([
  'ftp 21/tcp', 'smtp 25/tcp mail', 'domain 53/tcp', 'domain 53/udp', 'http 80/tcp www',
  'https 443/tcp', 'https 443/udp', 'http-alt 8080/tcp webcache',
].join('\n')));

export const resolver = staticResolver({ web1: { 4: '10.0.0.21' }, web6: { 6: '2001:db8::21' }, localhost: { 4: '127.0.0.1', 6: '::1' } }, services, 'director');

export const probe: ConfigFileProbe = {
  appendError: (p) => (p.startsWith('/forbidden/') ? 'Permission denied' : null),
  isDirectory: (p) => p === '/maint',
};

export const parse = (text: string) => parseConfigText(text, 'test.cf', { resolver, probe });

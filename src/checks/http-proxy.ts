// service=http_proxy: ldirectord's check_http with RIP:checkport as the proxy; implemented in
// http.ts (same code path as in ldirectord). Reads: service, timeoutMs, request, receive,
// httpmethod.
export { checkHttp as checkHttpProxy } from './http.js';

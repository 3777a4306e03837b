// Requests Node's HTTP parser refuses (headers over the size limit, broken HTTP, timeouts)
// never reach a route. Fastify's default answer to them leaves out `Connection: close` and
// then closes the socket, so a keep-alive client (libhoney, OTel exporters) reuses the dead
// socket and its next request fails with "socket hang up". This answers in Tend's error shape
// and says the connection is closing.
import http from 'node:http';
import type { Socket } from 'node:net';
import { formatBytes } from './decode-body.js';

function answerFor(err: NodeJS.ErrnoException): [number, string] {
  if (err.code === 'HPE_HEADER_OVERFLOW') return [431, `request headers are larger than ${formatBytes(http.maxHeaderSize)}`];
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') return [408, 'the request was not received in time'];
  return [400, `malformed HTTP request${err.code ? ` (${err.code})` : ''}`];
}

export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  // A reset connection has no one left to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, message] = answerFor(err);
  const body = JSON.stringify({ error: message });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

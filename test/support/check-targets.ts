// Real local targets for check tests: an HTTP server the test controls, a closed port, a TCP
// listener with a banner, a TLS server with a short-lived self-signed certificate made by the
// openssl CLI, and a tiny UDP DNS server answering A records from a table.
import { execFileSync } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';

const portOf = (s: net.Server | dgram.Socket) => (s.address() as AddressInfo).port;

export interface HttpTarget {
  url: string;
  /** Requests seen, by path. */
  hits: Map<string, number>;
  close(): Promise<void>;
}

/** /ok, /slow?ms=N, /500, /wrong, /json, /redirect -> /ok, /loop (redirects to itself). */
export async function startHttpTarget(): Promise<HttpTarget> {
  const hits = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    hits.set(url.pathname, (hits.get(url.pathname) ?? 0) + 1);
    switch (url.pathname) {
      case '/ok':
        return res.end('all ok');
      case '/slow':
        return void setTimeout(() => res.end('ok, slowly'), Number(url.searchParams.get('ms') ?? 1000)).unref();
      case '/500':
        res.statusCode = 500;
        return res.end('broken');
      case '/wrong':
        return res.end('nothing to see');
      case '/json':
        res.setHeader('content-type', 'application/json');
        return res.end(JSON.stringify({ status: { db: 'up', replicas: [1, 2] } }));
      case '/redirect':
        res.writeHead(302, { location: '/ok' });
        return res.end();
      case '/loop':
        res.writeHead(302, { location: '/loop' });
        return res.end();
      case '/echo-method':
        return res.end(req.method);
      default:
        res.statusCode = 404;
        return res.end('not found');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${portOf(server)}`,
    hits,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

/** A port nothing listens on any more: connections are refused. */
export async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = portOf(s);
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Sends `banner` on connect; answers "PONG\n" to "PING\n". */
export async function startTcpTarget(banner = 'HELLO tend\n'): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.write(banner);
    socket.on('data', (d) => {
      if (d.toString().includes('PING')) socket.write('PONG\n');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: portOf(server), close: () => new Promise<void>((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }) };
}

export interface TlsTarget {
  port: number;
  /** The self-signed certificate, to trust with ca_file. */
  certFile: string;
  close(): Promise<void>;
}

/** A self-signed certificate for CN=localhost (SAN localhost and 127.0.0.1), made by the openssl CLI. */
export function selfSignedCert(days = 2): { dir: string; keyFile: string; certFile: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tend-tls-'));
  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', keyFile, '-out', certFile, '-days', String(days), '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
  ], { stdio: 'ignore' });
  return { dir, keyFile, certFile };
}

/** A TLS server for CN=localhost valid for `days` days. */
export async function startTlsTarget(days = 2): Promise<TlsTarget> {
  const { keyFile, certFile } = selfSignedCert(days);
  const sockets = new Set<tls.TLSSocket>();
  const server = tls.createServer({ key: fs.readFileSync(keyFile), cert: fs.readFileSync(certFile) }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.end('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: portOf(server), certFile, close: () => new Promise<void>((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }) };
}

/** A UDP DNS server answering A queries for the names in `records`; NXDOMAIN otherwise. */
export async function startDnsTarget(records: Record<string, string[]>): Promise<{ server: string; queries: number; close(): Promise<void> }> {
  const socket = dgram.createSocket('udp4');
  const state = { queries: 0 };
  socket.on('message', (msg, rinfo) => {
    state.queries++;
    // Question: name labels from byte 12, then QTYPE and QCLASS.
    let at = 12;
    const labels: string[] = [];
    while (msg[at] !== 0) {
      labels.push(msg.subarray(at + 1, at + 1 + msg[at]).toString('ascii'));
      at += msg[at] + 1;
    }
    const questionEnd = at + 5;
    const qtype = msg.readUInt16BE(at + 1);
    const answers = qtype === 1 ? (records[labels.join('.').toLowerCase()] ?? []) : [];
    const header = Buffer.alloc(12);
    msg.copy(header, 0, 0, 2); // id
    header.writeUInt16BE(0x8180 | (answers.length || qtype !== 1 ? 0 : 3), 2); // response, RD+RA, NXDOMAIN when unknown
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(answers.length, 6);
    const parts = [header, msg.subarray(12, questionEnd)];
    for (const ip of answers) {
      const rr = Buffer.alloc(16);
      rr.writeUInt16BE(0xc00c, 0); // pointer to the question name
      rr.writeUInt16BE(1, 2);
      rr.writeUInt16BE(1, 4);
      rr.writeUInt32BE(60, 6);
      rr.writeUInt16BE(4, 10);
      ip.split('.').forEach((o, i) => rr.writeUInt8(Number(o), 12 + i));
      parts.push(rr);
    }
    socket.send(Buffer.concat(parts), rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  return {
    server: `127.0.0.1:${portOf(socket)}`,
    get queries() {
      return state.queries;
    },
    close: () => new Promise<void>((r) => socket.close(() => r())),
  };
}

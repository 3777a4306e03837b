// TLS: `--tls-cert/--tls-key` serve HTTPS (the session cookie is then Secure) and OTLP/gRPC over
// TLS with the same certificate; behind a trusted proxy, X-Forwarded-Proto: https makes the
// cookie Secure too, and an untrusted one cannot.
import fs from 'node:fs';
import https from 'node:https';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tend } from '../src/server/index.js';
import { selfSignedCert } from './support/check-targets.js';
import { OWNER, startWithOwner } from './support/people.js';

const cert = selfSignedCert();
const ca = fs.readFileSync(cert.certFile);

function httpsPost(url: string, body: unknown): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: 'POST', ca, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

function grpcExport(address: string, creds: grpc.ChannelCredentials, key: string): Promise<grpc.ServiceError | null> {
  const client = new grpc.Client(address, creds);
  const metadata = new grpc.Metadata();
  metadata.set('x-honeycomb-team', key);
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
      (b: Buffer) => b,
      (b: Buffer) => b,
      Buffer.alloc(0),
      metadata,
      { deadline: Date.now() + 5000 },
      (err) => {
        client.close();
        resolve(err);
      },
    );
  });
}

describe('TLS', () => {
  let tend: Tend;
  beforeAll(async () => {
    tend = await startWithOwner({ tlsCert: cert.certFile, tlsKey: cert.keyFile, grpcPort: 0 });
  });
  afterAll(() => tend.close());

  it('serves HTTPS, and the session cookie is Secure', async () => {
    expect(tend.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const res = await httpsPost(`${tend.url}/api/v1/auth/login`, { email: OWNER.email, password: OWNER.password });
    expect(res.status).toBe(200);
    expect(String(res.headers['set-cookie'])).toMatch(/^tend_session=tks_[\w-]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=604800; Secure$/);
    // Without trusting the certificate the connection is refused: it really is TLS.
    await expect(fetch(`${tend.url}/healthz`)).rejects.toThrow();
  });

  it('serves OTLP/gRPC over TLS with the same certificate', async () => {
    const keys = JSON.parse(fs.readFileSync(`${tend.config.dataDir}/keys.json`, 'utf8'));
    const address = `localhost:${tend.grpc!.port}`;
    expect(await grpcExport(address, grpc.credentials.createSsl(ca), keys.ingest_key)).toBeNull();
    const plain = await grpcExport(address, grpc.credentials.createInsecure(), keys.ingest_key);
    expect(plain?.code).toBe(grpc.status.UNAVAILABLE);
    const readKey = (await tend.auth.createKey('production', 'read')).key;
    expect((await grpcExport(address, grpc.credentials.createSsl(ca), readKey))?.code).toBe(grpc.status.PERMISSION_DENIED);
  });
});

describe('behind a proxy', () => {
  const login = (url: string, headers: Record<string, string>) =>
    fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ email: OWNER.email, password: OWNER.password }) });

  it('makes the cookie Secure when a trusted proxy says the client used HTTPS, and only then', async () => {
    const trusting = await startWithOwner({ trustProxy: true });
    const plain = await startWithOwner();
    try {
      expect((await login(trusting.url, { 'x-forwarded-proto': 'https' })).headers.get('set-cookie')).toMatch(/; Secure$/);
      expect((await login(trusting.url, {})).headers.get('set-cookie')).not.toMatch(/Secure/);
      expect((await login(plain.url, { 'x-forwarded-proto': 'https' })).headers.get('set-cookie')).not.toMatch(/Secure/);
    } finally {
      await trusting.close();
      await plain.close();
    }
  });
});

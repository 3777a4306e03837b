// A backup destination on any S3-compatible store: s3://bucket/prefix. Endpoint, region and
// credentials come from the usual AWS environment variables (AWS_ENDPOINT_URL or
// AWS_ENDPOINT_URL_S3, AWS_REGION or AWS_DEFAULT_REGION, AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), else the SDK's own chain (profiles, instance
// roles). With an endpoint set, addressing is path-style: self-hosted stores rarely have a
// DNS name per bucket. Checksums are sent only where S3 requires them: the SDK's default
// streams uploads with trailing checksums (aws-chunked), which several S3-compatible servers
// store verbatim; the manifest's SHA-256 checks every file anyway.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, NoSuchKey, PutObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import type { Destination } from './destination.js';

/** DeleteObjects takes at most this many keys. */
const DELETE_BATCH = 1000;

export class S3Destination implements Destination {
  /** Made on first use; a promise, since several fetches ask at once. */
  private stagingDir: Promise<string> | undefined;

  private constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    /** "" or "some/prefix/" */
    private readonly prefix: string,
  ) {}

  static parse(dest: string, env: NodeJS.ProcessEnv): S3Destination {
    const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(dest);
    if (!m || m[1] === '') throw new Error(`dest: "${dest}" is not s3://bucket/prefix`);
    const prefix = m[2].replace(/\/+$/, '');
    const endpoint = env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || undefined;
    const config: S3ClientConfig = {
      region: env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1',
      endpoint,
      forcePathStyle: endpoint !== undefined,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    };
    if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
      config.credentials = { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN || undefined };
    }
    return new S3Destination(new S3Client(config), m[1], prefix ? `${prefix}/` : '');
  }

  get label(): string {
    return `s3://${this.bucket}/${this.prefix}`;
  }

  staging(): Promise<string> {
    this.stagingDir ??= fs.promises.mkdtemp(path.join(os.tmpdir(), 'tend-backup-'));
    return this.stagingDir;
  }

  async commit(localFile: string, rel: string): Promise<void> {
    const { size } = await fs.promises.stat(localFile);
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.key(rel), Body: fs.createReadStream(localFile), ContentLength: size }));
    await fs.promises.rm(localFile, { force: true });
  }

  async fetch(rel: string): Promise<string> {
    const target = path.join(await this.staging(), ...rel.split('/'));
    await fs.promises.mkdir(path.dirname(target), { recursive: true });
    const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(rel) }));
    await pipeline(res.Body as Readable, fs.createWriteStream(target));
    return target;
  }

  async list(prefix: string): Promise<{ path: string; bytes: number }[]> {
    const out: { path: string; bytes: number }[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.key(prefix), ContinuationToken: token }));
      for (const o of page.Contents ?? []) out.push({ path: o.Key!.slice(this.prefix.length), bytes: o.Size ?? 0 });
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out;
  }

  async readText(rel: string): Promise<string | undefined> {
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(rel) }));
      return await res.Body!.transformToString('utf8');
    } catch (err) {
      if (err instanceof NoSuchKey || (err as { name?: string }).name === 'NoSuchKey') return undefined;
      throw err;
    }
  }

  async writeText(rel: string, text: string): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.key(rel), Body: text, ContentType: 'application/json' }));
  }

  async remove(rels: string[]): Promise<void> {
    for (let i = 0; i < rels.length; i += DELETE_BATCH) {
      const Objects = rels.slice(i, i + DELETE_BATCH).map((rel) => ({ Key: this.key(rel) }));
      await this.client.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects, Quiet: true } }));
    }
  }

  async close(): Promise<void> {
    if (this.stagingDir) await fs.promises.rm(await this.stagingDir, { recursive: true, force: true });
    this.stagingDir = undefined;
    this.client.destroy();
  }

  private key(rel: string): string {
    return this.prefix + rel;
  }
}

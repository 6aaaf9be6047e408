// A throw-away corpus registry, its files, and a tiny HTTP server on 127.0.0.1 serving them,
// for testing `ebm corpora fetch|verify` without the internet (used by test/cli and test/e2e).
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

export const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/** The fixture: registry file, cache dir, served content and request log. */
export interface CorpusFixture {
  root: string;
  registryFile: string;
  cacheDir: string;
  baseUrl: string;
  requests: string[];
  content: { alpha: Buffer; beta: Buffer; gamma: Buffer; imgA: Buffer; imgB: Buffer };
  env: Record<string, string>;
  close(): Promise<void>;
}

/** Starts the server and writes the registry (corpora: toy, pics, broken). */
export async function startCorpusFixture(): Promise<CorpusFixture> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'ebm-corpora-'));
  const alpha = Buffer.from('alpha line of a toy corpus\n'.repeat(2000));
  const alphaGz = gzipSync(alpha, { level: 9 });
  const beta = Buffer.from('# sent_id = 1\n1\tHello\thello\tINTJ\tUH\t_\t0\troot\t_\t_\n\n'.repeat(500));
  const gamma = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7919) & 255));
  const imgA = Buffer.from('pretend jpeg A');
  const imgB = Buffer.from('pretend jpeg B, a little longer');
  const sums = `${sha(imgA)}  img/a.dat\n${sha(imgB)}  img/b.dat\n`;
  mkdirSync(path.join(root, 'manifests'));
  writeFileSync(path.join(root, 'manifests', 'pics.SHA256SUMS'), sums);

  const routes = new Map<string, Buffer>([
    ['/alpha.txt.gz', alphaGz],
    ['/beta.conllu', beta],
    ['/gamma.bin', gamma],
    ['/bad.bin', Buffer.from('not what the registry says')],
    ['/pics/img/a.dat', imgA],
    ['/pics/img/b.dat', imgB],
  ]);
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    const body = routes.get(req.url ?? '');
    if (!body) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const common = { homepage: 'https://example.org/', licence: 'test data', licenceId: 'test', format: 'bytes' };
  const registry = {
    version: 1,
    corpora: [
      {
        name: 'toy', title: 'Toy corpus', description: 'Test files.', dir: 'toy', mirrorDirs: ['toy_partial'], ...common,
        files: [
          { path: 'alpha.txt.gz', bytes: alphaGz.length, sha256: sha(alphaGz), contentSha256: sha(alpha), urls: [`${baseUrl}/alpha.txt.gz`] },
          { path: 'beta.conllu.gz', sha256: sha(gzipSync(beta)), contentSha256: sha(beta), urls: [`${baseUrl}/beta.conllu`] },
          { path: 'gamma.bin', bytes: gamma.length, sha256: sha(gamma), urls: [`${baseUrl}/missing/gamma.bin`, `${baseUrl}/gamma.bin`] },
          { path: 'delta.txt', sha256: sha('delta'), urls: [], optional: true, note: 'derived file, not downloadable' },
        ],
      },
      {
        name: 'pics', title: 'Pictures', description: 'A manifest corpus.', dir: 'pics', ...common,
        files: [{ path: 'SHA256SUMS', sha256: sha(sums), urls: [], copy: 'manifests/pics.SHA256SUMS' }],
        manifest: { path: 'SHA256SUMS', urlBase: `${baseUrl}/pics/` },
      },
      {
        name: 'broken', title: 'Broken', description: 'Served content does not match.', dir: 'broken', ...common,
        files: [{ path: 'bad.bin', sha256: sha('the real content'), urls: [`${baseUrl}/bad.bin`] }],
      },
    ],
  };
  const registryFile = path.join(root, 'registry.json');
  writeFileSync(registryFile, JSON.stringify(registry, null, 2));
  const cacheDir = path.join(root, 'cache');
  return {
    root,
    registryFile,
    cacheDir,
    baseUrl,
    requests,
    content: { alpha, beta, gamma, imgA, imgB },
    env: { EBM_CORPORA_REGISTRY: registryFile, EBM_CACHE_DIR: cacheDir },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

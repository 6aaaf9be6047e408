/**
 * Packing the workspaces and installing the tarballs into fresh projects, the way users get ebmkit: shared by the
 * consumer test (test/e2e/consumer.test.ts) and the install-size benchmark (scripts/bench/install-size).
 */
import { spawn } from 'node:child_process';
import { lstatSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** The workspace packages, in dependency order. */
export const WORKSPACES = ['core', 'ssvm', 'crf', 'segment', 'parse', 'cli'] as const;

/** What a child process did. */
export interface Run {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs `cmd args` in `cwd` (no shell), collecting its output; `env` replaces the environment. */
export function sh(cmd: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs = 240_000): Promise<Run> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env, timeout: timeoutMs });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', (err) => (stderr += String(err)));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr, ms: performance.now() - t0 }));
  });
}

/** Packs every workspace into `dir` with `npm pack`; returns package short name → tarball path. */
export async function packWorkspaces(repoRoot: string, dir: string, env: NodeJS.ProcessEnv): Promise<Record<string, string>> {
  mkdirSync(dir, { recursive: true });
  const r = await sh('npm', ['pack', '--workspaces', '--pack-destination', dir, '--json', '--loglevel=error'], repoRoot, env);
  if (r.code !== 0) throw new Error(`npm pack failed: ${r.stderr.trim()}`);
  const out: Record<string, string> = {};
  for (const info of JSON.parse(r.stdout) as { name: string; filename: string }[]) {
    out[info.name.replace('@ebmkit/', '')] = path.join(dir, info.filename.replace(/^@/, '').replace('/', '-'));
  }
  return out;
}

/** Writes a project depending on the tarballs of `pkgs` (ES module project). */
export function writeProject(dir: string, tarballs: Record<string, string>, pkgs: readonly string[], devDependencies: Record<string, string> = {}): void {
  mkdirSync(dir, { recursive: true });
  const dependencies = Object.fromEntries(pkgs.map((p) => [`@ebmkit/${p}`, `file:${tarballs[p]}`]));
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: path.basename(dir), private: true, type: 'module', dependencies, devDependencies }, null, 2));
}

/**
 * `npm install` as a user runs it, reusing npm's cache; the optional native TensorFlow (@tensorflow/tfjs-node, whose
 * install script downloads a binary) is omitted.
 */
export function npmInstall(dir: string, env: NodeJS.ProcessEnv): Promise<Run> {
  return sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--omit=optional', '--loglevel=error'], dir, env);
}

/** Bytes of the files under `dir` (symlinks not followed). */
export function diskBytes(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) total += diskBytes(p);
    else if (e.isFile()) total += lstatSync(p).size;
  }
  return total;
}

/** The installed packages of a node_modules folder (scoped ones as `@scope/name`) with their sizes, largest first. */
export function packageSizes(nodeModules: string): { name: string; bytes: number }[] {
  const out: { name: string; bytes: number }[] = [];
  for (const e of readdirSync(nodeModules, { withFileTypes: true })) {
    if (!e.isDirectory() || e.name.startsWith('.')) continue;
    const p = path.join(nodeModules, e.name);
    if (e.name.startsWith('@')) {
      for (const s of readdirSync(p, { withFileTypes: true })) if (s.isDirectory()) out.push({ name: `${e.name}/${s.name}`, bytes: diskBytes(path.join(p, s.name)) });
    } else out.push({ name: e.name, bytes: diskBytes(p) });
  }
  return out.sort((a, b) => b.bytes - a.bytes);
}

// Helpers for the end-to-end tests: they run the BUILT CLI (packages/cli/bin/ebm.js → dist/bundle)
// in a child process, the way a user does. `npm test` builds first; alone, run `npm run build`.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
/** The `ebm` launcher. */
export const ebmBin = fileURLToPath(new URL('../../packages/cli/bin/ebm.js', import.meta.url));
/** The bundle the launcher imports. */
export const bundleEntry = fileURLToPath(new URL('../../packages/cli/dist/bundle/ebm.js', import.meta.url));

/** Throws a clear message when the build is missing. */
export function assertBuilt(): void {
  if (!existsSync(bundleEntry)) throw new Error(`${bundleEntry} is missing: run \`npm run build\` before the e2e tests`);
}

/** The environment without EBM_* variables (so the host's settings do not leak into a test), plus `extra`. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('EBM_') && k !== 'NODE_OPTIONS') env[k] = v;
  return { ...env, ...extra };
}

/** Result of a child process. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs `node [nodeArgs] ebm.js args` asynchronously (so in-process servers keep serving). */
export function runEbm(args: string[], opts: { env?: Record<string, string>; nodeArgs?: string[]; cwd?: string } = {}): Promise<RunResult> {
  return runNode([...(opts.nodeArgs ?? []), ebmBin, ...args], opts);
}

/** Runs `node args` asynchronously. */
export function runNode(args: string[], opts: { env?: Record<string, string>; cwd?: string } = {}): Promise<RunResult> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      args,
      { env: cleanEnv(opts.env), cwd: opts.cwd ?? repoRoot, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr), ms: performance.now() - t0 });
      },
    );
  });
}

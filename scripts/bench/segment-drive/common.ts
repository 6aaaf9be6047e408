/**
 * What the DRIVE benchmarks (drive.ts, recipe.ts) share: their command-line flags, the repository root, and a child
 * process timed under /usr/bin/time -v (wall seconds, user + system CPU seconds, peak RSS).
 */
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** This folder (skimage_rf.py, score.py). */
export const here = dirname(fileURLToPath(import.meta.url));
export const repo = join(here, '..', '..', '..');
export const log = (s: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${s}\n`);
const argv = process.argv.slice(2);
export const flag = (name: string) => argv.includes(name);
export const value = (name: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
/** Debian's python3, which has python3-skimage and python3-sklearn (override with --python). */
export const PYTHON = value('--python') ?? '/usr/bin/python3';

export interface Timed {
  seconds: number;
  /** User + system CPU seconds of the child (from /usr/bin/time). */
  cpuSeconds: number;
  peakRssMiB: number;
  stdout: string;
  stderr: string;
}

/** Runs a command under /usr/bin/time -v: wall seconds, user + system CPU seconds, peak RSS. */
export function timed(cmd: string, args: string[]): Promise<Timed> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-v', cmd, ...args], { cwd: repo, env: { ...process.env, DOTENV_CONFIG_QUIET: 'true' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = (performance.now() - t0) / 1000;
      if (code !== 0) return reject(new Error(`${cmd} ${args.join(' ')} failed (${code}):\n${stderr.slice(-3000)}`));
      const num = (re: RegExp) => Number(re.exec(stderr)?.[1] ?? NaN);
      resolve({
        seconds,
        cpuSeconds: num(/User time \(seconds\): ([\d.]+)/) + num(/System time \(seconds\): ([\d.]+)/),
        peakRssMiB: num(/Maximum resident set size \(kbytes\): (\d+)/) / 1024,
        stdout,
        stderr,
      });
    });
  });
}

/** The `ebm` command from source, run the way this script runs (same Node flags). */
export const ebm = (args: string[]) => timed(process.execPath, [...process.execArgv, join(repo, 'packages/cli/src/ebm.ts'), ...args]);

/** score.py's scores of one prediction folder: accuracy, vessel F1 and ROC AUC inside the FOV and over all pixels. */
export interface DriveScores {
  dir: string;
  fov: Record<string, number>;
  all: Record<string, number>;
}

/** Scores one method's predictions (a folder of masks and probability PNGs) against DRIVE's test masks. */
export function scoreDrive(testDir: string, out: string): DriveScores {
  const sc = spawnSync(PYTHON, [join(here, 'score.py'), testDir, out], { encoding: 'utf8' });
  if (sc.status !== 0) throw new Error(`score.py failed on ${out}:\n${sc.stderr}`);
  return JSON.parse(sc.stdout.trim()) as DriveScores;
}

/** The six score cells of a table row: accuracy, F1, AUC inside the FOV, then over all pixels. */
export function scoreCells(s: DriveScores): string[] {
  return [s.fov, s.all].flatMap((m) => [m['accuracy']!, m['f1']!, m['auc']!].map((v) => v.toFixed(4)));
}

/**
 * Runs the methods' jobs (all at once with `parallel`, else one after another) and scores each as soon as it
 * finishes, logging its scores (a long run that is stopped still leaves them in the log); `describe` adds the
 * method's own log line. Returns [row, scores] in job order.
 */
export async function runAndScore<R extends { out: string }>(
  jobs: (() => Promise<R>)[],
  parallel: boolean,
  testDir: string,
  describe: (r: R) => string,
): Promise<[R, DriveScores][]> {
  const scored = async (j: () => Promise<R>): Promise<[R, DriveScores]> => {
    const r = await j();
    const s = scoreDrive(testDir, r.out);
    log(`${describe(r)}, scores ${JSON.stringify(s)}`);
    return [r, s];
  };
  if (parallel) return Promise.all(jobs.map((j) => scored(j)));
  const done: [R, DriveScores][] = [];
  for (const j of jobs) done.push(await scored(j));
  return done;
}

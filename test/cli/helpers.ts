// Shared helpers for the in-process CLI tests: captured streams and a main() runner.
import { main, type CliIo, type TaskEntry } from '@ebmkit/cli';

/** A captured text stream. */
export class Capture {
  text = '';
  constructor(readonly isTTY = false, readonly columns = 100) {}
  write(s: string): boolean {
    this.text += s;
    return true;
  }
}

/** Runs main() with captured stdout/stderr and the given environment. */
export async function runCli(
  argv: string[],
  opts: { env?: Record<string, string | undefined>; tasks?: readonly TaskEntry[]; tty?: boolean } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new Capture();
  const stderr = new Capture(opts.tty ?? false);
  const io: CliIo = { stdout, stderr, env: opts.env ?? {} };
  const code = await main(argv, io, opts.tasks);
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/**
 * The CRFsuite reference for the benchmark: the `crfsuite` npm package (a native binding of CRFsuite 0.12.2's
 * C code, L-BFGS + first-order linear-chain CRF, "lbfgs"/"crf1d"), an OPTIONAL dependency of scripts/bench only.
 *
 * Install: cd scripts/bench && npm_config_nodedir=/usr npm install
 *   (there is no prebuilt binary for this Node; node-pre-gyp builds from source against the headers in /usr/include/node;
 *   npm ≥ 11 also needs the install script allowed — scripts/bench/package.json lists it under "allowScripts").
 *
 * Binding API (what the package really does; its index.d.ts is partly wrong):
 *   new Trainer({debug?: boolean})        debug: CRFsuite's training log is printed to the process's stdout (C++ std::cout,
 *                                          so it can only be captured from a child process)
 *   trainer.set_params({c2: '1', delta: '1e-5', period: '10', max_iterations: '1000', ...})   values are strings
 *   trainer.get_params()                  → {name: value} of all lbfgs parameters
 *   trainer.append(xseq: string[][], yseq: string[])   one sentence: attribute strings per item (all values 1), labels
 *   trainer.train(modelPath) → status (0 = ok; L-BFGS's "converged"/"stopped" codes otherwise)
 *   new Tagger(); tagger.open(modelPath) → boolean; tagger.tag(xseq) → string[] (labels; NOT {probability, result});
 *   tagger.get_labels() → string[]; tagger.close()
 *   No dump, no marginals, no attribute weights through the binding; `set_callback` is declared but not implemented.
 */
import { createRequire } from 'node:module';

/** The trainer of the binding. */
export interface CrfsuiteTrainer {
  set_params(params: Record<string, string>): void;
  get_params(): Record<string, string>;
  append(xseq: string[][], yseq: string[]): void;
  train(modelPath: string): number;
}

/** The tagger of the binding. */
export interface CrfsuiteTagger {
  open(modelPath: string): boolean;
  tag(xseq: string[][]): string[];
  get_labels(): string[];
  close(): void;
}

/** The binding's constructors. */
export interface CrfsuiteBinding {
  Trainer: new (options?: { debug?: boolean }) => CrfsuiteTrainer;
  Tagger: new () => CrfsuiteTagger;
}

/** Loads the optional binding from scripts/bench/node_modules, or returns the reason it is unavailable. */
export function loadCrfsuite(): { binding: CrfsuiteBinding } | { error: string } {
  try {
    const require = createRequire(import.meta.url);
    return { binding: require('crfsuite') as CrfsuiteBinding };
  } catch (e) {
    return {
      error: `the optional CRFsuite binding is not installed (cd scripts/bench && npm_config_nodedir=/usr npm install): ${(e as Error).message.split('\n')[0]}`,
    };
  }
}

/** What CRFsuite's training log says. */
export interface CrfsuiteLog {
  features: number | null;
  iterations: number | null;
  /** CRFsuite's own "Total seconds required for training". */
  seconds: number | null;
  /** Loss of the last iteration. */
  loss: number | null;
}

/** Parses CRFsuite's L-BFGS training log (the text printed with `debug: true`). */
export function parseCrfsuiteLog(log: string): CrfsuiteLog {
  const num = (re: RegExp): number | null => {
    const all = [...log.matchAll(re)];
    return all.length === 0 ? null : Number(all[all.length - 1]![1]);
  };
  return {
    features: num(/Number of features: (\d+)/g),
    iterations: num(/\*\*\*\*\* Iteration #(\d+) \*\*\*\*\*/g),
    seconds: num(/Total seconds required for training: ([0-9.]+)/g),
    loss: num(/Loss: ([0-9.eE+-]+)/g),
  };
}

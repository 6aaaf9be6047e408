/**
 * Constrained decoding: label schemes (BIO / BIOES validity from label names), forbidden transitions and
 * partially fixed labels become −∞ potentials; the unchanged chain DP then only sees allowed labellings.
 */

/** Chunk-tag schemes whose validity rules can be derived from label names. */
export type LabelScheme = 'none' | 'bio' | 'bioes';

/** Constraints for one decoding call. */
export interface DecodeConstraints {
  /** Per position: a label that must be used there, or null/undefined for free positions. */
  fixed?: readonly (string | null | undefined)[];
  /** Transitions (from, to) that may not occur. */
  forbidden?: readonly (readonly [string, string])[];
  /** Forbid transitions that are invalid in this chunk-tag scheme; 'auto' detects it from the label names. */
  scheme?: LabelScheme | 'auto';
}

/** Detects BIO (IOB2) or BIOES from labels like `B-NP`, `I-NP`, `E-NP`, `S-NP`, `O`; 'none' otherwise. */
export function detectScheme(labels: readonly string[]): LabelScheme {
  let prefixed = 0;
  let bioes = false;
  for (const l of labels) {
    const m = /^([BIES])-/.exec(l);
    if (m) {
      prefixed++;
      if (m[1] === 'E' || m[1] === 'S') bioes = true;
    } else if (l !== 'O') return 'none';
  }
  if (prefixed === 0) return 'none';
  return bioes ? 'bioes' : 'bio';
}

function split(label: string): { p: string; type: string } {
  const m = /^([BIES])-(.*)$/.exec(label);
  return m ? { p: m[1]!, type: m[2]! } : { p: label === 'O' ? 'O' : '?', type: '' };
}

/**
 * Which transitions and which start/end labels are valid in `scheme`. BIO: `I-X` may only follow `B-X`
 * or `I-X` (and may not start a sentence). BIOES: `I-X`/`E-X` only after `B-X`/`I-X`; after `B-X`/`I-X`
 * only `I-X`/`E-X`; a sentence may not start with `I`/`E` nor end with `B`/`I`.
 */
export function schemeMasks(
  labels: readonly string[],
  scheme: LabelScheme,
): { transition: Uint8Array; start: Uint8Array; end: Uint8Array } {
  const L = labels.length;
  const transition = new Uint8Array(L * L).fill(1);
  const start = new Uint8Array(L).fill(1);
  const end = new Uint8Array(L).fill(1);
  if (scheme === 'none') return { transition, start, end };
  const parts = labels.map(split);
  for (let b = 0; b < L; b++) {
    const B = parts[b]!;
    const continues = scheme === 'bio' ? B.p === 'I' : B.p === 'I' || B.p === 'E';
    if (continues) start[b] = 0;
    if (scheme === 'bioes' && (B.p === 'B' || B.p === 'I')) end[b] = 0;
    for (let a = 0; a < L; a++) {
      const A = parts[a]!;
      const open = scheme === 'bio' ? A.p === 'B' || A.p === 'I' : A.p === 'B' || A.p === 'I';
      let ok: boolean;
      if (continues) ok = open && A.type === B.type;
      else ok = scheme === 'bio' || !open; // BIOES: an open chunk must be continued or closed
      if (!ok) transition[a * L + b] = 0;
    }
  }
  return { transition, start, end };
}

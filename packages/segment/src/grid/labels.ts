/** Label maps: `Uint8Array` of class indices, with one reserved value for pixels that carry no label. */

/** The label value of pixels to ignore (unlabelled borders, "don't care" regions): skipped by losses and learning. */
export const IGNORE_LABEL = 255;

/** Number of pixels whose label is not IGNORE_LABEL. */
export function countLabelled(y: Uint8Array): number {
  let n = 0;
  for (let p = 0; p < y.length; p++) if (y[p] !== IGNORE_LABEL) n++;
  return n;
}

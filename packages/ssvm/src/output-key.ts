/** A string identifying a structured output, to recognise a constraint already in a working set or cache. */
export function outputKey(y: unknown): string {
  if (typeof y === 'number' || typeof y === 'string') return String(y);
  if (ArrayBuffer.isView(y) && !(y instanceof DataView)) return Array.prototype.join.call(y, ',');
  return JSON.stringify(y);
}

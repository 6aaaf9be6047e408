/**
 * Reading label maps from mask images: binary masks (a threshold on max(R, G, B)) or palette masks (a JSON map from
 * colour to class), with an optional "ignore" grey level or colour for pixels that carry no label (e.g. 128 on
 * unlabelled borders). Every problem is a `DataError` naming the file.
 */
import { readFile } from 'node:fs/promises';
import { DataError, loadImage, loadMask } from '@ebmkit/core';
import { IGNORE_LABEL } from '../grid/labels.js';

/** A palette: packed 0xRRGGBB colour → class index (or IGNORE_LABEL), plus class names when given. */
export interface Palette {
  readonly colors: ReadonlyMap<number, number>;
  readonly numLabels: number;
  /** Class names by index (from the JSON object's `names`, else "class k"). */
  readonly names: readonly string[];
  /** The colour each class is drawn in (the first colour mapped to it). */
  readonly classColors: readonly number[];
}

/** How mask images become label maps. */
export type MaskFormat =
  | {
      kind: 'binary';
      /** max(R, G, B) ≥ threshold is foreground (default 128). */
      threshold?: number;
      /** A grey level (max(R, G, B)) whose pixels are ignored, e.g. 128. */
      ignore?: number;
      /** Distance from `ignore` still taken as ignore (default 0; raise it for JPEG masks). */
      ignoreTolerance?: number;
    }
  | { kind: 'palette'; palette: Palette };

/** A label map: `labels[y·width + x]` (IGNORE_LABEL for ignored pixels). */
export interface LabelMap {
  width: number;
  height: number;
  labels: Uint8Array;
}

/** Number of classes a mask format produces. */
export function formatLabelCount(format: MaskFormat): number {
  return format.kind === 'binary' ? 2 : format.palette.numLabels;
}

/** `#rrggbb` of a packed colour. */
export function colorHex(c: number): string {
  return '#' + c.toString(16).padStart(6, '0');
}

/** Parses "#rrggbb", "#rgb", "r,g,b" or "rgb(r, g, b)" into a packed colour; undefined when it is none of these. */
export function parseColor(text: string): number | undefined {
  const s = text.trim().toLowerCase();
  let m = /^#([0-9a-f]{6})$/.exec(s);
  if (m) return parseInt(m[1]!, 16);
  m = /^#([0-9a-f])([0-9a-f])([0-9a-f])$/.exec(s);
  if (m) return parseInt(m[1]! + m[1]! + m[2]! + m[2]! + m[3]! + m[3]!, 16);
  m = /^(?:rgb\()?\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*\)?$/.exec(s);
  if (m) {
    const [r, g, b] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (r > 255 || g > 255 || b > 255) return undefined;
    return (r << 16) | (g << 8) | b;
  }
  return undefined;
}

/**
 * Parses a palette from JSON text: `{"#000000": 0, "#ff0000": 1, "255,255,0": 2, "#808080": "ignore"}`, optionally
 * wrapped as `{"colors": {...}, "names": ["background", "horse", ...]}`. Classes must be 0 … K−1 without gaps.
 */
export function parsePalette(text: string, file = 'palette'): Palette {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new DataError(file, undefined, `not valid JSON: ${(e as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new DataError(file, undefined, 'expected a JSON object mapping colours to class indices');
  const obj = json as Record<string, unknown>;
  const map = (typeof obj['colors'] === 'object' && obj['colors'] !== null ? obj['colors'] : obj) as Record<string, unknown>;
  const colors = new Map<number, number>();
  let maxClass = -1;
  const classColors: number[] = [];
  for (const [key, value] of Object.entries(map)) {
    if (key === 'names' && map === obj) continue;
    const c = parseColor(key);
    if (c === undefined) throw new DataError(file, undefined, `"${key}" is not a colour (expected "#rrggbb" or "r,g,b")`);
    let cls: number;
    if (value === 'ignore' || value === null) cls = IGNORE_LABEL;
    else if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < IGNORE_LABEL - 1) cls = value;
    else throw new DataError(file, undefined, `colour "${key}" maps to ${JSON.stringify(value)}; expected a class index 0…253 or "ignore"`);
    if (colors.has(c)) throw new DataError(file, undefined, `colour ${colorHex(c)} is listed twice`);
    colors.set(c, cls);
    if (cls !== IGNORE_LABEL) {
      maxClass = Math.max(maxClass, cls);
      if (classColors[cls] === undefined) classColors[cls] = c;
    }
  }
  if (maxClass < 1) throw new DataError(file, undefined, `a palette needs at least two classes (0 and 1), found ${maxClass + 1}`);
  for (let k = 0; k <= maxClass; k++) if (classColors[k] === undefined) throw new DataError(file, undefined, `class ${k} has no colour (classes must be 0…${maxClass} without gaps)`);
  const namesRaw = obj['names'];
  const names = Array.from({ length: maxClass + 1 }, (_, k) => (Array.isArray(namesRaw) && typeof namesRaw[k] === 'string' ? (namesRaw[k] as string) : `class ${k}`));
  return { colors, numLabels: maxClass + 1, names, classColors };
}

/** Reads and parses a palette JSON file. */
export async function readPalette(path: string): Promise<Palette> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new DataError(path, undefined, 'no such file');
    throw e;
  }
  return parsePalette(text, path);
}

/** The binary palette used for drawing binary masks (black background, white foreground). */
export function binaryPalette(): Palette {
  return { colors: new Map([[0x000000, 0], [0xffffff, 1]]), numLabels: 2, names: ['background', 'foreground'], classColors: [0x000000, 0xffffff] };
}

/** Loads a mask image as a label map. */
export async function loadLabelMap(path: string, format: MaskFormat): Promise<LabelMap> {
  if (format.kind === 'binary') {
    if (format.ignore === undefined) {
      const m = await loadMask(path, format.threshold === undefined ? {} : { threshold: format.threshold });
      return { width: m.width, height: m.height, labels: m.data };
    }
    const threshold = format.threshold ?? 128;
    const tol = format.ignoreTolerance ?? 0;
    const img = await loadImage(path);
    const n = img.width * img.height;
    const labels = new Uint8Array(n);
    for (let p = 0; p < n; p++) {
      const r = img.data[3 * p]!;
      const g = img.data[3 * p + 1]!;
      const b = img.data[3 * p + 2]!;
      const v = Math.max(r, g, b);
      labels[p] = Math.abs(v - format.ignore) <= tol ? IGNORE_LABEL : v >= threshold ? 1 : 0;
    }
    return { width: img.width, height: img.height, labels };
  }
  const img = await loadImage(path);
  const n = img.width * img.height;
  const labels = new Uint8Array(n);
  const { colors } = format.palette;
  let lastColor = -1;
  let lastClass = 0;
  for (let p = 0; p < n; p++) {
    const c = (img.data[3 * p]! << 16) | (img.data[3 * p + 1]! << 8) | img.data[3 * p + 2]!;
    if (c !== lastColor) {
      const cls = colors.get(c);
      if (cls === undefined) {
        const known = [...colors.keys()].slice(0, 8).map(colorHex).join(', ');
        throw new DataError(path, undefined, `pixel (${p % img.width}, ${Math.floor(p / img.width)}) has colour ${colorHex(c)}, which the palette does not map (palette colours: ${known}${colors.size > 8 ? ', …' : ''})`);
      }
      lastColor = c;
      lastClass = cls;
    }
    labels[p] = lastClass;
  }
  return { width: img.width, height: img.height, labels };
}

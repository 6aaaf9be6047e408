/**
 * Pixel grids: the neighbourhood system of a segmentation energy. A grid of `width × height` pixels is numbered
 * row-major (p = y·width + x). Each undirected edge is stored once, from p to the neighbour q = p + offset in one of
 * the "forward" directions: right and down (4-connected), plus down-right and down-left (8-connected). Per-edge data
 * is a flat array `[d · N + p]` (N = width·height), zero where the neighbour falls outside the image.
 */

/** 4- or 8-connected neighbourhoods. */
export type Connectivity = 4 | 8;

/** One forward edge direction: the neighbour of (x, y) is (x + dx, y + dy). */
export interface GridDirection {
  readonly dx: number;
  readonly dy: number;
  /** Euclidean length of the step (1 or √2). */
  readonly length: number;
}

const DIRS4: readonly GridDirection[] = [
  { dx: 1, dy: 0, length: 1 },
  { dx: 0, dy: 1, length: 1 },
];
const DIRS8: readonly GridDirection[] = [...DIRS4, { dx: 1, dy: 1, length: Math.SQRT2 }, { dx: -1, dy: 1, length: Math.SQRT2 }];

/** The forward edge directions of a connectivity (2 for 4-connected, 4 for 8-connected). */
export function gridDirections(connectivity: Connectivity): readonly GridDirection[] {
  if (connectivity === 4) return DIRS4;
  if (connectivity === 8) return DIRS8;
  throw new RangeError(`connectivity must be 4 or 8, got ${connectivity}`);
}

/** True when pixel (x, y) has a neighbour in direction `d` inside a width × height grid. */
export function hasNeighbour(d: GridDirection, x: number, y: number, width: number, height: number): boolean {
  const nx = x + d.dx;
  const ny = y + d.dy;
  return nx >= 0 && nx < width && ny < height;
}

/** Number of undirected edges of a width × height grid with this connectivity. */
export function gridEdgeCount(width: number, height: number, connectivity: Connectivity): number {
  let m = (width - 1) * height + width * (height - 1);
  if (connectivity === 8) m += 2 * Math.max(0, width - 1) * Math.max(0, height - 1);
  return m;
}

/** The pixels of one forward direction that have a neighbour on the grid: x ∈ [x0, x1), y ∈ [0, yEnd); q = p + off. */
export interface GridEdgeSpan {
  /** Index of the direction in `gridDirections` (edge data lives at `[d·N + p]`). */
  readonly d: number;
  readonly dx: number;
  readonly dy: number;
  readonly length: number;
  readonly off: number;
  readonly x0: number;
  readonly x1: number;
  readonly yEnd: number;
}

/**
 * The one grid-edge walk: for each forward direction, the range of pixels whose neighbour is on the grid. Hot loops
 * iterate `for (const s of gridEdgeSpans(…)) for (y < s.yEnd) for (x ∈ [s.x0, s.x1)) { p = y·W + x; q = p + s.off }`.
 */
export function gridEdgeSpans(connectivity: Connectivity, width: number, height: number): readonly GridEdgeSpan[] {
  return gridDirections(connectivity).map(({ dx, dy, length }, d) => ({
    d,
    dx,
    dy,
    length,
    off: dy * width + dx,
    x0: dx < 0 ? 1 : 0,
    x1: dx > 0 ? width - 1 : width,
    yEnd: Math.max(0, height - dy),
  }));
}

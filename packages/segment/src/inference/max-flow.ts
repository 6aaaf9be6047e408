/**
 * Exact s–t maximum flow / minimum cut by the Boykov–Kolmogorov algorithm ("An Experimental Comparison of
 * Min-Cut/Max-Flow Algorithms for Energy Minimization in Vision", PAMI 2004), written on flat typed arrays.
 *
 * Two search trees grow from the source S and the sink T through non-saturated residual arcs (growth stage); when
 * they touch, flow is pushed along the path found (augmentation); arcs saturated by the push cut nodes off their
 * tree (orphans), which look for a new parent in the same tree or become free (adoption). The trees are kept and
 * reused across augmentations instead of being rebuilt — the point of the algorithm. Timestamps and distance
 * labels (TS/DIST) keep the trees shallow and make the origin checks of adoption cheap.
 *
 * Terminal arcs are stored per node as one residual number `trCap` (positive: residual capacity from the source;
 * negative: to the sink), since flow through s → p → t can be pushed at once when both are added.
 *
 * Memory layout: the arcs leaving a node lie side by side in a block of a shared pool (sized from the expected
 * degree: `2·edges / nodes` of the constructor, or of the graph before `reset()`; a node whose block fills up moves
 * to a block twice as large at the end of the pool), so a node's arcs are one or two cache lines instead of a
 * linked list across the whole edge array, and nothing has to be sorted before a solve. Each node's search fields
 * are one 32-byte record and each arc one 16-byte record (residual capacity, head, sister), so a step of the search
 * touches one cache line per node instead of one per field.
 *
 * A fresh solve starts with one streaming pass over the nodes that pushes flow along every one-arc path
 * source → i → j → sink and lets the roots adopt their free neighbours, so that the roots start passive and the
 * search grows only from their new children (see `freshInit`).
 */

const NONE = -1; // free node (in no tree); end of a list
const TERMINAL = -2; // parent is the terminal itself
const ORPHAN = -3; // lost its parent during augmentation

// node record: 8 int32 slots
const NS = 8;
const FIRST = 0; // the node's arcs are [FIRST, END) of the pool
const END = 1;
const PARENT = 2; // arc from the node to its parent, or NONE / TERMINAL / ORPHAN
const NEXT = 3; // next node in the active queue (NONE: not queued; itself: last)
const TS = 4; // timestamp of DIST
const DIST = 5; // distance to the terminal (valid at TS)
const SINK = 6; // 1 in (or last in) the sink tree, 0 in the source tree
const LIMIT = 7; // end of the node's block (room for arcs up to here)
// arc record: 4 int32 slots; slots 0–1 hold the float64 residual capacity (float index 2·a)
const AS = 4;
const H = AS >> 1; // float64 slots per arc
const HEAD = 2; // node the arc points to
const SISTER = 3; // the reverse arc

/** A directed graph with two terminals, built incrementally, solved by `maxflow()`. */
export class MaxFlow {
  private nNodes = 0;
  private nEdges = 0;
  /** Arc slots per node block when nodes are added (the expected degree). */
  private blockSize: number;
  /** Pool slots handed out to node blocks so far. */
  private poolEnd = 0;
  // node records
  private ni: Int32Array;
  // terminal residual per node: positive from the source, negative to the sink
  private trCap: Float64Array;
  // arc pool: int32 and float64 views of one buffer
  private ai: Int32Array;
  private af: Float64Array;
  /** Per edge k: its tail i ([2k]) and the offset of the arc i → j in i's block ([2k + 1]), for `residual`. */
  private edgeArc: Int32Array;
  private orphans: Int32Array;
  private flowValue = 0;
  private activeFirst = NONE;
  private activeLast = NONE;
  private time = 0;
  private solved = false;
  /** Nodes or edges were added since the last solve (trees cannot be reused). */
  private structureChanged = false;
  // nodes whose terminal capacities changed since the last solve
  private changed: Int32Array;
  private isChanged: Uint8Array;
  private nChanged = 0;
  // orphan deque (ring buffer over `orphans`)
  private oStart = 0;
  private oSize = 0;

  /** Pre-sizes the buffers for `nodes` nodes and `edges` edges (both grow on demand). */
  constructor(nodes = 16, edges = 32) {
    const n = Math.max(1, nodes);
    const m = Math.max(1, edges);
    this.blockSize = Math.min(16, Math.max(2, Math.ceil((2 * m) / n)));
    this.ni = new Int32Array(NS * n);
    this.trCap = new Float64Array(n);
    const ab = new ArrayBuffer(4 * AS * Math.max(2 * m, this.blockSize * n));
    this.ai = new Int32Array(ab);
    this.af = new Float64Array(ab);
    this.edgeArc = new Int32Array(2 * m);
    this.orphans = new Int32Array(n);
    this.changed = new Int32Array(n);
    this.isChanged = new Uint8Array(n);
  }

  /** Number of nodes. */
  get nodeCount(): number {
    return this.nNodes;
  }

  /** Number of edges (pairs of arcs). */
  get edgeCount(): number {
    return this.nEdges;
  }

  /** Removes every node and edge, keeping the buffers for the next graph. */
  reset(): void {
    // the next graph is likely shaped like this one: size the node blocks for its mean degree
    if (this.nNodes > 0) this.blockSize = Math.min(16, Math.max(2, Math.ceil((2 * this.nEdges) / this.nNodes)));
    this.nNodes = 0;
    this.nEdges = 0;
    this.poolEnd = 0;
    this.flowValue = 0;
    this.solved = false;
    this.structureChanged = false;
    this.isChanged.fill(0, 0, this.nChanged > 0 ? this.isChanged.length : 0);
    this.nChanged = 0;
  }

  /** Adds `count` nodes with no terminal capacity; returns the index of the first. */
  addNodes(count: number): number {
    if (!Number.isInteger(count) || count < 0) throw new RangeError(`addNodes: count must be a non-negative integer, got ${count}`);
    const start = this.nNodes;
    const need = start + count;
    if (need > this.orphans.length) this.growNodes(need);
    const B = this.blockSize;
    if (this.poolEnd + count * B > this.af.length / H) this.growPool(this.poolEnd + count * B);
    const { ni, trCap } = this;
    let p = this.poolEnd;
    for (let i = start; i < need; i++, p += B) {
      const r = i * NS;
      ni[r + FIRST] = p;
      ni[r + END] = p;
      ni[r + LIMIT] = p + B;
      ni[r + PARENT] = NONE;
      ni[r + NEXT] = NONE;
      ni[r + SINK] = 0;
      trCap[i] = 0;
    }
    this.poolEnd = p;
    this.isChanged.fill(0, start, need);
    this.nNodes = need;
    if (count > 0) this.structureChanged = true;
    return start;
  }

  private growNodes(need: number): void {
    const n = Math.max(need, this.orphans.length * 2);
    const ni = new Int32Array(NS * n);
    ni.set(this.ni);
    this.ni = ni;
    const t = new Float64Array(n);
    t.set(this.trCap);
    this.trCap = t;
    this.orphans = new Int32Array(n);
    const ch = new Int32Array(n);
    ch.set(this.changed);
    this.changed = ch;
    const ic = new Uint8Array(n);
    ic.set(this.isChanged);
    this.isChanged = ic;
  }

  private growPool(need: number): void {
    const slots = Math.max(need, (this.af.length / H) * 2);
    const ab = new ArrayBuffer(4 * AS * slots);
    const ai = new Int32Array(ab);
    ai.set(this.ai.subarray(0, this.poolEnd * AS));
    this.ai = ai;
    this.af = new Float64Array(ab);
  }

  /** Moves node i's arcs to a block twice as large at the end of the pool (its sisters follow). */
  private moveBlock(i: number): void {
    const r = i * NS;
    const first = this.ni[r + FIRST]!;
    const count = this.ni[r + END]! - first;
    const size = 2 * Math.max(1, this.ni[r + LIMIT]! - first);
    if (this.poolEnd + size > this.af.length / H) this.growPool(this.poolEnd + size);
    const { ni, ai, af } = this;
    const to = this.poolEnd;
    for (let k = 0; k < count; k++) {
      const a = first + k;
      const b = to + k;
      af[b * H] = af[a * H]!;
      ai[b * AS + HEAD] = ai[a * AS + HEAD]!;
      const s = ai[a * AS + SISTER]!;
      ai[b * AS + SISTER] = s;
      ai[s * AS + SISTER] = b;
    }
    ni[r + FIRST] = to;
    ni[r + END] = to + count;
    ni[r + LIMIT] = to + size;
    this.poolEnd = to + size;
  }

  /**
   * Adds terminal capacities to node i: source → i with `fromSource`, i → sink with `toSink` (calls accumulate).
   * The common part min(fromSource, toSink) is flow already, counted in the flow value. Negative amounts are
   * allowed as a reparametrisation (the same constant added to both terminal arcs changes every cut, and the flow
   * value, by that constant): after `maxflow()` this is how terminal capacities are changed before a re-solve with
   * `maxflow({ reuseTrees: true })`.
   */
  addTWeights(i: number, fromSource: number, toSink: number): void {
    if (this.solved && this.isChanged[i] === 0) {
      this.isChanged[i] = 1;
      this.changed[this.nChanged++] = i;
    }
    const delta = this.trCap[i]!;
    if (delta > 0) fromSource += delta;
    else toSink -= delta;
    this.flowValue += fromSource < toSink ? fromSource : toSink;
    this.trCap[i] = fromSource - toSink;
  }

  /** Adds the edge i → j with capacity `cap` and j → i with `revCap` (both ≥ 0). */
  addEdge(i: number, j: number, cap: number, revCap: number): void {
    let ni = this.ni;
    const ri = i * NS;
    const rj = j * NS;
    const k = 2 * this.nEdges;
    if (i === j || ni[ri + END] === ni[ri + LIMIT] || ni[rj + END] === ni[rj + LIMIT] || k + 2 > this.edgeArc.length) {
      this.makeRoom(i, j, k + 2);
      ni = this.ni;
    }
    const { ai, af, edgeArc } = this;
    const p = ni[ri + END]!;
    const q = ni[rj + END]!;
    ni[ri + END] = p + 1;
    ni[rj + END] = q + 1;
    ai[p * AS + HEAD] = j;
    ai[p * AS + SISTER] = q;
    af[p * H] = cap;
    ai[q * AS + HEAD] = i;
    ai[q * AS + SISTER] = p;
    af[q * H] = revCap;
    edgeArc[k] = i;
    edgeArc[k + 1] = p - ni[ri + FIRST]!;
    this.nEdges++;
    this.structureChanged = true;
  }

  /** The slow path of `addEdge`: a self-loop is an error; full blocks move; the edge list grows. */
  private makeRoom(i: number, j: number, edgeSlots: number): void {
    if (i === j) throw new RangeError(`addEdge: self-loop at node ${i}`);
    if (this.ni[i * NS + END] === this.ni[i * NS + LIMIT]) this.moveBlock(i);
    if (this.ni[j * NS + END] === this.ni[j * NS + LIMIT]) this.moveBlock(j);
    if (edgeSlots > this.edgeArc.length) {
      const e = new Int32Array(Math.max(edgeSlots, 2 * this.edgeArc.length));
      e.set(this.edgeArc);
      this.edgeArc = e;
    }
  }

  /** The maximum flow value after `maxflow()` (terminal flow included). */
  get flow(): number {
    return this.flowValue;
  }

  /**
   * After `maxflow()`: true when node i is on the source side of a minimum cut (reachable from the source in the
   * residual graph), false when on the sink side.
   */
  inSourceSegment(i: number): boolean {
    if (!this.solved) throw new Error('inSourceSegment: call maxflow() first');
    return this.ni[i * NS + PARENT] !== NONE && this.ni[i * NS + SINK] === 0;
  }

  /** Residual capacity of the arc created by the k-th `addEdge` (direction i → j), for tests. */
  residual(edge: number, reverse = false): number {
    const a = this.ni[this.edgeArc[2 * edge]! * NS + FIRST]! + this.edgeArc[2 * edge + 1]!;
    return this.af[(reverse ? this.ai[a * AS + SISTER]! : a) * H]!;
  }

  private setActive(i: number): void {
    const ni = this.ni;
    if (ni[i * NS + NEXT] !== NONE) return;
    if (this.activeLast === NONE) this.activeFirst = i;
    else ni[this.activeLast * NS + NEXT] = i;
    this.activeLast = i;
    ni[i * NS + NEXT] = i;
  }

  private popActive(): number {
    const ni = this.ni;
    while (this.activeFirst !== NONE) {
      const i = this.activeFirst;
      const nx = ni[i * NS + NEXT]!;
      this.activeFirst = nx === i ? NONE : nx;
      if (this.activeFirst === NONE) this.activeLast = NONE;
      ni[i * NS + NEXT] = NONE;
      if (ni[i * NS + PARENT] !== NONE) return i;
    }
    return NONE;
  }

  /**
   * Computes a maximum flow; returns its value. The residual graph and the search trees are kept. With
   * `reuseTrees` (after a previous solve, when only terminal capacities changed through `addTWeights`), the
   * search trees of that solve are repaired around the changed nodes and reused instead of being grown from
   * scratch (Kohli & Torr's dynamic graph cuts) — much faster when few capacities change.
   */
  maxflow(options: { reuseTrees?: boolean } = {}): number {
    if (options.reuseTrees && this.solved && !this.structureChanged) this.reuseInit();
    else this.freshInit();
    this.run();
    this.solved = true;
    this.structureChanged = false;
    return this.flowValue;
  }

  /**
   * Fresh start: every node with terminal capacity roots a tree. Before the search, one pass over the nodes in
   * memory order grows the source side by one step and pushes flow along every path source → i → j → sink of one
   * arc on the way (on segmentation graphs most augmenting paths are that short, and a streaming pass saturates
   * them far more cheaply than growing trees to find each one). A source root that keeps capacity then has no
   * residual arc out of the source tree — its sink neighbours were saturated, its free neighbours became its
   * children — so it starts passive; the free nodes that reach a sink root then join the sink tree, so the sink
   * roots start passive too, and the search starts from the new children only.
   */
  private freshInit(): void {
    this.oStart = 0;
    this.oSize = 0;
    this.time = 0;
    for (let k = 0; k < this.nChanged; k++) this.isChanged[this.changed[k]!] = 0;
    this.nChanged = 0;
    // each pass is a method of its own: a one-shot loop is compiled on the fly, and code after it in the same
    // method would run unoptimised
    this.initRoots();
    this.flowValue += this.pushShortPaths();
    this.queueActive();
  }

  /** Roots and free nodes; NEXT marks the nodes to activate (1) or not (NONE). */
  private initRoots(): void {
    const n = this.nNodes;
    const { ni, trCap } = this;
    for (let i = 0; i < n; i++) {
      const r = i * NS;
      const c = trCap[i]!;
      ni[r + TS] = 0;
      ni[r + DIST] = 1;
      ni[r + NEXT] = NONE;
      ni[r + SINK] = c < 0 ? 1 : 0;
      ni[r + PARENT] = c !== 0 ? TERMINAL : NONE;
    }
  }

  /**
   * Source roots push along one-arc paths to sink roots and adopt their free neighbours (sink roots used up on the
   * way included); a root that gives all its capacity away lets go of the children it took. Returns the flow.
   */
  private pushShortPaths(): number {
    const n = this.nNodes;
    const { ni, trCap, ai, af } = this;
    let pushed = 0;
    for (let i = 0; i < n; i++) {
      let ci = trCap[i]!;
      if (!(ci > 0)) continue;
      const r = i * NS;
      const begin = ni[r + FIRST]!;
      const end = ni[r + END]!;
      let a = begin;
      for (; a < end; a++) {
        let ca = af[a * H]!;
        if (!(ca > 0)) continue;
        const j = ai[a * AS + HEAD]!;
        const rj = j * NS;
        const cj = trCap[j]!;
        if (cj < 0) {
          let f = ca < ci ? ca : ci;
          if (-cj < f) f = -cj;
          ca -= f;
          af[a * H] = ca;
          af[ai[a * AS + SISTER]! * H] += f;
          trCap[j] = cj + f;
          pushed += f;
          ci -= f;
          if (cj + f === 0) ni[rj + PARENT] = NONE; // the sink root is used up: free
          if (ci === 0) break;
          if (!(ca > 0)) continue;
        }
        // only a node without terminal capacity can be free (roots have it): the compact trCap array answers
        // for most neighbours without reading their records
        if (trCap[j] === 0 && ni[rj + PARENT] === NONE) {
          ni[rj + PARENT] = ai[a * AS + SISTER]!;
          ni[rj + SINK] = 0;
          ni[rj + DIST] = 2;
          ni[rj + NEXT] = 1;
        }
      }
      trCap[i] = ci;
      if (ci === 0) {
        // i gave all its source capacity away: it lets go of its children, and is free unless a source root
        // scanned before it (final, so a valid parent) reaches it; roots scanned after it see it free or adopted
        ni[r + PARENT] = NONE;
        for (let b = begin; b < a; b++) {
          const rj = ai[b * AS + HEAD]! * NS;
          if (ni[rj + PARENT] === ai[b * AS + SISTER]) {
            ni[rj + PARENT] = NONE;
            ni[rj + NEXT] = NONE;
          }
        }
        for (let b = begin; b < end; b++) {
          const j = ai[b * AS + HEAD]!;
          if (j < i && ni[j * NS + PARENT] === TERMINAL && ni[j * NS + SINK] === 0 && af[ai[b * AS + SISTER]! * H]! > 0) {
            ni[r + PARENT] = b;
            ni[r + DIST] = 2;
            ni[r + NEXT] = 1;
            break;
          }
        }
      }
    }
    return pushed;
  }

  /**
   * The active queue in node order: the source roots' new children, and the free nodes with a residual arc into a
   * sink root, which join the sink tree as its children here. Sink roots then start passive: no source root has a
   * residual arc into one any more (`pushShortPaths` saturated it), a free node that has one is adopted here, and
   * the new children of both trees are active, so they find the roots of the other tree they reach.
   */
  private queueActive(): void {
    const n = this.nNodes;
    const { ni, ai, af } = this;
    let last = NONE;
    let firstActive = NONE;
    for (let i = 0; i < n; i++) {
      const r = i * NS;
      if (ni[r + PARENT] === NONE) {
        ni[r + NEXT] = NONE;
        const end = ni[r + END]!;
        for (let a = ni[r + FIRST]!; a < end; a++) {
          if (!(af[a * H]! > 0)) continue;
          const rj = ai[a * AS + HEAD]! * NS;
          if (ni[rj + PARENT] === TERMINAL && ni[rj + SINK] === 1) {
            ni[r + PARENT] = a;
            ni[r + SINK] = 1;
            ni[r + DIST] = 2;
            ni[r + NEXT] = 1;
            break;
          }
        }
      }
      if (ni[r + NEXT] === NONE) continue;
      if (last === NONE) firstActive = i;
      else ni[last * NS + NEXT] = i;
      last = i;
      ni[r + NEXT] = i;
    }
    this.activeFirst = firstActive;
    this.activeLast = last;
  }

  /** Repairs the trees of the last solve around nodes whose terminal capacity changed. */
  private reuseInit(): void {
    const { ni, trCap, ai } = this;
    this.activeFirst = NONE;
    this.activeLast = NONE;
    this.oStart = 0;
    this.oSize = 0;
    this.time++;
    const time = this.time;
    for (let k = 0; k < this.nChanged; k++) {
      const i = this.changed[k]!;
      const r = i * NS;
      this.isChanged[i] = 0;
      const c = trCap[i]!;
      const pi = ni[r + PARENT]!;
      if (c === 0) {
        if (pi === TERMINAL) {
          ni[r + PARENT] = ORPHAN;
          this.pushOrphanRear(i);
        }
        continue;
      }
      const side = c > 0 ? 0 : 1;
      if (pi !== NONE && ni[r + SINK] !== side) {
        // switching trees: its children in the old tree lose their parent, and its old tree's passive neighbours
        // (children included) may now have residual arcs into the other tree, so every tree neighbour becomes active
        const end = ni[r + END]!;
        for (let a = ni[r + FIRST]!; a < end; a++) {
          const j = ai[a * AS + HEAD]!;
          const pj = ni[j * NS + PARENT]!;
          if (pj === NONE) continue;
          if (pj >= 0 && ni[j * NS + SINK] !== side && ai[pj * AS + HEAD] === i) {
            // its reverse arc to i (now in the other tree) may carry residual: active once re-adopted
            ni[j * NS + PARENT] = ORPHAN;
            this.pushOrphanRear(j);
          }
          this.setActive(j);
        }
      }
      ni[r + SINK] = side;
      ni[r + PARENT] = TERMINAL;
      ni[r + TS] = time;
      ni[r + DIST] = 1;
      this.setActive(i);
    }
    this.nChanged = 0;
    if (this.oSize > 0) this.adopt();
  }

  private run(): void {
    let current = NONE;
    for (;;) {
      // the arrays are read again each round: nothing reallocates them during a solve, but keeping them local to
      // the loop body lets the compiler hold them in registers
      const { ni, ai, af } = this;
      let i = NONE;
      if (current !== NONE) {
        ni[current * NS + NEXT] = NONE;
        if (ni[current * NS + PARENT] !== NONE) i = current;
        current = NONE;
      }
      if (i === NONE) {
        i = this.popActive();
        if (i === NONE) break;
      }
      // growth
      let middle = NONE;
      const r = i * NS;
      const ti = ni[r + TS]!;
      const di = ni[r + DIST]!;
      const end = ni[r + END]!;
      if (ni[r + SINK] === 0) {
        for (let a = ni[r + FIRST]!; a < end; a++) {
          if (af[a * H]! > 0) {
            const j = ai[a * AS + HEAD]!;
            const rj = j * NS;
            const pj = ni[rj + PARENT]!;
            if (pj === NONE) {
              ni[rj + SINK] = 0;
              ni[rj + PARENT] = ai[a * AS + SISTER]!;
              ni[rj + TS] = ti;
              ni[rj + DIST] = di + 1;
              if (ni[rj + NEXT] === NONE) {
                if (this.activeLast === NONE) this.activeFirst = j;
                else ni[this.activeLast * NS + NEXT] = j;
                this.activeLast = j;
                ni[rj + NEXT] = j;
              }
            } else if (ni[rj + SINK] !== 0) {
              middle = a;
              break;
            } else if (ni[rj + TS]! <= ti && ni[rj + DIST]! > di) {
              ni[rj + PARENT] = ai[a * AS + SISTER]!;
              ni[rj + TS] = ti;
              ni[rj + DIST] = di + 1;
            }
          }
        }
      } else {
        for (let a = ni[r + FIRST]!; a < end; a++) {
          const s = ai[a * AS + SISTER]!;
          if (af[s * H]! > 0) {
            const j = ai[a * AS + HEAD]!;
            const rj = j * NS;
            const pj = ni[rj + PARENT]!;
            if (pj === NONE) {
              ni[rj + SINK] = 1;
              ni[rj + PARENT] = s;
              ni[rj + TS] = ti;
              ni[rj + DIST] = di + 1;
              if (ni[rj + NEXT] === NONE) {
                if (this.activeLast === NONE) this.activeFirst = j;
                else ni[this.activeLast * NS + NEXT] = j;
                this.activeLast = j;
                ni[rj + NEXT] = j;
              }
            } else if (ni[rj + SINK] === 0) {
              middle = s;
              break;
            } else if (ni[rj + TS]! <= ti && ni[rj + DIST]! > di) {
              ni[rj + PARENT] = s;
              ni[rj + TS] = ti;
              ni[rj + DIST] = di + 1;
            }
          }
        }
      }
      this.time++;
      if (middle !== NONE) {
        ni[r + NEXT] = i; // keep growing from i next time; not in the queue
        current = i;
        this.augment(middle);
      }
    }
  }

  private pushOrphanFront(i: number): void {
    const n = this.orphans.length;
    this.oStart = this.oStart === 0 ? n - 1 : this.oStart - 1;
    this.orphans[this.oStart] = i;
    this.oSize++;
  }

  private pushOrphanRear(i: number): void {
    const n = this.orphans.length;
    let e = this.oStart + this.oSize;
    if (e >= n) e -= n;
    this.orphans[e] = i;
    this.oSize++;
  }

  /** Pushes the bottleneck flow along source → … → tail(middle) → head(middle) → … → sink; collects orphans. */
  private augment(middle: number): void {
    const { ni, trCap, ai, af } = this;
    const sisterMid = ai[middle * AS + SISTER]!;
    const top = ai[sisterMid * AS + HEAD]!; // tail of the middle arc (source side)
    const bottom = ai[middle * AS + HEAD]!; // its head (sink side)
    let bottleneck = af[middle * H]!;
    // source side: parent arcs point towards the source, flow runs along their sisters
    let i = top;
    for (;;) {
      const a = ni[i * NS + PARENT]!;
      if (a === TERMINAL) {
        if (trCap[i]! < bottleneck) bottleneck = trCap[i]!;
        break;
      }
      const c = af[ai[a * AS + SISTER]! * H]!;
      if (c < bottleneck) bottleneck = c;
      i = ai[a * AS + HEAD]!;
    }
    // sink side: flow runs along the parent arcs
    i = bottom;
    for (;;) {
      const a = ni[i * NS + PARENT]!;
      if (a === TERMINAL) {
        if (-trCap[i]! < bottleneck) bottleneck = -trCap[i]!;
        break;
      }
      const c = af[a * H]!;
      if (c < bottleneck) bottleneck = c;
      i = ai[a * AS + HEAD]!;
    }
    // push
    af[sisterMid * H] += bottleneck;
    af[middle * H] -= bottleneck;
    i = top;
    for (;;) {
      const a = ni[i * NS + PARENT]!;
      if (a === TERMINAL) {
        trCap[i] -= bottleneck;
        if (trCap[i] === 0) {
          ni[i * NS + PARENT] = ORPHAN;
          this.pushOrphanFront(i);
        }
        break;
      }
      const s = ai[a * AS + SISTER]!;
      af[a * H] += bottleneck;
      af[s * H] -= bottleneck;
      const up = ai[a * AS + HEAD]!;
      if (af[s * H] === 0) {
        ni[i * NS + PARENT] = ORPHAN;
        this.pushOrphanFront(i);
      }
      i = up;
    }
    i = bottom;
    for (;;) {
      const a = ni[i * NS + PARENT]!;
      if (a === TERMINAL) {
        trCap[i] += bottleneck;
        if (trCap[i] === 0) {
          ni[i * NS + PARENT] = ORPHAN;
          this.pushOrphanFront(i);
        }
        break;
      }
      const s = ai[a * AS + SISTER]!;
      af[s * H] += bottleneck;
      af[a * H] -= bottleneck;
      const down = ai[a * AS + HEAD]!;
      if (af[a * H] === 0) {
        ni[i * NS + PARENT] = ORPHAN;
        this.pushOrphanFront(i);
      }
      i = down;
    }
    this.flowValue += bottleneck;
    if (this.oSize > 0) this.adopt();
  }

  /** Adoption: each orphan finds a parent in its own tree with a valid origin, or becomes free. */
  private adopt(): void {
    const { ni, ai, af, orphans } = this;
    const n = orphans.length;
    const time = this.time;
    // orphans[] is a deque on a ring buffer (each node is an orphan at most once at a time): orphans made by an
    // augmentation are taken nearest-the-root first; children of freed nodes queue at the rear.
    while (this.oSize > 0) {
      const i = orphans[this.oStart]!;
      this.oStart = this.oStart + 1 === n ? 0 : this.oStart + 1;
      this.oSize--;
      const r = i * NS;
      if (ni[r + PARENT] !== ORPHAN) continue; // re-attached meanwhile (a changed node in reuseInit)
      const sink = ni[r + SINK]!;
      const begin = ni[r + FIRST]!;
      const end = ni[r + END]!;
      let best = NONE;
      let dMin = 0x7fffffff;
      for (let a0 = begin; a0 < end; a0++) {
        // a candidate parent j must reach i through a residual arc: j → i for the source tree, i → j for the sink
        if ((sink ? af[a0 * H]! : af[ai[a0 * AS + SISTER]! * H]!) > 0) {
          const j = ai[a0 * AS + HEAD]!;
          const rj = j * NS;
          if (ni[rj + SINK] !== sink || ni[rj + PARENT] === NONE) continue;
          // trace j to its root
          let d = 0;
          let k = j;
          for (;;) {
            const rk = k * NS;
            if (ni[rk + TS] === time) {
              d += ni[rk + DIST]!;
              break;
            }
            const a = ni[rk + PARENT]!;
            d++;
            if (a === TERMINAL) {
              ni[rk + TS] = time;
              ni[rk + DIST] = 1;
              break;
            }
            if (a === ORPHAN) {
              d = 0x7fffffff;
              break;
            }
            k = ai[a * AS + HEAD]!;
          }
          if (d < 0x7fffffff) {
            if (d < dMin) {
              best = a0;
              dMin = d;
            }
            for (k = j; ni[k * NS + TS] !== time; k = ai[ni[k * NS + PARENT]! * AS + HEAD]!) {
              ni[k * NS + TS] = time;
              ni[k * NS + DIST] = d--;
            }
          }
        }
      }
      if (best !== NONE) {
        ni[r + PARENT] = best;
        ni[r + TS] = time;
        ni[r + DIST] = dMin + 1;
        continue;
      }
      // no parent: i becomes free; its children become orphans, neighbours that can reach it become active
      ni[r + PARENT] = NONE;
      for (let a0 = begin; a0 < end; a0++) {
        const j = ai[a0 * AS + HEAD]!;
        const rj = j * NS;
        const pj = ni[rj + PARENT]!;
        if (ni[rj + SINK] !== sink || pj === NONE) continue;
        if ((sink ? af[a0 * H]! : af[ai[a0 * AS + SISTER]! * H]!) > 0) this.setActive(j);
        if (pj >= 0 && ai[pj * AS + HEAD] === i) {
          ni[rj + PARENT] = ORPHAN;
          this.pushOrphanRear(j);
        }
      }
    }
  }
}

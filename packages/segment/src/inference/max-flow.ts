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
 */

const NONE = -1; // free node (in no tree)
const TERMINAL = -2; // parent is the terminal itself
const ORPHAN = -3; // lost its parent during augmentation

/** A directed graph with two terminals, built incrementally, solved by `maxflow()`. */
export class MaxFlow {
  private nNodes = 0;
  private nArcs = 0;
  // node arrays
  private first: Int32Array;
  private trCap: Float64Array;
  private parent: Int32Array;
  private nextActive: Int32Array;
  private ts: Int32Array;
  private dist: Int32Array;
  private isSink: Uint8Array;
  private orphans: Int32Array;
  // arc arrays: arc a and its sister a ^ 1
  private head: Int32Array;
  private nextArc: Int32Array;
  private cap: Float64Array;
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
    const m = Math.max(2, 2 * edges);
    this.first = new Int32Array(n);
    this.trCap = new Float64Array(n);
    this.parent = new Int32Array(n);
    this.nextActive = new Int32Array(n);
    this.ts = new Int32Array(n);
    this.dist = new Int32Array(n);
    this.isSink = new Uint8Array(n);
    this.orphans = new Int32Array(n);
    this.changed = new Int32Array(n);
    this.isChanged = new Uint8Array(n);
    this.head = new Int32Array(m);
    this.nextArc = new Int32Array(m);
    this.cap = new Float64Array(m);
  }

  /** Number of nodes. */
  get nodeCount(): number {
    return this.nNodes;
  }

  /** Number of edges (pairs of arcs). */
  get edgeCount(): number {
    return this.nArcs >> 1;
  }

  /** Removes every node and edge, keeping the buffers for the next graph. */
  reset(): void {
    this.nNodes = 0;
    this.nArcs = 0;
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
    if (need > this.first.length) this.growNodes(need);
    this.first.fill(NONE, start, need);
    this.trCap.fill(0, start, need);
    this.isChanged.fill(0, start, need);
    this.nNodes = need;
    if (count > 0) this.structureChanged = true;
    return start;
  }

  private growNodes(need: number): void {
    const n = Math.max(need, this.first.length * 2);
    const g32 = (a: Int32Array) => {
      const b = new Int32Array(n);
      b.set(a);
      return b;
    };
    this.first = g32(this.first);
    this.parent = g32(this.parent);
    this.nextActive = g32(this.nextActive);
    this.ts = g32(this.ts);
    this.dist = g32(this.dist);
    this.orphans = g32(this.orphans);
    this.changed = g32(this.changed);
    const ic = new Uint8Array(n);
    ic.set(this.isChanged);
    this.isChanged = ic;
    const t = new Float64Array(n);
    t.set(this.trCap);
    this.trCap = t;
    const s = new Uint8Array(n);
    s.set(this.isSink);
    this.isSink = s;
  }

  private growArcs(need: number): void {
    const m = Math.max(need, this.head.length * 2);
    const h = new Int32Array(m);
    h.set(this.head);
    this.head = h;
    const nx = new Int32Array(m);
    nx.set(this.nextArc);
    this.nextArc = nx;
    const c = new Float64Array(m);
    c.set(this.cap);
    this.cap = c;
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
    if (i === j) throw new RangeError(`addEdge: self-loop at node ${i}`);
    const a = this.nArcs;
    if (a + 2 > this.head.length) this.growArcs(a + 2);
    const head = this.head;
    const nextArc = this.nextArc;
    const first = this.first;
    head[a] = j;
    nextArc[a] = first[i]!;
    first[i] = a;
    this.cap[a] = cap;
    head[a + 1] = i;
    nextArc[a + 1] = first[j]!;
    first[j] = a + 1;
    this.cap[a + 1] = revCap;
    this.nArcs = a + 2;
    this.structureChanged = true;
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
    return this.parent[i] !== NONE && this.isSink[i] === 0;
  }

  /** Residual capacity of the arc created by the k-th `addEdge` (direction i → j), for tests. */
  residual(edge: number, reverse = false): number {
    return this.cap[2 * edge + (reverse ? 1 : 0)]!;
  }

  private setActive(i: number): void {
    const nextActive = this.nextActive;
    if (nextActive[i] !== NONE) return;
    if (this.activeLast === NONE) this.activeFirst = i;
    else nextActive[this.activeLast] = i;
    this.activeLast = i;
    nextActive[i] = i;
  }

  private popActive(): number {
    const nextActive = this.nextActive;
    const parent = this.parent;
    while (this.activeFirst !== NONE) {
      const i = this.activeFirst;
      const nx = nextActive[i]!;
      this.activeFirst = nx === i ? NONE : nx;
      if (this.activeFirst === NONE) this.activeLast = NONE;
      nextActive[i] = NONE;
      if (parent[i] !== NONE) return i;
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

  private freshInit(): void {
    const n = this.nNodes;
    const { trCap, parent, nextActive, ts, dist, isSink } = this;
    this.activeFirst = NONE;
    this.activeLast = NONE;
    this.oStart = 0;
    this.oSize = 0;
    this.time = 0;
    for (let k = 0; k < this.nChanged; k++) this.isChanged[this.changed[k]!] = 0;
    this.nChanged = 0;
    for (let i = 0; i < n; i++) {
      nextActive[i] = NONE;
      ts[i] = 0;
      const c = trCap[i]!;
      if (c > 0) {
        isSink[i] = 0;
        parent[i] = TERMINAL;
        dist[i] = 1;
        this.setActive(i);
      } else if (c < 0) {
        isSink[i] = 1;
        parent[i] = TERMINAL;
        dist[i] = 1;
        this.setActive(i);
      } else {
        parent[i] = NONE;
      }
    }
  }

  /** Repairs the trees of the last solve around nodes whose terminal capacity changed. */
  private reuseInit(): void {
    const { trCap, parent, ts, dist, isSink, first, nextArc, head } = this;
    this.activeFirst = NONE;
    this.activeLast = NONE;
    this.oStart = 0;
    this.oSize = 0;
    this.time++;
    const time = this.time;
    for (let k = 0; k < this.nChanged; k++) {
      const i = this.changed[k]!;
      this.isChanged[i] = 0;
      const c = trCap[i]!;
      const pi = parent[i]!;
      if (c === 0) {
        if (pi === TERMINAL) {
          parent[i] = ORPHAN;
          this.pushOrphanRear(i);
        }
        continue;
      }
      const side = c > 0 ? 0 : 1;
      if (pi !== NONE && isSink[i] !== side) {
        // switching trees: its children in the old tree lose their parent, and its old tree's passive neighbours
        // (children included) may now have residual arcs into the other tree, so every tree neighbour becomes active
        for (let a = first[i]!; a !== NONE; a = nextArc[a]!) {
          const j = head[a]!;
          const pj = parent[j]!;
          if (pj === NONE) continue;
          if (pj >= 0 && isSink[j] !== side && head[pj] === i) {
            // its reverse arc to i (now in the other tree) may carry residual: active once re-adopted
            parent[j] = ORPHAN;
            this.pushOrphanRear(j);
          }
          this.setActive(j);
        }
      }
      isSink[i] = side;
      parent[i] = TERMINAL;
      ts[i] = time;
      dist[i] = 1;
      this.setActive(i);
    }
    this.nChanged = 0;
    if (this.oSize > 0) this.adopt();
  }

  private run(): void {
    const { first, parent, nextActive, ts, dist, isSink, head, nextArc, cap } = this;
    let current = NONE;
    for (;;) {
      let i = NONE;
      if (current !== NONE) {
        nextActive[current] = NONE;
        if (parent[current] !== NONE) i = current;
        current = NONE;
      }
      if (i === NONE) {
        i = this.popActive();
        if (i === NONE) break;
      }
      // growth
      let middle = NONE;
      const ti = ts[i]!;
      const di = dist[i]!;
      if (isSink[i] === 0) {
        for (let a = first[i]!; a !== NONE; a = nextArc[a]!) {
          if (cap[a]! > 0) {
            const j = head[a]!;
            const pj = parent[j]!;
            if (pj === NONE) {
              isSink[j] = 0;
              parent[j] = a ^ 1;
              ts[j] = ti;
              dist[j] = di + 1;
              this.setActive(j);
            } else if (isSink[j] !== 0) {
              middle = a;
              break;
            } else if (ts[j]! <= ti && dist[j]! > di) {
              parent[j] = a ^ 1;
              ts[j] = ti;
              dist[j] = di + 1;
            }
          }
        }
      } else {
        for (let a = first[i]!; a !== NONE; a = nextArc[a]!) {
          if (cap[a ^ 1]! > 0) {
            const j = head[a]!;
            const pj = parent[j]!;
            if (pj === NONE) {
              isSink[j] = 1;
              parent[j] = a ^ 1;
              ts[j] = ti;
              dist[j] = di + 1;
              this.setActive(j);
            } else if (isSink[j] === 0) {
              middle = a ^ 1;
              break;
            } else if (ts[j]! <= ti && dist[j]! > di) {
              parent[j] = a ^ 1;
              ts[j] = ti;
              dist[j] = di + 1;
            }
          }
        }
      }
      this.time++;
      if (middle !== NONE) {
        nextActive[i] = i; // keep growing from i next time; not in the queue
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
    const { trCap, parent, head, cap } = this;
    let bottleneck = cap[middle]!;
    // source side
    let i = head[middle ^ 1]!;
    for (;;) {
      const a = parent[i]!;
      if (a === TERMINAL) {
        if (trCap[i]! < bottleneck) bottleneck = trCap[i]!;
        break;
      }
      if (cap[a ^ 1]! < bottleneck) bottleneck = cap[a ^ 1]!;
      i = head[a]!;
    }
    // sink side
    i = head[middle]!;
    for (;;) {
      const a = parent[i]!;
      if (a === TERMINAL) {
        if (-trCap[i]! < bottleneck) bottleneck = -trCap[i]!;
        break;
      }
      if (cap[a]! < bottleneck) bottleneck = cap[a]!;
      i = head[a]!;
    }
    // push
    cap[middle ^ 1] += bottleneck;
    cap[middle] -= bottleneck;
    i = head[middle ^ 1]!;
    for (;;) {
      const a = parent[i]!;
      if (a === TERMINAL) {
        trCap[i] -= bottleneck;
        if (trCap[i] === 0) {
          parent[i] = ORPHAN;
          this.pushOrphanFront(i);
        }
        break;
      }
      cap[a] += bottleneck;
      cap[a ^ 1] -= bottleneck;
      const up = head[a]!;
      if (cap[a ^ 1] === 0) {
        parent[i] = ORPHAN;
        this.pushOrphanFront(i);
      }
      i = up;
    }
    i = head[middle]!;
    for (;;) {
      const a = parent[i]!;
      if (a === TERMINAL) {
        trCap[i] += bottleneck;
        if (trCap[i] === 0) {
          parent[i] = ORPHAN;
          this.pushOrphanFront(i);
        }
        break;
      }
      cap[a ^ 1] += bottleneck;
      cap[a] -= bottleneck;
      const down = head[a]!;
      if (cap[a] === 0) {
        parent[i] = ORPHAN;
        this.pushOrphanFront(i);
      }
      i = down;
    }
    this.flowValue += bottleneck;
    if (this.oSize > 0) this.adopt();
  }

  /** Adoption: each orphan finds a parent in its own tree with a valid origin, or becomes free. */
  private adopt(): void {
    const { first, parent, ts, dist, isSink, head, nextArc, cap, orphans } = this;
    const n = orphans.length;
    const time = this.time;
    // orphans[] is a deque on a ring buffer (each node is an orphan at most once at a time): orphans made by an
    // augmentation are taken nearest-the-root first; children of freed nodes queue at the rear.
    while (this.oSize > 0) {
      const i = orphans[this.oStart]!;
      this.oStart = this.oStart + 1 === n ? 0 : this.oStart + 1;
      this.oSize--;
      if (parent[i] !== ORPHAN) continue; // re-attached meanwhile (a changed node in reuseInit)
      const sink = isSink[i]!;
      let best = NONE;
      let dMin = 0x7fffffff;
      for (let a0 = first[i]!; a0 !== NONE; a0 = nextArc[a0]!) {
        if ((sink ? cap[a0]! : cap[a0 ^ 1]!) > 0) {
          const j = head[a0]!;
          if (isSink[j] !== sink || parent[j] === NONE) continue;
          // trace j to its root
          let d = 0;
          let k = j;
          for (;;) {
            if (ts[k] === time) {
              d += dist[k]!;
              break;
            }
            const a = parent[k]!;
            d++;
            if (a === TERMINAL) {
              ts[k] = time;
              dist[k] = 1;
              break;
            }
            if (a === ORPHAN) {
              d = 0x7fffffff;
              break;
            }
            k = head[a]!;
          }
          if (d < 0x7fffffff) {
            if (d < dMin) {
              best = a0;
              dMin = d;
            }
            for (k = j; ts[k] !== time; k = head[parent[k]!]!) {
              ts[k] = time;
              dist[k] = d--;
            }
          }
        }
      }
      if (best !== NONE) {
        parent[i] = best;
        ts[i] = time;
        dist[i] = dMin + 1;
        continue;
      }
      // no parent: i becomes free; its children become orphans, neighbours that can reach it become active
      parent[i] = NONE;
      for (let a0 = first[i]!; a0 !== NONE; a0 = nextArc[a0]!) {
        const j = head[a0]!;
        const pj = parent[j]!;
        if (isSink[j] !== sink || pj === NONE) continue;
        if ((sink ? cap[a0]! : cap[a0 ^ 1]!) > 0) this.setActive(j);
        if (pj >= 0 && head[pj] === i) {
          parent[j] = ORPHAN;
          this.pushOrphanRear(j);
        }
      }
    }
  }
}

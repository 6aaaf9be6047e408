import test from 'ava';
import { createRng, type Rng } from '@ebmkit/core';
import { MaxFlow } from '@ebmkit/segment';

interface RandomGraph {
  n: number;
  t: [number, number][];
  edges: [number, number, number, number][];
}

function randomGraph(rng: Rng, n: number, m: number, integer: boolean): RandomGraph {
  const v = () => (integer ? rng.int(10) : rng.uniform() * 5);
  const t: [number, number][] = [];
  for (let i = 0; i < n; i++) t.push(rng.uniform() < 0.7 ? [v(), v()] : [0, 0]);
  const edges: [number, number, number, number][] = [];
  for (let k = 0; k < m; k++) {
    const i = rng.int(n);
    let j = rng.int(n);
    if (j === i) j = (i + 1) % n;
    edges.push([i, j, v(), rng.uniform() < 0.5 ? 0 : v()]);
  }
  return { n, t, edges };
}

function build(g: RandomGraph, graph = new MaxFlow(2, 2)): MaxFlow {
  graph.reset();
  graph.addNodes(g.n);
  g.t.forEach(([s, t], i) => graph.addTWeights(i, s, t));
  for (const [i, j, c, r] of g.edges) graph.addEdge(i, j, c, r);
  return graph;
}

/** Cut capacity of a source set (bit i of `mask` set = node i on the source side). */
function cutValue(g: RandomGraph, inS: (i: number) => boolean): number {
  let c = 0;
  g.t.forEach(([s, t], i) => (c += inS(i) ? t : s));
  for (const [i, j, cap, rev] of g.edges) {
    if (inS(i) && !inS(j)) c += cap;
    if (inS(j) && !inS(i)) c += rev;
  }
  return c;
}

test('max-flow value equals the capacity of the cut it reports, and the brute-force minimum cut', (t) => {
  const rng = createRng(11);
  for (let trial = 0; trial < 200; trial++) {
    const n = 2 + rng.int(10);
    const g = randomGraph(rng, n, rng.int(3 * n), trial % 2 === 0);
    const graph = build(g);
    const flow = graph.maxflow();
    const cut = cutValue(g, (i) => graph.inSourceSegment(i));
    t.true(Math.abs(flow - cut) < 1e-9, `trial ${trial}: flow ${flow} vs cut ${cut}`);
    let best = Infinity;
    for (let mask = 0; mask < 1 << n; mask++) best = Math.min(best, cutValue(g, (i) => ((mask >> i) & 1) === 1));
    t.true(Math.abs(flow - best) < 1e-9, `trial ${trial}: flow ${flow} vs min cut ${best}`);
  }
});

test('max-flow on larger random graphs: flow = reported cut; reused buffers give the same answer', (t) => {
  const rng = createRng(5);
  const graph = new MaxFlow();
  for (let trial = 0; trial < 20; trial++) {
    const n = 200 + rng.int(300);
    const g = randomGraph(rng, n, 4 * n, trial % 2 === 1);
    const flow = build(g, graph).maxflow();
    t.true(Math.abs(flow - cutValue(g, (i) => graph.inSourceSegment(i))) < 1e-6 * Math.max(1, flow));
    const again = build(g, new MaxFlow()).maxflow();
    t.true(Math.abs(flow - again) < 1e-9 * Math.max(1, flow));
  }
});

test('max-flow handles a chain s → 0 → 1 → 2 → t with the bottleneck in the middle', (t) => {
  const g = new MaxFlow();
  g.addNodes(3);
  g.addTWeights(0, 5, 0);
  g.addTWeights(2, 0, 7);
  g.addEdge(0, 1, 4, 0);
  g.addEdge(1, 2, 3, 0);
  t.is(g.maxflow(), 3);
  t.deepEqual([0, 1, 2].map((i) => g.inSourceSegment(i)), [true, true, false]);
  t.throws(() => g.addEdge(1, 1, 1, 1), { instanceOf: RangeError });
});

test('reusing search trees after terminal capacities change gives the flow of a graph built afresh', (t) => {
  const rng = createRng(21);
  for (let trial = 0; trial < 150; trial++) {
    const n = 2 + rng.int(trial < 100 ? 10 : 300);
    const g = randomGraph(rng, n, rng.int(4 * n), trial % 2 === 0);
    const graph = build(g);
    graph.maxflow();
    for (let round = 0; round < 3; round++) {
      // change some terminal capacities by positive or negative amounts (a reparametrisation when negative)
      const changes = 1 + rng.int(Math.max(1, n >> 1));
      for (let c = 0; c < changes; c++) {
        const i = rng.int(n);
        const ds = rng.int(7) - 3;
        const dt = rng.int(7) - 3;
        graph.addTWeights(i, ds, dt);
        g.t[i] = [g.t[i]![0] + ds, g.t[i]![1] + dt];
      }
      const reused = graph.maxflow({ reuseTrees: true });
      // the same graph built afresh: shift each node's two terminal capacities to be non-negative
      const fresh = new MaxFlow();
      fresh.addNodes(n);
      let shift = 0;
      g.t.forEach(([s, tt], i) => {
        const m = Math.min(0, s, tt);
        shift += m;
        fresh.addTWeights(i, s - m, tt - m);
      });
      for (const [i, j, c, r] of g.edges) fresh.addEdge(i, j, c, r);
      const expected = fresh.maxflow() + shift;
      t.true(Math.abs(reused - expected) < 1e-9, `trial ${trial} round ${round}: reused ${reused} vs fresh ${expected}`);
      // the reported cut is a minimum cut of the changed graph
      const cut = cutValue(g, (i) => graph.inSourceSegment(i));
      t.true(Math.abs(cut - expected) < 1e-9, `trial ${trial} round ${round}: cut ${cut} vs ${expected}`);
    }
  }
});

/**
 * Reference max-flow by Edmonds–Karp (shortest augmenting paths by BFS) on a dense residual matrix, with the
 * source-side set of the minimum cut closest to the source: the nodes reachable from the source in the final
 * residual graph. That set is the same for every maximum flow, so a correct solver must report exactly it.
 */
function edmondsKarp(g: RandomGraph): { flow: number; sourceSide: boolean[] } {
  const V = g.n + 2;
  const s = g.n;
  const tt = g.n + 1;
  const res = Array.from({ length: V }, () => new Float64Array(V));
  g.t.forEach(([cs, ct], i) => {
    res[s]![i]! += cs;
    res[i]![tt]! += ct;
  });
  for (const [i, j, c, r] of g.edges) {
    res[i]![j]! += c;
    res[j]![i]! += r;
  }
  let flow = 0;
  const prev = new Int32Array(V);
  const reach = (): boolean[] => {
    prev.fill(-1);
    prev[s] = s;
    const queue = [s];
    for (let q = 0; q < queue.length; q++) {
      const u = queue[q]!;
      for (let v = 0; v < V; v++) {
        if (prev[v] === -1 && res[u]![v]! > 0) {
          prev[v] = u;
          queue.push(v);
        }
      }
    }
    return Array.from(prev, (p) => p !== -1);
  };
  for (;;) {
    if (!reach()[tt]) break;
    let b = Infinity;
    for (let v = tt; v !== s; v = prev[v]!) b = Math.min(b, res[prev[v]!]![v]!);
    for (let v = tt; v !== s; v = prev[v]!) {
      res[prev[v]!]![v]! -= b;
      res[v]![prev[v]!]! += b;
    }
    flow += b;
  }
  return { flow, sourceSide: reach().slice(0, g.n) };
}

/** A w × h grid graph, 4- or 8-connected, with noisy terminal capacities on both sides (as segmentation makes). */
function gridGraph(rng: Rng, w: number, h: number, eight: boolean): RandomGraph {
  const t: [number, number][] = [];
  for (let i = 0; i < w * h; i++) {
    const u = rng.uniform();
    t.push(u < 0.1 ? [0, 0] : [rng.int(20), rng.int(20)]);
  }
  const edges: [number, number, number, number][] = [];
  const dirs = eight ? [[1, 0], [0, 1], [1, 1], [-1, 1]] : [[1, 0], [0, 1]];
  for (const [dx, dy] of dirs) {
    for (let y = 0; y + dy! < h; y++) {
      for (let x = 0; x < w; x++) {
        if (x + dx! < 0 || x + dx! >= w) continue;
        const c = rng.int(12);
        edges.push([y * w + x, (y + dy!) * w + x + dx!, c, rng.uniform() < 0.8 ? c : rng.int(12)]);
      }
    }
  }
  return { n: w * h, t, edges };
}

test('max-flow equals Edmonds–Karp, and the source side is exactly what the source reaches in the residual graph', (t) => {
  const rng = createRng(31);
  const graph = new MaxFlow(4, 4);
  for (let trial = 0; trial < 120; trial++) {
    const g =
      trial % 3 === 0
        ? randomGraph(rng, 2 + rng.int(40), rng.int(160), true)
        : gridGraph(rng, 2 + rng.int(9), 2 + rng.int(9), trial % 3 === 1);
    // reuse one solver across graphs of different shapes (buffers and node blocks grow and are recycled)
    const flow = build(g, graph).maxflow();
    const ref = edmondsKarp(g);
    t.is(flow, ref.flow, `trial ${trial}: flow`);
    const side = Array.from({ length: g.n }, (_, i) => graph.inSourceSegment(i));
    t.deepEqual(side, ref.sourceSide, `trial ${trial}: source side`);
  }
});

test('edges added after a solve: re-solving continues from the residual graph to the maximum flow of the larger graph', (t) => {
  const rng = createRng(41);
  for (let trial = 0; trial < 40; trial++) {
    const g = gridGraph(rng, 2 + rng.int(7), 2 + rng.int(7), true);
    const half = g.edges.length >> 1;
    const graph = new MaxFlow(g.n, 1); // blocks of the minimum size: nodes move to larger blocks as edges come
    graph.addNodes(g.n);
    g.t.forEach(([s, tt], i) => graph.addTWeights(i, s, tt));
    for (const [i, j, c, r] of g.edges.slice(0, half)) graph.addEdge(i, j, c, r);
    const first = graph.maxflow();
    t.is(first, edmondsKarp({ n: g.n, t: g.t, edges: g.edges.slice(0, half) }).flow);
    for (const [i, j, c, r] of g.edges.slice(half)) graph.addEdge(i, j, c, r);
    const ref = edmondsKarp(g);
    t.is(graph.maxflow(), ref.flow, `trial ${trial}`);
    t.deepEqual(Array.from({ length: g.n }, (_, i) => graph.inSourceSegment(i)), ref.sourceSide);
    // residual() follows edges that moved with their node's block: flow is conserved across each edge pair
    for (let k = 0; k < g.edges.length; k++) {
      const [, , c, r] = g.edges[k]!;
      t.is(graph.residual(k) + graph.residual(k, true), c + r);
    }
  }
});

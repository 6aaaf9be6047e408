// Times the Boykov–Kolmogorov max-flow library (Debian libmaxflow-dev) on a graph file written by maxflow.ts.
// File layout (little-endian): int32 nodes, int32 edges, then nodes × (double fromSource, double toSink),
// then edges × (int32 i, int32 j, double cap, double revCap). Prints "flow build_ms maxflow_ms source_count maxflow_cpu_ms"
// (the last: this process's CPU time during maxflow(), which other jobs on a shared machine do not inflate).
#include <maxflow.h>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdint>
#include <vector>

int main(int argc, char** argv) {
  if (argc < 2) { std::fprintf(stderr, "usage: bk-harness GRAPH [repeats]\n"); return 2; }
  int repeats = argc > 2 ? std::atoi(argv[2]) : 1;
  std::FILE* f = std::fopen(argv[1], "rb");
  if (!f) { std::perror(argv[1]); return 1; }
  int32_t n = 0, m = 0;
  if (std::fread(&n, 4, 1, f) != 1 || std::fread(&m, 4, 1, f) != 1) return 1;
  std::vector<double> t(2 * (size_t)n);
  if (std::fread(t.data(), 8, t.size(), f) != t.size()) return 1;
  std::vector<int32_t> ij(2 * (size_t)m);
  std::vector<double> caps(2 * (size_t)m);
  for (int32_t k = 0; k < m; k++) {
    if (std::fread(&ij[2 * k], 4, 2, f) != 2 || std::fread(&caps[2 * k], 8, 2, f) != 2) return 1;
  }
  std::fclose(f);
  for (int r = 0; r < repeats; r++) {
    auto t0 = std::chrono::steady_clock::now();
    maxflow::Graph_DDD g(n, m);
    g.add_node(n);
    for (int32_t i = 0; i < n; i++) g.add_tweights(i, t[2 * i], t[2 * i + 1]);
    for (int32_t k = 0; k < m; k++) g.add_edge(ij[2 * k], ij[2 * k + 1], caps[2 * k], caps[2 * k + 1]);
    auto t1 = std::chrono::steady_clock::now();
    std::timespec c1, c2;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
    double flow = g.maxflow();
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c2);
    auto t2 = std::chrono::steady_clock::now();
    long src = 0;
    for (int32_t i = 0; i < n; i++) if (g.what_segment(i) == maxflow::Graph_DDD::SOURCE) src++;
    std::printf("%.17g %.4f %.4f %ld %.4f\n", flow, std::chrono::duration<double, std::milli>(t1 - t0).count(),
                std::chrono::duration<double, std::milli>(t2 - t1).count(), src,
                (c2.tv_sec - c1.tv_sec) * 1e3 + (c2.tv_nsec - c1.tv_nsec) * 1e-6);
  }
  return 0;
}

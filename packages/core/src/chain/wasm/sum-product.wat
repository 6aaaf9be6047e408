;; Sum-product kernels of the chain DP in WebAssembly SIMD (f64x2), for the SumSemiring on tables laid out
;; exactly like the JavaScript ones (row-major Float64 arrays in this module's memory; pointers are byte offsets).
;; Compiled to sum-product-wasm.ts by `npm run build:wasm` (scripts/build-wasm.mjs); the JavaScript loops in
;; semiring.ts / dp.ts / inference.ts are the reference the tests compare these with.
(module
  (import "env" "memory" (memory 1))

  ;; out[j] = u[j] · Σ_{r<n} v[r·vs] · M[r·L + j] for j < L (u = 0: no factor); returns Σ_j out[j].
  ;; Columns go in blocks of 8 (four f64x2 accumulators held across the r loop), then 2, then 1.
  (func $axpy (param $n i32) (param $L i32) (param $v i32) (param $vs i32) (param $M i32) (param $u i32) (param $out i32) (result f64)
    (local $j i32) (local $r i32) (local $p i32) (local $q i32) (local $rowBytes i32) (local $vsBytes i32)
    (local $s v128) (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $tot v128)
    (local $x f64) (local $acc f64) (local $sum f64)
    (local.set $rowBytes (i32.shl (local.get $L) (i32.const 3)))
    (local.set $vsBytes (i32.shl (local.get $vs) (i32.const 3)))
    (local.set $tot (f64x2.splat (f64.const 0)))
    ;; blocks of 8 columns
    (block $done8
      (loop $cols8
        (br_if $done8 (i32.gt_s (i32.add (local.get $j) (i32.const 8)) (local.get $L)))
        (local.set $a0 (f64x2.splat (f64.const 0)))
        (local.set $a1 (f64x2.splat (f64.const 0)))
        (local.set $a2 (f64x2.splat (f64.const 0)))
        (local.set $a3 (f64x2.splat (f64.const 0)))
        (local.set $p (i32.add (local.get $M) (i32.shl (local.get $j) (i32.const 3))))
        (local.set $q (local.get $v))
        (local.set $r (i32.const 0))
        (block $rdone
          (loop $rows
            (br_if $rdone (i32.ge_s (local.get $r) (local.get $n)))
            (local.set $s (f64x2.splat (f64.load (local.get $q))))
            (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (local.get $s) (v128.load offset=0 align=8 (local.get $p)))))
            (local.set $a1 (f64x2.add (local.get $a1) (f64x2.mul (local.get $s) (v128.load offset=16 align=8 (local.get $p)))))
            (local.set $a2 (f64x2.add (local.get $a2) (f64x2.mul (local.get $s) (v128.load offset=32 align=8 (local.get $p)))))
            (local.set $a3 (f64x2.add (local.get $a3) (f64x2.mul (local.get $s) (v128.load offset=48 align=8 (local.get $p)))))
            (local.set $p (i32.add (local.get $p) (local.get $rowBytes)))
            (local.set $q (i32.add (local.get $q) (local.get $vsBytes)))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $rows)))
        (if (local.get $u)
          (then
            (local.set $p (i32.add (local.get $u) (i32.shl (local.get $j) (i32.const 3))))
            (local.set $a0 (f64x2.mul (local.get $a0) (v128.load offset=0 align=8 (local.get $p))))
            (local.set $a1 (f64x2.mul (local.get $a1) (v128.load offset=16 align=8 (local.get $p))))
            (local.set $a2 (f64x2.mul (local.get $a2) (v128.load offset=32 align=8 (local.get $p))))
            (local.set $a3 (f64x2.mul (local.get $a3) (v128.load offset=48 align=8 (local.get $p))))))
        (local.set $p (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 3))))
        (v128.store offset=0 align=8 (local.get $p) (local.get $a0))
        (v128.store offset=16 align=8 (local.get $p) (local.get $a1))
        (v128.store offset=32 align=8 (local.get $p) (local.get $a2))
        (v128.store offset=48 align=8 (local.get $p) (local.get $a3))
        (local.set $tot (f64x2.add (local.get $tot) (f64x2.add (f64x2.add (local.get $a0) (local.get $a1)) (f64x2.add (local.get $a2) (local.get $a3)))))
        (local.set $j (i32.add (local.get $j) (i32.const 8)))
        (br $cols8)))
    ;; blocks of 2 columns
    (block $done2
      (loop $cols2
        (br_if $done2 (i32.gt_s (i32.add (local.get $j) (i32.const 2)) (local.get $L)))
        (local.set $a0 (f64x2.splat (f64.const 0)))
        (local.set $p (i32.add (local.get $M) (i32.shl (local.get $j) (i32.const 3))))
        (local.set $q (local.get $v))
        (local.set $r (i32.const 0))
        (block $rdone2
          (loop $rows2
            (br_if $rdone2 (i32.ge_s (local.get $r) (local.get $n)))
            (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (f64x2.splat (f64.load (local.get $q))) (v128.load align=8 (local.get $p)))))
            (local.set $p (i32.add (local.get $p) (local.get $rowBytes)))
            (local.set $q (i32.add (local.get $q) (local.get $vsBytes)))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $rows2)))
        (if (local.get $u)
          (then (local.set $a0 (f64x2.mul (local.get $a0) (v128.load align=8 (i32.add (local.get $u) (i32.shl (local.get $j) (i32.const 3))))))))
        (v128.store align=8 (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 3))) (local.get $a0))
        (local.set $tot (f64x2.add (local.get $tot) (local.get $a0)))
        (local.set $j (i32.add (local.get $j) (i32.const 2)))
        (br $cols2)))
    (local.set $sum (f64.add (f64x2.extract_lane 0 (local.get $tot)) (f64x2.extract_lane 1 (local.get $tot))))
    ;; a last odd column
    (if (i32.lt_s (local.get $j) (local.get $L))
      (then
        (local.set $acc (f64.const 0))
        (local.set $p (i32.add (local.get $M) (i32.shl (local.get $j) (i32.const 3))))
        (local.set $q (local.get $v))
        (local.set $r (i32.const 0))
        (block $rdone1
          (loop $rows1
            (br_if $rdone1 (i32.ge_s (local.get $r) (local.get $n)))
            (local.set $acc (f64.add (local.get $acc) (f64.mul (f64.load (local.get $q)) (f64.load (local.get $p)))))
            (local.set $p (i32.add (local.get $p) (local.get $rowBytes)))
            (local.set $q (i32.add (local.get $q) (local.get $vsBytes)))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $rows1)))
        (if (local.get $u)
          (then (local.set $acc (f64.mul (local.get $acc) (f64.load (i32.add (local.get $u) (i32.shl (local.get $j) (i32.const 3))))))))
        (f64.store (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 3))) (local.get $acc))
        (local.set $sum (f64.add (local.get $sum) (local.get $acc)))))
    (local.get $sum))

  ;; row[0..L) *= 1/s when s > 0 (a zero row stays zero, as SumSemiring.normalize leaves it).
  (func $scale (param $row i32) (param $L i32) (param $s f64)
    (local $inv f64) (local $k i32) (local $p i32)
    (if (f64.gt (local.get $s) (f64.const 0))
      (then
        (local.set $inv (f64.div (f64.const 1) (local.get $s)))
        (local.set $p (local.get $row))
        (block $done
          (loop $each
            (br_if $done (i32.ge_s (local.get $k) (local.get $L)))
            (f64.store (local.get $p) (f64.mul (f64.load (local.get $p)) (local.get $inv)))
            (local.set $p (i32.add (local.get $p) (i32.const 8)))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $each))))))

  ;; Forward pass (dp.ts `forward` with SumSemiring): alpha row 0 = unary row 0; row t = (α_{t−1} · trans) ∘ unary_t;
  ;; each row rescaled to sum 1, the sum before rescaling written to sums[t] (the caller takes its log).
  (func (export "forward") (param $T i32) (param $L i32) (param $unary i32) (param $trans i32) (param $alpha i32) (param $sums i32)
    (local $t i32) (local $rowBytes i32) (local $s f64) (local $k i32) (local $row i32)
    (local.set $rowBytes (i32.shl (local.get $L) (i32.const 3)))
    (local.set $s (f64.const 0))
    (block $copied
      (loop $copy
        (br_if $copied (i32.ge_s (local.get $k) (local.get $L)))
        (f64.store (i32.add (local.get $alpha) (i32.shl (local.get $k) (i32.const 3)))
          (f64.load (i32.add (local.get $unary) (i32.shl (local.get $k) (i32.const 3)))))
        (local.set $s (f64.add (local.get $s) (f64.load (i32.add (local.get $unary) (i32.shl (local.get $k) (i32.const 3))))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $copy)))
    (f64.store (local.get $sums) (local.get $s))
    (call $scale (local.get $alpha) (local.get $L) (local.get $s))
    (local.set $t (i32.const 1))
    (block $done
      (loop $steps
        (br_if $done (i32.ge_s (local.get $t) (local.get $T)))
        (local.set $row (i32.add (local.get $alpha) (i32.mul (local.get $t) (local.get $rowBytes))))
        (local.set $s
          (call $axpy (local.get $L) (local.get $L) (i32.sub (local.get $row) (local.get $rowBytes)) (i32.const 1) (local.get $trans)
            (i32.add (local.get $unary) (i32.mul (local.get $t) (local.get $rowBytes))) (local.get $row)))
        (f64.store (i32.add (local.get $sums) (i32.shl (local.get $t) (i32.const 3))) (local.get $s))
        (call $scale (local.get $row) (local.get $L) (local.get $s))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $steps))))

  ;; Backward pass (dp.ts `backward` with SumSemiring): β row T−1 = 1; β_t = transᵀ-weighted sums of
  ;; unary_{t+1} ∘ β_{t+1} (read through transT, the transposed table); rows rescaled to sum 1.
  (func (export "backward") (param $T i32) (param $L i32) (param $unary i32) (param $transT i32) (param $beta i32) (param $scratch i32)
    (local $t i32) (local $rowBytes i32) (local $k i32) (local $row i32) (local $next i32) (local $off i32)
    (local.set $rowBytes (i32.shl (local.get $L) (i32.const 3)))
    (local.set $row (i32.add (local.get $beta) (i32.mul (i32.sub (local.get $T) (i32.const 1)) (local.get $rowBytes))))
    (block $filled
      (loop $fill
        (br_if $filled (i32.ge_s (local.get $k) (local.get $L)))
        (f64.store (i32.add (local.get $row) (i32.shl (local.get $k) (i32.const 3))) (f64.const 1))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $fill)))
    (local.set $t (i32.sub (local.get $T) (i32.const 2)))
    (block $done
      (loop $steps
        (br_if $done (i32.lt_s (local.get $t) (i32.const 0)))
        (local.set $next (i32.mul (i32.add (local.get $t) (i32.const 1)) (local.get $rowBytes)))
        (local.set $k (i32.const 0))
        (block $mult
          (loop $each
            (br_if $mult (i32.ge_s (local.get $k) (local.get $L)))
            (local.set $off (i32.shl (local.get $k) (i32.const 3)))
            (f64.store (i32.add (local.get $scratch) (local.get $off))
              (f64.mul (f64.load (i32.add (i32.add (local.get $unary) (local.get $next)) (local.get $off)))
                       (f64.load (i32.add (i32.add (local.get $beta) (local.get $next)) (local.get $off)))))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $each)))
        (local.set $row (i32.add (local.get $beta) (i32.mul (local.get $t) (local.get $rowBytes))))
        (call $scale (local.get $row) (local.get $L)
          (call $axpy (local.get $L) (local.get $L) (local.get $scratch) (i32.const 1) (local.get $transT) (i32.const 0) (local.get $row)))
        (local.set $t (i32.sub (local.get $t) (i32.const 1)))
        (br $steps))))

  ;; out[a·L + b] = Σ_{r<n} A[r·L + a] · B[r·L + b]: out = Aᵀ B for two n×L row-major tables.
  (func (export "transposedProduct") (param $A i32) (param $B i32) (param $n i32) (param $L i32) (param $out i32)
    (local $a i32) (local $rowBytes i32)
    (local.set $rowBytes (i32.shl (local.get $L) (i32.const 3)))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_s (local.get $a) (local.get $L)))
        (drop (call $axpy (local.get $n) (local.get $L) (i32.add (local.get $A) (i32.shl (local.get $a) (i32.const 3))) (local.get $L)
          (local.get $B) (i32.const 0) (i32.add (local.get $out) (i32.mul (local.get $a) (local.get $rowBytes)))))
        (local.set $a (i32.add (local.get $a) (i32.const 1)))
        (br $rows))))
)

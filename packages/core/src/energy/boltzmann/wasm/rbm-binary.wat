;; Kernels of Bernoulli–Bernoulli RBM training on binary states in WebAssembly SIMD (f32x4). Pointers are byte
;; offsets, index lists i32 arrays. The weight-like matrices (M, W, vel) are float32 in PANELS of 16 columns: panel p
;; holds columns 16p .. 16p + 15 of every row, one row after the other (64 bytes a row), and the next panel starts
;; panelStride bytes on; so the rows a sum adds, one cache line each, lie in one contiguous slab of the panel (it
;; stays in the L1/L2 cache and TLB while every batch row sums over it: measured 10–20 % faster than row-major rows).
;; Batch-row matrices (out, G) are row-major with a byte stride per row; every column count is a multiple of 16. A binary row is given by the list of its active (= 1) indices, so a product with a
;; binary operand is a sum of matrix rows. Compiled to rbm-binary-wasm.ts by `npm run build:wasm`
;; (scripts/build-wasm.mjs); rbm-binary-kernels.ts wraps it and the tests compare it with tfjs.
(module
  (import "env" "memory" (memory 1))


  ;; out[r·outStride + 64p + 4l] = bias[16p + l] + Σ_{t = starts[r]}^{starts[r+1]−1} M[p·panelStride + 64·idx[t] + 4l]
  ;; for r < n, p < panels, l < 16: the products of n binary rows (their active indices) with M, plus a bias; with
  ;; act = 1 the sigmoid of that (σ on the accumulators before they are stored: no second pass over out).
  ;; The panel loop is the outer one; four f32x4 accumulators hold the row's 16 columns across its sum.
  ;; With lk > 0 the lists name ENTRIES of subset-sum tables instead of rows of M (see $subsetSums: rows in groups of
  ;; 2^lk, entry (g << 2^lk) | mask = the sum of the group's rows in mask; `groupRows` makes such lists): each panel's
  ;; tables are built from M's panel (panelStride / 64 rows) into $scratch first, and the sums read them.
  ;; With pre ≠ 0 the sums before σ also go to pre (same layout and stride as out).
  (func (export "rowsSum") (param $n i32) (param $panels i32) (param $idx i32) (param $starts i32) (param $M i32) (param $panelStride i32)
    (param $bias i32) (param $out i32) (param $outStride i32) (param $act i32) (param $lk i32) (param $scratch i32) (param $pre i32)
    (local $r i32) (local $p i32) (local $jb i32) (local $pt i32) (local $pe i32) (local $q i32) (local $q2 i32) (local $o i32) (local $b i32) (local $mp i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (block $done
      (loop $pan
        (br_if $done (i32.ge_s (local.get $p) (local.get $panels)))
        (local.set $jb (i32.shl (local.get $p) (i32.const 6)))
        (local.set $mp (i32.add (local.get $M) (i32.mul (local.get $p) (local.get $panelStride))))
        (if (local.get $lk)
          (then
            (call $subsetSums (local.get $mp) (i32.const 64) (i32.shr_u (local.get $panelStride) (i32.const 6)) (local.get $lk) (local.get $scratch) (i32.const 0))
            (local.set $mp (local.get $scratch))))
        (local.set $b (i32.add (local.get $bias) (local.get $jb)))
        (local.set $r (i32.const 0))
        (block $rdone
          (loop $rows
            (br_if $rdone (i32.ge_s (local.get $r) (local.get $n)))
            (local.set $a0 (v128.load offset=0 align=4 (local.get $b)))
            (local.set $a1 (v128.load offset=16 align=4 (local.get $b)))
            (local.set $a2 (v128.load offset=32 align=4 (local.get $b)))
            (local.set $a3 (v128.load offset=48 align=4 (local.get $b)))
            (local.set $pt (i32.add (local.get $idx) (i32.shl (i32.load (i32.add (local.get $starts) (i32.shl (local.get $r) (i32.const 2)))) (i32.const 2))))
            (local.set $pe (i32.add (local.get $idx) (i32.shl (i32.load offset=4 (i32.add (local.get $starts) (i32.shl (local.get $r) (i32.const 2)))) (i32.const 2))))
            ;; two terms at a time, added together first (half the dependent accumulator additions)
            (block $tdone2
              (loop $terms2
                (br_if $tdone2 (i32.ge_u (i32.add (local.get $pt) (i32.const 4)) (local.get $pe)))
                (local.set $q (i32.add (local.get $mp) (i32.shl (i32.load (local.get $pt)) (i32.const 6))))
                (local.set $q2 (i32.add (local.get $mp) (i32.shl (i32.load offset=4 (local.get $pt)) (i32.const 6))))
                (local.set $a0 (f32x4.add (local.get $a0) (f32x4.add (v128.load offset=0 align=4 (local.get $q)) (v128.load offset=0 align=4 (local.get $q2)))))
                (local.set $a1 (f32x4.add (local.get $a1) (f32x4.add (v128.load offset=16 align=4 (local.get $q)) (v128.load offset=16 align=4 (local.get $q2)))))
                (local.set $a2 (f32x4.add (local.get $a2) (f32x4.add (v128.load offset=32 align=4 (local.get $q)) (v128.load offset=32 align=4 (local.get $q2)))))
                (local.set $a3 (f32x4.add (local.get $a3) (f32x4.add (v128.load offset=48 align=4 (local.get $q)) (v128.load offset=48 align=4 (local.get $q2)))))
                (local.set $pt (i32.add (local.get $pt) (i32.const 8)))
                (br $terms2)))
            (block $tdone
              (loop $terms
                (br_if $tdone (i32.ge_u (local.get $pt) (local.get $pe)))
                (local.set $q (i32.add (local.get $mp) (i32.shl (i32.load (local.get $pt)) (i32.const 6))))
                (local.set $a0 (f32x4.add (local.get $a0) (v128.load offset=0 align=4 (local.get $q))))
                (local.set $a1 (f32x4.add (local.get $a1) (v128.load offset=16 align=4 (local.get $q))))
                (local.set $a2 (f32x4.add (local.get $a2) (v128.load offset=32 align=4 (local.get $q))))
                (local.set $a3 (f32x4.add (local.get $a3) (v128.load offset=48 align=4 (local.get $q))))
                (local.set $pt (i32.add (local.get $pt) (i32.const 4)))
                (br $terms)))
            (if (local.get $pre)
              (then
                (local.set $o (i32.add (i32.add (local.get $pre) (i32.mul (local.get $r) (local.get $outStride))) (local.get $jb)))
                (v128.store offset=0 align=4 (local.get $o) (local.get $a0))
                (v128.store offset=16 align=4 (local.get $o) (local.get $a1))
                (v128.store offset=32 align=4 (local.get $o) (local.get $a2))
                (v128.store offset=48 align=4 (local.get $o) (local.get $a3))))
            (local.set $o (i32.add (i32.add (local.get $out) (i32.mul (local.get $r) (local.get $outStride))) (local.get $jb)))
            (if (local.get $act)
              (then
                (local.set $a0 (call $sigmoid4 (local.get $a0)))
                (local.set $a1 (call $sigmoid4 (local.get $a1)))
                (local.set $a2 (call $sigmoid4 (local.get $a2)))
                (local.set $a3 (call $sigmoid4 (local.get $a3)))))
            (v128.store offset=0 align=4 (local.get $o) (local.get $a0))
            (v128.store offset=16 align=4 (local.get $o) (local.get $a1))
            (v128.store offset=32 align=4 (local.get $o) (local.get $a2))
            (v128.store offset=48 align=4 (local.get $o) (local.get $a3))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $rows)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $pan))))

  ;; out[r·outStride + 64p + 4l] += Σ_{t ∈ add(r)} M[p·panelStride + 64·addIdx[t] + 4l] − Σ_{t ∈ sub(r)} M[… subIdx[t] …]
  ;; for r < n, with add(r) = [addStarts[r], addStarts[r+1]) and sub(r) likewise: the products of rows that differ
  ;; from rows whose products `out` already holds in a few units (a CD reconstruction and its data row); act = 1
  ;; stores the sigmoid of the result instead.
  (func (export "rowsUpdate") (param $n i32) (param $panels i32) (param $addIdx i32) (param $addStarts i32) (param $subIdx i32) (param $subStarts i32)
    (param $M i32) (param $panelStride i32) (param $out i32) (param $outStride i32) (param $act i32)
    (local $r i32) (local $p i32) (local $jb i32) (local $pt i32) (local $pe i32) (local $q i32) (local $q2 i32) (local $o i32) (local $mp i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (block $done
      (loop $pan
        (br_if $done (i32.ge_s (local.get $p) (local.get $panels)))
        (local.set $jb (i32.shl (local.get $p) (i32.const 6)))
        (local.set $mp (i32.add (local.get $M) (i32.mul (local.get $p) (local.get $panelStride))))
        (local.set $r (i32.const 0))
        (block $rdone
          (loop $rows
            (br_if $rdone (i32.ge_s (local.get $r) (local.get $n)))
            (local.set $o (i32.add (i32.add (local.get $out) (i32.mul (local.get $r) (local.get $outStride))) (local.get $jb)))
            (local.set $a0 (v128.load offset=0 align=4 (local.get $o)))
            (local.set $a1 (v128.load offset=16 align=4 (local.get $o)))
            (local.set $a2 (v128.load offset=32 align=4 (local.get $o)))
            (local.set $a3 (v128.load offset=48 align=4 (local.get $o)))
            (local.set $pt (i32.add (local.get $addIdx) (i32.shl (i32.load (i32.add (local.get $addStarts) (i32.shl (local.get $r) (i32.const 2)))) (i32.const 2))))
            (local.set $pe (i32.add (local.get $addIdx) (i32.shl (i32.load offset=4 (i32.add (local.get $addStarts) (i32.shl (local.get $r) (i32.const 2)))) (i32.const 2))))
            ;; two terms at a time, added together first (half the dependent accumulator additions)
            (block $plusDone2
              (loop $plus2
                (br_if $plusDone2 (i32.ge_u (i32.add (local.get $pt) (i32.const 4)) (local.get $pe)))
                (local.set $q (i32.add (local.get $mp) (i32.shl (i32.load (local.get $pt)) (i32.const 6))))
                (local.set $q2 (i32.add (local.get $mp) (i32.shl (i32.load offset=4 (local.get $pt)) (i32.const 6))))
                (local.set $a0 (f32x4.add (local.get $a0) (f32x4.add (v128.load offset=0 align=4 (local.get $q)) (v128.load offset=0 align=4 (local.get $q2)))))
                (local.set $a1 (f32x4.add (local.get $a1) (f32x4.add (v128.load offset=16 align=4 (local.get $q)) (v128.load offset=16 align=4 (local.get $q2)))))
                (local.set $a2 (f32x4.add (local.get $a2) (f32x4.add (v128.load offset=32 align=4 (local.get $q)) (v128.load offset=32 align=4 (local.get $q2)))))
                (local.set $a3 (f32x4.add (local.get $a3) (f32x4.add (v128.load offset=48 align=4 (local.get $q)) (v128.load offset=48 align=4 (local.get $q2)))))
                (local.set $pt (i32.add (local.get $pt) (i32.const 8)))
                (br $plus2)))
            (block $plusDone
              (loop $plus
                (br_if $plusDone (i32.ge_u (local.get $pt) (local.get $pe)))
                (local.set $q (i32.add (local.get $mp) (i32.shl (i32.load (local.get $pt)) (i32.const 6))))
                (local.set $a0 (f32x4.add (local.get $a0) (v128.load offset=0 align=4 (local.get $q))))
                (local.set $a1 (f32x4.add (local.get $a1) (v128.load offset=16 align=4 (local.get $q))))
                (local.set $a2 (f32x4.add (local.get $a2) (v128.load offset=32 align=4 (local.get $q))))
                (local.set $a3 (f32x4.add (local.get $a3) (v128.load offset=48 align=4 (local.get $q))))
                (local.set $pt (i32.add (local.get $pt) (i32.const 4)))
                (br $plus)))
            (local.set $pt (i32.add (local.get $subIdx) (i32.shl (i32.load (i32.add (local.get $subStarts) (i32.shl (local.get $r) (i32.const 2)))) (i32.const 2))))
            (local.set $pe (i32.add (local.get $subIdx) (i32.shl (i32.load offset=4 (i32.add (local.get $subStarts) (i32.shl (local.get $r) (i32.const 2)))) (i32.const 2))))
            ;; two terms at a time, added together first (half the dependent accumulator additions)
            (block $minusDone2
              (loop $minus2
                (br_if $minusDone2 (i32.ge_u (i32.add (local.get $pt) (i32.const 4)) (local.get $pe)))
                (local.set $q (i32.add (local.get $mp) (i32.shl (i32.load (local.get $pt)) (i32.const 6))))
                (local.set $q2 (i32.add (local.get $mp) (i32.shl (i32.load offset=4 (local.get $pt)) (i32.const 6))))
                (local.set $a0 (f32x4.sub (local.get $a0) (f32x4.add (v128.load offset=0 align=4 (local.get $q)) (v128.load offset=0 align=4 (local.get $q2)))))
                (local.set $a1 (f32x4.sub (local.get $a1) (f32x4.add (v128.load offset=16 align=4 (local.get $q)) (v128.load offset=16 align=4 (local.get $q2)))))
                (local.set $a2 (f32x4.sub (local.get $a2) (f32x4.add (v128.load offset=32 align=4 (local.get $q)) (v128.load offset=32 align=4 (local.get $q2)))))
                (local.set $a3 (f32x4.sub (local.get $a3) (f32x4.add (v128.load offset=48 align=4 (local.get $q)) (v128.load offset=48 align=4 (local.get $q2)))))
                (local.set $pt (i32.add (local.get $pt) (i32.const 8)))
                (br $minus2)))
            (block $minusDone
              (loop $minus
                (br_if $minusDone (i32.ge_u (local.get $pt) (local.get $pe)))
                (local.set $q (i32.add (local.get $mp) (i32.shl (i32.load (local.get $pt)) (i32.const 6))))
                (local.set $a0 (f32x4.sub (local.get $a0) (v128.load offset=0 align=4 (local.get $q))))
                (local.set $a1 (f32x4.sub (local.get $a1) (v128.load offset=16 align=4 (local.get $q))))
                (local.set $a2 (f32x4.sub (local.get $a2) (v128.load offset=32 align=4 (local.get $q))))
                (local.set $a3 (f32x4.sub (local.get $a3) (v128.load offset=48 align=4 (local.get $q))))
                (local.set $pt (i32.add (local.get $pt) (i32.const 4)))
                (br $minus)))
            (if (local.get $act)
              (then
                (local.set $a0 (call $sigmoid4 (local.get $a0)))
                (local.set $a1 (call $sigmoid4 (local.get $a1)))
                (local.set $a2 (call $sigmoid4 (local.get $a2)))
                (local.set $a3 (call $sigmoid4 (local.get $a3)))))
            (v128.store offset=0 align=4 (local.get $o) (local.get $a0))
            (v128.store offset=16 align=4 (local.get $o) (local.get $a1))
            (v128.store offset=32 align=4 (local.get $o) (local.get $a2))
            (v128.store offset=48 align=4 (local.get $o) (local.get $a3))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $rows)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $pan))))

  ;; The momentum step of the weights with the gradient of binary visible states: for i < rows, p < panels, l < 16,
  ;; with w = W[p·panelStride + 64i + 4l] and v = vel[same]:
  ;;   d = mu·v − lrDecay·w + Σ_{t = colStarts[i]}^{colStarts[i+1]−1} G[rowIdx[t]·gStride + 64p + 4l];   v = d;  w += d.
  ;; (G holds the hidden rows already scaled by ±lr/n, row-major; rowIdx[colStarts[i] ..] the rows of G that visible
  ;; unit i takes: the batch rows where it is 1.) Returns Σ d. With useVel = 0 (no momentum, no decay: mu = lrDecay = 0)
  ;; d is the sum alone and vel is neither read nor written. The panel loop is the outer one (G's 64-byte column
  ;; slab stays in cache; W and vel are read and written in order).
  ;; With lk > 0 the lists name entries of subset-sum tables of G's first gRows rows (groups of 2^lk rows, see
  ;; $subsetSums, in the slot order of `pairs` there; `groupColumns` makes such lists), built for each panel into $scratch
  ;; before its sums.
  (func (export "momentumStep") (param $rows i32) (param $panels i32) (param $colStarts i32) (param $rowIdx i32) (param $G i32) (param $gStride i32)
    (param $W i32) (param $vel i32) (param $panelStride i32) (param $mu f32) (param $lrDecay f32) (param $useVel i32)
    (param $lk i32) (param $scratch i32) (param $gRows i32) (param $pairs i32) (result f32)
    (local $i i32) (local $p i32) (local $pt i32) (local $pe i32) (local $q i32) (local $q2 i32) (local $w i32) (local $v i32) (local $gp i32) (local $gs i32)
    (local $m v128) (local $l v128) (local $tot v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local.set $m (f32x4.splat (local.get $mu)))
    (local.set $l (f32x4.splat (local.get $lrDecay)))
    (local.set $tot (f32x4.splat (f32.const 0)))
    (block $done
      (loop $pan
        (br_if $done (i32.ge_s (local.get $p) (local.get $panels)))
        (local.set $gp (i32.add (local.get $G) (i32.shl (local.get $p) (i32.const 6))))
        (local.set $gs (local.get $gStride))
        (if (local.get $lk)
          (then
            (call $subsetSums (local.get $gp) (local.get $gStride) (local.get $gRows) (local.get $lk) (local.get $scratch) (local.get $pairs))
            (local.set $gp (local.get $scratch))
            (local.set $gs (i32.const 64))))
        (local.set $w (i32.add (local.get $W) (i32.mul (local.get $p) (local.get $panelStride))))
        (local.set $v (i32.add (local.get $vel) (i32.mul (local.get $p) (local.get $panelStride))))
        (local.set $i (i32.const 0))
        (block $idone
          (loop $vis
            (br_if $idone (i32.ge_s (local.get $i) (local.get $rows)))
            (if (local.get $useVel)
              (then
              (local.set $a0 (f32x4.sub (f32x4.mul (local.get $m) (v128.load offset=0 align=4 (local.get $v))) (f32x4.mul (local.get $l) (v128.load offset=0 align=4 (local.get $w)))))
              (local.set $a1 (f32x4.sub (f32x4.mul (local.get $m) (v128.load offset=16 align=4 (local.get $v))) (f32x4.mul (local.get $l) (v128.load offset=16 align=4 (local.get $w)))))
              (local.set $a2 (f32x4.sub (f32x4.mul (local.get $m) (v128.load offset=32 align=4 (local.get $v))) (f32x4.mul (local.get $l) (v128.load offset=32 align=4 (local.get $w)))))
              (local.set $a3 (f32x4.sub (f32x4.mul (local.get $m) (v128.load offset=48 align=4 (local.get $v))) (f32x4.mul (local.get $l) (v128.load offset=48 align=4 (local.get $w))))))
              (else
                (local.set $a0 (v128.const i64x2 0 0))
                (local.set $a1 (v128.const i64x2 0 0))
                (local.set $a2 (v128.const i64x2 0 0))
                (local.set $a3 (v128.const i64x2 0 0))))
            (local.set $pt (i32.add (local.get $rowIdx) (i32.shl (i32.load (i32.add (local.get $colStarts) (i32.shl (local.get $i) (i32.const 2)))) (i32.const 2))))
            (local.set $pe (i32.add (local.get $rowIdx) (i32.shl (i32.load offset=4 (i32.add (local.get $colStarts) (i32.shl (local.get $i) (i32.const 2)))) (i32.const 2))))
            ;; two terms at a time, added together first (half the dependent accumulator additions)
            (block $tdone2
              (loop $terms2
                (br_if $tdone2 (i32.ge_u (i32.add (local.get $pt) (i32.const 4)) (local.get $pe)))
                (local.set $q (i32.add (local.get $gp) (i32.mul (i32.load (local.get $pt)) (local.get $gs))))
                (local.set $q2 (i32.add (local.get $gp) (i32.mul (i32.load offset=4 (local.get $pt)) (local.get $gs))))
                (local.set $a0 (f32x4.add (local.get $a0) (f32x4.add (v128.load offset=0 align=4 (local.get $q)) (v128.load offset=0 align=4 (local.get $q2)))))
                (local.set $a1 (f32x4.add (local.get $a1) (f32x4.add (v128.load offset=16 align=4 (local.get $q)) (v128.load offset=16 align=4 (local.get $q2)))))
                (local.set $a2 (f32x4.add (local.get $a2) (f32x4.add (v128.load offset=32 align=4 (local.get $q)) (v128.load offset=32 align=4 (local.get $q2)))))
                (local.set $a3 (f32x4.add (local.get $a3) (f32x4.add (v128.load offset=48 align=4 (local.get $q)) (v128.load offset=48 align=4 (local.get $q2)))))
                (local.set $pt (i32.add (local.get $pt) (i32.const 8)))
                (br $terms2)))
            (block $tdone
              (loop $terms
                (br_if $tdone (i32.ge_u (local.get $pt) (local.get $pe)))
                (local.set $q (i32.add (local.get $gp) (i32.mul (i32.load (local.get $pt)) (local.get $gs))))
                (local.set $a0 (f32x4.add (local.get $a0) (v128.load offset=0 align=4 (local.get $q))))
                (local.set $a1 (f32x4.add (local.get $a1) (v128.load offset=16 align=4 (local.get $q))))
                (local.set $a2 (f32x4.add (local.get $a2) (v128.load offset=32 align=4 (local.get $q))))
                (local.set $a3 (f32x4.add (local.get $a3) (v128.load offset=48 align=4 (local.get $q))))
                (local.set $pt (i32.add (local.get $pt) (i32.const 4)))
                (br $terms)))
            (if (local.get $useVel)
              (then
              (v128.store offset=0 align=4 (local.get $v) (local.get $a0))
              (v128.store offset=16 align=4 (local.get $v) (local.get $a1))
              (v128.store offset=32 align=4 (local.get $v) (local.get $a2))
              (v128.store offset=48 align=4 (local.get $v) (local.get $a3))))
            (v128.store offset=0 align=4 (local.get $w) (f32x4.add (v128.load offset=0 align=4 (local.get $w)) (local.get $a0)))
            (v128.store offset=16 align=4 (local.get $w) (f32x4.add (v128.load offset=16 align=4 (local.get $w)) (local.get $a1)))
            (v128.store offset=32 align=4 (local.get $w) (f32x4.add (v128.load offset=32 align=4 (local.get $w)) (local.get $a2)))
            (v128.store offset=48 align=4 (local.get $w) (f32x4.add (v128.load offset=48 align=4 (local.get $w)) (local.get $a3)))
            (local.set $tot (f32x4.add (local.get $tot) (f32x4.add (f32x4.add (local.get $a0) (local.get $a1)) (f32x4.add (local.get $a2) (local.get $a3)))))
            (local.set $w (i32.add (local.get $w) (i32.const 64)))
            (local.set $v (i32.add (local.get $v) (i32.const 64)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $vis)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $pan)))
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $tot)) (f32x4.extract_lane 1 (local.get $tot)))
      (f32.add (f32x4.extract_lane 2 (local.get $tot)) (f32x4.extract_lane 3 (local.get $tot)))))

  ;; x[k] ← s·x[k] for k < n (a multiple of 4).
  (func (export "scale") (param $n i32) (param $x i32) (param $s f32)
    (local $e i32) (local $v v128)
    (local.set $e (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $v (f32x4.splat (local.get $s)))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $x) (local.get $e)))
        (v128.store align=4 (local.get $x) (f32x4.mul (v128.load align=4 (local.get $x)) (local.get $v)))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (br $each))))


  ;; The transpose between panel layouts: src is [rows × cols] in panels (element (i, j) at
  ;; (j >> 4)·64·rows + 64i + 4(j & 15)), dst is [cols × rows] likewise (element (j, i) at (i >> 4)·64·cols + 64j + 4(i & 15));
  ;; rows and cols are multiples of 16. In 4×4 blocks of f32x4 shuffles.
  (func (export "transpose") (param $rows i32) (param $cols i32) (param $src i32) (param $dst i32)
    (local $i i32) (local $j i32) (local $s i32) (local $d i32)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128) (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (block $idone
      (loop $ib
        (br_if $idone (i32.ge_s (local.get $i) (local.get $rows)))
        (local.set $j (i32.const 0))
        (block $jdone
          (loop $jb
            (br_if $jdone (i32.ge_s (local.get $j) (local.get $cols)))
            ;; rows i .. i+3, columns j .. j+3 of src: four 16-byte loads 64 bytes apart
            (local.set $s (i32.add (local.get $src) (i32.add
              (i32.mul (i32.shr_u (local.get $j) (i32.const 4)) (i32.shl (local.get $rows) (i32.const 6)))
              (i32.add (i32.shl (local.get $i) (i32.const 6)) (i32.shl (i32.and (local.get $j) (i32.const 15)) (i32.const 2))))))
            (local.set $r0 (v128.load offset=0 align=4 (local.get $s)))
            (local.set $r1 (v128.load offset=64 align=4 (local.get $s)))
            (local.set $r2 (v128.load offset=128 align=4 (local.get $s)))
            (local.set $r3 (v128.load offset=192 align=4 (local.get $s)))
            ;; t0 = [r0₀ r1₀ r0₁ r1₁], t1 = [r0₂ r1₂ r0₃ r1₃], t2, t3 likewise for r2, r3
            (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r0) (local.get $r1)))
            (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r0) (local.get $r1)))
            (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r2) (local.get $r3)))
            (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r2) (local.get $r3)))
            (local.set $d (i32.add (local.get $dst) (i32.add
              (i32.mul (i32.shr_u (local.get $i) (i32.const 4)) (i32.shl (local.get $cols) (i32.const 6)))
              (i32.add (i32.shl (local.get $j) (i32.const 6)) (i32.shl (i32.and (local.get $i) (i32.const 15)) (i32.const 2))))))
            (v128.store offset=0 align=4 (local.get $d) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
            (v128.store offset=64 align=4 (local.get $d) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
            (v128.store offset=128 align=4 (local.get $d) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
            (v128.store offset=192 align=4 (local.get $d) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3)))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))
            (br $jb)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $ib))))

  ;; Bernoulli draws with xoshiro128** in the module: for r < n, j < cols, unit j of row r is on when u < p[r·stride + j]
  ;; (p: byte offset of row 0, stride in floats), with the uniforms of rng.ts `fillUniformPairs32` in row-major order
  ;; (each pair from two generator steps with words x, y: a = x >>> 5, b = y >>> 6 give (a >>> 1)·2⁻²⁶ and
  ;; ((a & 1)·2²⁶ + b)·2⁻²⁷, converted to float32 as JavaScript's Float32Array stores round them).
  ;; The state (four i32 words at $state) is read and written back. The active indices go to idx from position t
  ;; (an element index); starts[r + 1] receives each row's end. n·cols must be even. Returns the final t.
  (func (export "bernoulliDraw") (param $n i32) (param $cols i32) (param $p i32) (param $stride i32) (param $idx i32) (param $t i32)
    (param $starts i32) (param $state i32) (result i32)
    (local $r i32) (local $j i32) (local $k i32) (local $total i32) (local $a i32) (local $b i32) (local $u0 f32) (local $u1 f32)
    (local $s0 i32) (local $s1 i32) (local $s2 i32) (local $s3 i32) (local $tt i32)
    (local.set $total (i32.mul (local.get $n) (local.get $cols)))
    (local.set $s0 (i32.load offset=0 (local.get $state)))
    (local.set $s1 (i32.load offset=4 (local.get $state)))
    (local.set $s2 (i32.load offset=8 (local.get $state)))
    (local.set $s3 (i32.load offset=12 (local.get $state)))
    (block $done
      (loop $pairs
        (br_if $done (i32.ge_u (local.get $k) (local.get $total)))
        ;; one xoshiro128** step: a = (rotl(s1·5, 7)·9) >>> 5
        (local.set $a (i32.shr_u (i32.mul (i32.rotl (i32.mul (local.get $s1) (i32.const 5)) (i32.const 7)) (i32.const 9)) (i32.const 5)))
        (local.set $tt (i32.shl (local.get $s1) (i32.const 9)))
        (local.set $s2 (i32.xor (local.get $s2) (local.get $s0)))
        (local.set $s3 (i32.xor (local.get $s3) (local.get $s1)))
        (local.set $s1 (i32.xor (local.get $s1) (local.get $s2)))
        (local.set $s0 (i32.xor (local.get $s0) (local.get $s3)))
        (local.set $s2 (i32.xor (local.get $s2) (local.get $tt)))
        (local.set $s3 (i32.rotl (local.get $s3) (i32.const 11)))
        ;; one xoshiro128** step: b = (rotl(s1·5, 7)·9) >>> 6
        (local.set $b (i32.shr_u (i32.mul (i32.rotl (i32.mul (local.get $s1) (i32.const 5)) (i32.const 7)) (i32.const 9)) (i32.const 6)))
        (local.set $tt (i32.shl (local.get $s1) (i32.const 9)))
        (local.set $s2 (i32.xor (local.get $s2) (local.get $s0)))
        (local.set $s3 (i32.xor (local.get $s3) (local.get $s1)))
        (local.set $s1 (i32.xor (local.get $s1) (local.get $s2)))
        (local.set $s0 (i32.xor (local.get $s0) (local.get $s3)))
        (local.set $s2 (i32.xor (local.get $s2) (local.get $tt)))
        (local.set $s3 (i32.rotl (local.get $s3) (i32.const 11)))
        (local.set $u0 (f32.mul (f32.convert_i32_u (i32.shr_u (local.get $a) (i32.const 1))) (f32.const 1.4901161193847656e-8)))
        (local.set $u1 (f32.mul (f32.convert_i32_u (i32.add (i32.shl (i32.and (local.get $a) (i32.const 1)) (i32.const 26)) (local.get $b)))
                                (f32.const 7.450580596923828e-9)))
        ;; element k, then k + 1 (a row may end between them)
        (i32.store (i32.add (local.get $idx) (i32.shl (local.get $t) (i32.const 2))) (local.get $j))
        (local.set $t (i32.add (local.get $t) (f32.lt (local.get $u0)
          (f32.load (i32.add (local.get $p) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $stride)) (local.get $j)) (i32.const 2)))))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (if (i32.eq (local.get $j) (local.get $cols))
          (then
            (i32.store offset=4 (i32.add (local.get $starts) (i32.shl (local.get $r) (i32.const 2))) (local.get $t))
            (local.set $j (i32.const 0))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))))
        (i32.store (i32.add (local.get $idx) (i32.shl (local.get $t) (i32.const 2))) (local.get $j))
        (local.set $t (i32.add (local.get $t) (f32.lt (local.get $u1)
          (f32.load (i32.add (local.get $p) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $stride)) (local.get $j)) (i32.const 2)))))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (if (i32.eq (local.get $j) (local.get $cols))
          (then
            (i32.store offset=4 (i32.add (local.get $starts) (i32.shl (local.get $r) (i32.const 2))) (local.get $t))
            (local.set $j (i32.const 0))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))))
        (local.set $k (i32.add (local.get $k) (i32.const 2)))
        (br $pairs)))
    (i32.store offset=0 (local.get $state) (local.get $s0))
    (i32.store offset=4 (local.get $state) (local.get $s1))
    (i32.store offset=8 (local.get $state) (local.get $s2))
    (i32.store offset=12 (local.get $state) (local.get $s3))
    (local.get $t))

  ;; Subset-sum tables ("four Russians"): the rows src + t·srcStride (t < rows, 64 bytes used of each) in groups of
  ;; gs = 2^lk consecutive rows; group g gets 2^gs entries of 64 bytes at dst + ((g << gs) + mask)·64, entry mask = the
  ;; sum of the group's rows whose bit is set in mask (bit b = row g·gs + b; entry 0 = 0), each the entry without its
  ;; lowest bit plus one row: T[m] = T[m & (m − 1)] + row(ctz m). In a last, partial group only the masks of existing
  ;; rows are written. A sum of k rows of a binary combination then costs one read per nonempty group.
  ;; With pairs > 0 the rows are taken in the slot order 0, pairs, 1, pairs + 1, …: slot t is row t >> 1 for even t and
  ;; row pairs + (t >> 1) for odd t (rows = 2·pairs), so that a group holds rows r, r + 1 and pairs + r, pairs + r + 1.
  (func $subsetSums (param $src i32) (param $srcStride i32) (param $rows i32) (param $lk i32) (param $dst i32) (param $pairs i32)
    (local $gs i32) (local $g0 i32) (local $e i32) (local $m i32) (local $mEnd i32) (local $s i32) (local $d i32) (local $o i32) (local $slot i32)
    (local.set $gs (i32.shl (i32.const 1) (local.get $lk)))
    (local.set $e (local.get $dst))
    (block $done
      (loop $groups
        (br_if $done (i32.ge_s (local.get $g0) (local.get $rows)))
        (v128.store offset=0 align=4 (local.get $e) (v128.const i64x2 0 0))
        (v128.store offset=16 align=4 (local.get $e) (v128.const i64x2 0 0))
        (v128.store offset=32 align=4 (local.get $e) (v128.const i64x2 0 0))
        (v128.store offset=48 align=4 (local.get $e) (v128.const i64x2 0 0))
        (local.set $mEnd (i32.shl (i32.const 1)
          (select (local.get $gs) (i32.sub (local.get $rows) (local.get $g0)) (i32.ge_s (i32.sub (local.get $rows) (local.get $g0)) (local.get $gs)))))
        (local.set $m (i32.const 1))
        (block $mdone
          (loop $masks
            (br_if $mdone (i32.ge_u (local.get $m) (local.get $mEnd)))
            (local.set $slot (i32.add (local.get $g0) (i32.ctz (local.get $m))))
            (if (local.get $pairs)
              (then (local.set $slot (i32.add (i32.shr_u (local.get $slot) (i32.const 1))
                                              (i32.mul (i32.and (local.get $slot) (i32.const 1)) (local.get $pairs))))))
            (local.set $s (i32.add (local.get $src) (i32.mul (local.get $slot) (local.get $srcStride))))
            (local.set $d (i32.add (local.get $e) (i32.shl (i32.and (local.get $m) (i32.sub (local.get $m) (i32.const 1))) (i32.const 6))))
            (local.set $o (i32.add (local.get $e) (i32.shl (local.get $m) (i32.const 6))))
            (v128.store offset=0 align=4 (local.get $o) (f32x4.add (v128.load offset=0 align=4 (local.get $d)) (v128.load offset=0 align=4 (local.get $s))))
            (v128.store offset=16 align=4 (local.get $o) (f32x4.add (v128.load offset=16 align=4 (local.get $d)) (v128.load offset=16 align=4 (local.get $s))))
            (v128.store offset=32 align=4 (local.get $o) (f32x4.add (v128.load offset=32 align=4 (local.get $d)) (v128.load offset=32 align=4 (local.get $s))))
            (v128.store offset=48 align=4 (local.get $o) (f32x4.add (v128.load offset=48 align=4 (local.get $d)) (v128.load offset=48 align=4 (local.get $s))))
            (local.set $m (i32.add (local.get $m) (i32.const 1)))
            (br $masks)))
        (local.set $g0 (i32.add (local.get $g0) (local.get $gs)))
        (local.set $e (i32.add (local.get $e) (i32.shl (i32.const 64) (local.get $gs))))
        (br $groups))))

  ;; The table entries of binary rows (for rowsSum with lk > 0): for r < n, the ascending active indices
  ;; idx[starts[r] .. starts[r+1]) become one entry (g << gs) | mask per group g = i >> lk that holds some (gs = 2^lk,
  ;; mask bit i & (gs − 1)), in ascending order, written from out[0]; outStarts[0] = 0, outStarts[r + 1] = each row's end.
  ;; Branch-free: the current entry is rewritten with each index of its group and the position moves on a new group.
  (func (export "groupRows") (param $n i32) (param $idx i32) (param $starts i32) (param $lk i32) (param $out i32) (param $outStarts i32)
    (local $gs i32) (local $r i32) (local $pt i32) (local $pe i32) (local $i i32) (local $g i32) (local $cur i32) (local $new i32) (local $mask i32) (local $to i32)
    (local.set $gs (i32.shl (i32.const 1) (local.get $lk)))
    (local.set $to (i32.sub (local.get $out) (i32.const 4)))
    (i32.store (local.get $outStarts) (i32.const 0))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_s (local.get $r) (local.get $n)))
        (local.set $pt (i32.add (local.get $idx) (i32.shl (i32.load (i32.add (local.get $starts) (i32.shl (local.get $r) (i32.const 2)))) (i32.const 2))))
        (local.set $pe (i32.add (local.get $idx) (i32.shl (i32.load offset=4 (i32.add (local.get $starts) (i32.shl (local.get $r) (i32.const 2)))) (i32.const 2))))
        (local.set $cur (i32.const -1))
        (block $tdone
          (loop $terms
            (br_if $tdone (i32.ge_u (local.get $pt) (local.get $pe)))
            (local.set $i (i32.load (local.get $pt)))
            (local.set $g (i32.shr_u (local.get $i) (local.get $lk)))
            (local.set $new (i32.ne (local.get $g) (local.get $cur)))
            (local.set $to (i32.add (local.get $to) (i32.shl (local.get $new) (i32.const 2))))
            (local.set $mask (i32.or (i32.and (local.get $mask) (i32.sub (local.get $new) (i32.const 1)))
                                     (i32.shl (i32.const 1) (i32.and (local.get $i) (i32.sub (local.get $gs) (i32.const 1))))))
            (i32.store (local.get $to) (i32.or (i32.shl (local.get $g) (local.get $gs)) (local.get $mask)))
            (local.set $cur (local.get $g))
            (local.set $pt (i32.add (local.get $pt) (i32.const 4)))
            (br $terms)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (i32.store (i32.add (local.get $outStarts) (i32.shl (local.get $r) (i32.const 2)))
          (i32.shr_s (i32.sub (i32.add (local.get $to) (i32.const 4)) (local.get $out)) (i32.const 2)))
        (br $rows))))

  ;; The table entries of the gradient's columns (for momentumStep with lk > 0): the binary rows r < rows (active
  ;; indices idx[starts[r] .. starts[r+1]), all < cols) in groups of gs = 2^lk rows; for each column i < cols, one entry
  ;; (g << gs) | mask per row group g with some row where i is active (mask bit r & (gs − 1)), in ascending g, written
  ;; from out[0] (room for cols·ceil(rows / gs) entries); outStarts[0] = 0, outStarts[i + 1] = each column's end.
  ;; $masks: scratch of cols·ceil(rows / gs) bytes rounded up to 16 (one mask byte per column and group; lk ≤ 3).
  ;; With pairs > 0 (rows = 2·pairs) row r takes slot 2r (r < pairs) or 2(r − pairs) + 1 in the grouping ($subsetSums).
  (func (export "groupColumns") (param $rows i32) (param $idx i32) (param $starts i32) (param $cols i32) (param $lk i32) (param $masks i32)
    (param $out i32) (param $outStarts i32) (param $pairs i32)
    (local $gs i32) (local $ng i32) (local $r i32) (local $pt i32) (local $pe i32) (local $gb i32) (local $bit i32) (local $a i32) (local $e i32) (local $slot i32)
    (local $i i32) (local $g i32) (local $m i32) (local $to i32)
    (local.set $gs (i32.shl (i32.const 1) (local.get $lk)))
    (local.set $ng (i32.shr_u (i32.add (local.get $rows) (i32.sub (local.get $gs) (i32.const 1))) (local.get $lk)))
    ;; zero the masks
    (local.set $a (local.get $masks))
    (local.set $e (i32.add (local.get $masks) (i32.mul (local.get $cols) (local.get $ng))))
    (block $zdone
      (loop $zero
        (br_if $zdone (i32.ge_u (local.get $a) (local.get $e)))
        (v128.store align=1 (local.get $a) (v128.const i64x2 0 0))
        (local.set $a (i32.add (local.get $a) (i32.const 16)))
        (br $zero)))
    ;; set bit r & (gs − 1) of mask (i, r >> lk) for every active i of row r
    (block $rdone
      (loop $rowsLoop
        (br_if $rdone (i32.ge_s (local.get $r) (local.get $rows)))
        (local.set $slot (local.get $r))
        (if (local.get $pairs)
          (then (local.set $slot (select (i32.shl (local.get $r) (i32.const 1))
                                         (i32.add (i32.shl (i32.sub (local.get $r) (local.get $pairs)) (i32.const 1)) (i32.const 1))
                                         (i32.lt_s (local.get $r) (local.get $pairs))))))
        (local.set $gb (i32.add (local.get $masks) (i32.shr_u (local.get $slot) (local.get $lk))))
        (local.set $bit (i32.shl (i32.const 1) (i32.and (local.get $slot) (i32.sub (local.get $gs) (i32.const 1)))))
        (local.set $pt (i32.add (local.get $idx) (i32.shl (i32.load (i32.add (local.get $starts) (i32.shl (local.get $r) (i32.const 2)))) (i32.const 2))))
        (local.set $pe (i32.add (local.get $idx) (i32.shl (i32.load offset=4 (i32.add (local.get $starts) (i32.shl (local.get $r) (i32.const 2)))) (i32.const 2))))
        (block $tdone
          (loop $terms
            (br_if $tdone (i32.ge_u (local.get $pt) (local.get $pe)))
            (local.set $a (i32.add (local.get $gb) (i32.mul (i32.load (local.get $pt)) (local.get $ng))))
            (i32.store8 (local.get $a) (i32.or (i32.load8_u (local.get $a)) (local.get $bit)))
            (local.set $pt (i32.add (local.get $pt) (i32.const 4)))
            (br $terms)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rowsLoop)))
    ;; the nonzero masks of each column, branch-free (write, move on when nonzero)
    (local.set $a (local.get $masks))
    (local.set $to (local.get $out))
    (i32.store (local.get $outStarts) (i32.const 0))
    (block $idone
      (loop $colsLoop
        (br_if $idone (i32.ge_s (local.get $i) (local.get $cols)))
        (local.set $g (i32.const 0))
        (block $gdone
          (loop $groups
            (br_if $gdone (i32.ge_s (local.get $g) (local.get $ng)))
            (local.set $m (i32.load8_u (i32.add (local.get $a) (local.get $g))))
            (i32.store (local.get $to) (i32.or (i32.shl (local.get $g) (local.get $gs)) (local.get $m)))
            (local.set $to (i32.add (local.get $to) (i32.shl (i32.ne (local.get $m) (i32.const 0)) (i32.const 2))))
            (local.set $g (i32.add (local.get $g) (i32.const 1)))
            (br $groups)))
        (local.set $a (i32.add (local.get $a) (local.get $ng)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (i32.store (i32.add (local.get $outStarts) (i32.shl (local.get $i) (i32.const 2)))
          (i32.shr_s (i32.sub (local.get $to) (local.get $out)) (i32.const 2)))
        (br $colsLoop))))

  ;; Binary rows from bit-packed data: for r < n, row order[r] of `bits` (words i32 words a row, bit i & 31 of word
  ;; i >> 5 = unit i) as the ascending list of its set bits, written to idx from 0; starts[r + 1] = each row's end
  ;; (starts[0] = 0 is written too). Returns the number of indices written.
  (func (export "bitRows") (param $n i32) (param $order i32) (param $bits i32) (param $words i32) (param $idx i32) (param $starts i32) (result i32)
    (local $r i32) (local $w i32) (local $we i32) (local $x i32) (local $base i32) (local $to i32)
    (local.set $to (local.get $idx))
    (i32.store (local.get $starts) (i32.const 0))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_s (local.get $r) (local.get $n)))
        (local.set $w (i32.add (local.get $bits) (i32.shl (i32.mul (i32.load (i32.add (local.get $order) (i32.shl (local.get $r) (i32.const 2)))) (local.get $words)) (i32.const 2))))
        (local.set $we (i32.add (local.get $w) (i32.shl (local.get $words) (i32.const 2))))
        (local.set $base (i32.const 0))
        (block $wdone
          (loop $wordsLoop
            (br_if $wdone (i32.ge_u (local.get $w) (local.get $we)))
            (local.set $x (i32.load (local.get $w)))
            (block $bdone
              (loop $bitsLoop
                (br_if $bdone (i32.eqz (local.get $x)))
                (i32.store (local.get $to) (i32.add (local.get $base) (i32.ctz (local.get $x))))
                (local.set $to (i32.add (local.get $to) (i32.const 4)))
                (local.set $x (i32.and (local.get $x) (i32.sub (local.get $x) (i32.const 1))))
                (br $bitsLoop)))
            (local.set $base (i32.add (local.get $base) (i32.const 32)))
            (local.set $w (i32.add (local.get $w) (i32.const 4)))
            (br $wordsLoop)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (i32.store (i32.add (local.get $starts) (i32.shl (local.get $r) (i32.const 2)))
          (i32.shr_s (i32.sub (local.get $to) (local.get $idx)) (i32.const 2)))
        (br $rows)))
    (i32.shr_s (i32.sub (local.get $to) (local.get $idx)) (i32.const 2)))

  ;; counts[i] = the number of t in [from, to) with idx[t] = i, for i < n (counts zeroed first).
  (func (export "countIndices") (param $idx i32) (param $from i32) (param $to i32) (param $counts i32) (param $n i32)
    (local $a i32) (local $e i32)
    (local.set $a (local.get $counts))
    (local.set $e (i32.add (local.get $counts) (i32.shl (local.get $n) (i32.const 2))))
    (block $zdone
      (loop $zero
        (br_if $zdone (i32.ge_u (local.get $a) (local.get $e)))
        (i32.store (local.get $a) (i32.const 0))
        (local.set $a (i32.add (local.get $a) (i32.const 4)))
        (br $zero)))
    (local.set $a (i32.add (local.get $idx) (i32.shl (local.get $from) (i32.const 2))))
    (local.set $e (i32.add (local.get $idx) (i32.shl (local.get $to) (i32.const 2))))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $a) (local.get $e)))
        (local.set $to (i32.add (local.get $counts) (i32.shl (i32.load (local.get $a)) (i32.const 2))))
        (i32.store (local.get $to) (i32.add (i32.load (local.get $to)) (i32.const 1)))
        (local.set $a (i32.add (local.get $a) (i32.const 4)))
        (br $each))))

  ;; For r < n: the ascending lists of rows r (idx[starts[r] ..]) and n + r (idx[starts[n + r] ..]) split into the indices
  ;; only in row r (to onlyPos) and only in row n + r (to onlyNeg), each from position 0, with onlyPosStarts[r + 1],
  ;; onlyNegStarts[r + 1] the rows' ends (and [0] = 0): a data row and its reconstruction. A branch-free merge.
  (func (export "splitRows") (param $n i32) (param $idx i32) (param $starts i32) (param $onlyPos i32) (param $onlyPosStarts i32)
    (param $onlyNeg i32) (param $onlyNegStarts i32)
    (local $r i32) (local $p i32) (local $pe i32) (local $q i32) (local $qe i32) (local $a i32) (local $b i32) (local $tp i32) (local $tn i32)
    (local.set $tp (local.get $onlyPos))
    (local.set $tn (local.get $onlyNeg))
    (i32.store (local.get $onlyPosStarts) (i32.const 0))
    (i32.store (local.get $onlyNegStarts) (i32.const 0))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_s (local.get $r) (local.get $n)))
        (local.set $p (i32.add (local.get $idx) (i32.shl (i32.load (i32.add (local.get $starts) (i32.shl (local.get $r) (i32.const 2)))) (i32.const 2))))
        (local.set $pe (i32.add (local.get $idx) (i32.shl (i32.load offset=4 (i32.add (local.get $starts) (i32.shl (local.get $r) (i32.const 2)))) (i32.const 2))))
        (local.set $q (i32.add (local.get $idx) (i32.shl (i32.load (i32.add (local.get $starts) (i32.shl (i32.add (local.get $n) (local.get $r)) (i32.const 2)))) (i32.const 2))))
        (local.set $qe (i32.add (local.get $idx) (i32.shl (i32.load offset=4 (i32.add (local.get $starts) (i32.shl (i32.add (local.get $n) (local.get $r)) (i32.const 2)))) (i32.const 2))))
        (block $mdone
          (loop $merge
            (br_if $mdone (i32.or (i32.ge_u (local.get $p) (local.get $pe)) (i32.ge_u (local.get $q) (local.get $qe))))
            (local.set $a (i32.load (local.get $p)))
            (local.set $b (i32.load (local.get $q)))
            (i32.store (local.get $tp) (local.get $a))
            (i32.store (local.get $tn) (local.get $b))
            (local.set $tp (i32.add (local.get $tp) (i32.shl (i32.lt_s (local.get $a) (local.get $b)) (i32.const 2))))
            (local.set $tn (i32.add (local.get $tn) (i32.shl (i32.lt_s (local.get $b) (local.get $a)) (i32.const 2))))
            (local.set $p (i32.add (local.get $p) (i32.shl (i32.le_s (local.get $a) (local.get $b)) (i32.const 2))))
            (local.set $q (i32.add (local.get $q) (i32.shl (i32.le_s (local.get $b) (local.get $a)) (i32.const 2))))
            (br $merge)))
        (block $pdone
          (loop $ptail
            (br_if $pdone (i32.ge_u (local.get $p) (local.get $pe)))
            (i32.store (local.get $tp) (i32.load (local.get $p)))
            (local.set $tp (i32.add (local.get $tp) (i32.const 4)))
            (local.set $p (i32.add (local.get $p) (i32.const 4)))
            (br $ptail)))
        (block $qdone
          (loop $qtail
            (br_if $qdone (i32.ge_u (local.get $q) (local.get $qe)))
            (i32.store (local.get $tn) (i32.load (local.get $q)))
            (local.set $tn (i32.add (local.get $tn) (i32.const 4)))
            (local.set $q (i32.add (local.get $q) (i32.const 4)))
            (br $qtail)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (i32.store (i32.add (local.get $onlyPosStarts) (i32.shl (local.get $r) (i32.const 2))) (i32.shr_s (i32.sub (local.get $tp) (local.get $onlyPos)) (i32.const 2)))
        (i32.store (i32.add (local.get $onlyNegStarts) (i32.shl (local.get $r) (i32.const 2))) (i32.shr_s (i32.sub (local.get $tn) (local.get $onlyNeg)) (i32.const 2)))
        (br $rows))))

  ;; σ(x) = 1 / (1 + e^{−x}) of four lanes. e^y by Cody–Waite range reduction y = k·ln 2 + r (|r| ≤ ln2/2, ln 2 split
  ;; in two parts), e^r ≈ 1 + r + r²·P(r) with P of degree 5 (the classic float32 minimax coefficients, as in Cephes'
  ;; expf), scaled by 2^k through the exponent bits; y is clamped to [−87, 88] so that 2^k stays a normal float32
  ;; (σ then saturates at 1 or ~6e−39). Relative error ≈ 2 float32 ulp (the tests check ≤ 3 against float64).
  (func $sigmoid4 (param $x v128) (result v128)
    (local $y v128) (local $k v128) (local $kb v128) (local $r v128) (local $p v128) (local $one v128)
    (local.set $one (f32x4.splat (f32.const 1)))
    (local.set $y (f32x4.neg (local.get $x)))
    (local.set $y (f32x4.min (f32x4.max (local.get $y) (f32x4.splat (f32.const -87))) (f32x4.splat (f32.const 88))))
    ;; k = round-to-nearest-even(y·log₂e) by adding 1.5·2²³ (|y·log₂e| < 2²²): kb's low mantissa bits hold k
    (local.set $kb (f32x4.add (f32x4.mul (local.get $y) (f32x4.splat (f32.const 1.44269504088896341))) (f32x4.splat (f32.const 12582912))))
    (local.set $k (f32x4.sub (local.get $kb) (f32x4.splat (f32.const 12582912))))
    (local.set $r (f32x4.sub (f32x4.sub (local.get $y) (f32x4.mul (local.get $k) (f32x4.splat (f32.const 0.693359375))))
                             (f32x4.mul (local.get $k) (f32x4.splat (f32.const -2.12194440e-4)))))
    (local.set $p (f32x4.splat (f32.const 1.9875691500e-4)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 1.3981999507e-3))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 8.3334519073e-3))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 4.1665795894e-2))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 1.6666665459e-1))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 5.0000001201e-1))))
    (local.set $p (f32x4.add (f32x4.add (f32x4.mul (f32x4.mul (local.get $p) (local.get $r)) (local.get $r)) (local.get $r)) (local.get $one)))
    ;; p · 2^k: k + 127 in the exponent field
    (local.set $p (f32x4.mul (local.get $p)
      (i32x4.shl (i32x4.sub (local.get $kb) (i32x4.splat (i32.const 0x4B3FFF81))) (i32.const 23))))
    (f32x4.div (local.get $one) (f32x4.add (local.get $one) (local.get $p))))

  ;; x[k] ← σ(x[k]) in place for k < n (a multiple of 4).
  (func (export "sigmoid") (param $n i32) (param $x i32)
    (local $e i32)
    (local.set $e (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $x) (local.get $e)))
        (v128.store align=4 (local.get $x) (call $sigmoid4 (v128.load align=4 (local.get $x))))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (br $each))))
)

;; Kernels that work in place on tensors of tfjs's wasm backend (this module imports that backend's memory and never
;; grows it), around the convolutions and matrix products XNNPACK does well:
;; - the element-wise glue of a CNN's forward and backward passes, fused, in SIMD (f32x4): bias + activation
;;   (+ 2 × 2 max-pooling keeping the arg-max) in one pass, and the pooling's backward pass times the activation's
;;   derivative in one pass, and the input gradient of a pooled convolution from the pooled gradient alone
;;   (jem/fast-cnn.ts);
;; - the input and output transforms of Winograd F(2 × 2, 3 × 3) convolutions (jem/fast-cnn.ts);
;; - column sums in float64 (bias gradients: sums over the leading axes, conv-gradients.ts);
;; - the filter gradient of a convolution (Conv2DBackpropFilter, conv-gradients.ts) without im2col, and the input
;;   gradient of a convolution with one input channel (Conv2DBackpropInput) without col2im.
;; Pointers are byte offsets; tensors are float32 NHWC (or [rows, C]) with C a multiple of 4 for the glue; arg-maxes
;; are i32. Activation codes: 0 linear (derivative 1), 1 Swish a = z·σ(z) (derivative σ(z)·(1 + z·(1 − σ(z)))).
;; Compiled to tensor-glue-wasm.ts by `npm run build:wasm`; the tests compare every kernel with tfjs.
(module
  (import "env" "memory" (memory 1))

  ;; Swish of four lanes zz, written out in both kernels (engine calls are not inlined and cost 3× here): a = zz·s and
  ;; d = s·(1 + zz·(1 − s)) with s = σ(zz) = 1 / (1 + e^−zz). e^x lane-wise: x clamped to [−87, 88], x = k·ln 2 + r
  ;; with k = nearest(x·log₂e) and |r| ≤ ln 2 / 2 (ln 2 split in a high part exact in float32 and a low part), e^r by
  ;; its Taylor polynomial to r⁶/720 (relative error ≤ 1.2e-7 before rounding), 2^k built in the exponent field.
  ;; Rounding to an integer is the float32 trick: adding 1.5·2²³ leaves k in the low mantissa bits, so t − 1.5·2²³ is
  ;; k as a float and (bits(t) + 127) << 23 is 2^k (the magic number's own bits shift out).

  ;; a[r, c] = act(z[r, c] + bias[c]), d[r, c] = act'(z[r, c] + bias[c]) for r < rows, c < C (C a multiple of 4).
  (func (export "biasAct") (param $z i32) (param $bias i32) (param $rows i32) (param $C i32) (param $act i32) (param $a i32) (param $d i32)
    (local $c i32) (local $cb i32) (local $o i32) (local $end i32)
    (local $zz v128) (local $x v128) (local $t v128) (local $e v128) (local $r v128) (local $s v128) (local $av v128) (local $dv v128)
    (local.set $cb (i32.shl (local.get $C) (i32.const 2)))
    (local.set $end (i32.mul (local.get $rows) (local.get $cb)))
    (block $done
      (loop $vecs
        (br_if $done (i32.ge_u (local.get $o) (local.get $end)))
        (if (i32.ge_u (local.get $c) (local.get $cb)) (then (local.set $c (i32.const 0))))
        (local.set $zz (f32x4.add (v128.load align=4 (i32.add (local.get $z) (local.get $o))) (v128.load align=4 (i32.add (local.get $bias) (local.get $c)))))
        (if (local.get $act)
          (then
            (local.set $x (f32x4.pmax (f32x4.splat (f32.const -87)) (f32x4.pmin (f32x4.splat (f32.const 88)) (f32x4.neg (local.get $zz)))))
            (local.set $t (f32x4.add (f32x4.mul (local.get $x) (f32x4.splat (f32.const 1.44269504))) (f32x4.splat (f32.const 12582912))))
            (local.set $e (f32x4.sub (local.get $t) (f32x4.splat (f32.const 12582912))))
            (local.set $r (f32x4.sub (local.get $x) (f32x4.mul (local.get $e) (f32x4.splat (f32.const 0.693145751953125)))))
            (local.set $r (f32x4.sub (local.get $r) (f32x4.mul (local.get $e) (f32x4.splat (f32.const 1.428606765330187e-06)))))
            (local.set $e (f32x4.add (f32x4.splat (f32.const 0.0083333333)) (f32x4.mul (local.get $r) (f32x4.splat (f32.const 0.0013888889)))))
            (local.set $e (f32x4.add (f32x4.splat (f32.const 0.041666667)) (f32x4.mul (local.get $r) (local.get $e))))
            (local.set $e (f32x4.add (f32x4.splat (f32.const 0.16666667)) (f32x4.mul (local.get $r) (local.get $e))))
            (local.set $e (f32x4.add (f32x4.splat (f32.const 0.5)) (f32x4.mul (local.get $r) (local.get $e))))
            (local.set $e (f32x4.add (f32x4.splat (f32.const 1)) (f32x4.mul (local.get $r) (local.get $e))))
            (local.set $e (f32x4.add (f32x4.splat (f32.const 1)) (f32x4.mul (local.get $r) (local.get $e))))
            (local.set $e (f32x4.mul (local.get $e) (i32x4.shl (i32x4.add (local.get $t) (i32x4.splat (i32.const 127))) (i32.const 23))))
            (local.set $s (f32x4.div (f32x4.splat (f32.const 1)) (f32x4.add (f32x4.splat (f32.const 1)) (local.get $e))))
            (local.set $dv (f32x4.mul (local.get $s)
              (f32x4.add (f32x4.splat (f32.const 1)) (f32x4.mul (local.get $zz) (f32x4.sub (f32x4.splat (f32.const 1)) (local.get $s))))))
            (local.set $av (f32x4.mul (local.get $zz) (local.get $s)))
          )
          (else
            (local.set $av (local.get $zz))
            (local.set $dv (f32x4.splat (f32.const 1)))))
        (v128.store align=4 (i32.add (local.get $a) (local.get $o)) (local.get $av))
        (v128.store align=4 (i32.add (local.get $d) (local.get $o)) (local.get $dv))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (br $vecs))))

  ;; For z [N, H, W, C] (H, W even, C a multiple of 4): the activation a = act(z + bias) is pooled over 2 × 2 windows
  ;; with stride 2 into p [N, H/2, W/2, C]; idx (i32, same shape as p) holds which window element was the first
  ;; maximum in row-major order (0: (0, 0), 1: (0, 1), 2: (1, 0), 3: (1, 1)); d (same shape as p) = act'(z + bias) at
;; that arg-max — the only position the backward pass needs it at.
  (func (export "biasActPool2") (param $z i32) (param $bias i32) (param $N i32) (param $H i32) (param $W i32) (param $C i32) (param $act i32)
      (param $p i32) (param $idx i32) (param $d i32)
    (local $rowsOut i32) (local $OW i32) (local $cb i32) (local $rowBytes i32)
    (local $r i32) (local $ow i32) (local $c i32) (local $q i32) (local $g i32) (local $o0 i32) (local $o1 i32) (local $o2 i32) (local $o3 i32)
    (local $b v128) (local $m v128) (local $i v128) (local $gt v128) (local $dm v128)
    (local $zz0 v128) (local $x0 v128) (local $t0 v128) (local $e0 v128) (local $r0 v128) (local $s0 v128) (local $av0 v128) (local $dv0 v128)
    (local $zz1 v128) (local $x1 v128) (local $t1 v128) (local $e1 v128) (local $r1 v128) (local $s1 v128) (local $av1 v128) (local $dv1 v128)
    (local $zz2 v128) (local $x2 v128) (local $t2 v128) (local $e2 v128) (local $r2 v128) (local $s2 v128) (local $av2 v128) (local $dv2 v128)
    (local $zz3 v128) (local $x3 v128) (local $t3 v128) (local $e3 v128) (local $r3 v128) (local $s3 v128) (local $av3 v128) (local $dv3 v128)
    ;; (n, oh) pairs are rows of the output: input rows 2·(n·H/2 + oh) and the next one.
    (local.set $rowsOut (i32.mul (local.get $N) (i32.shr_u (local.get $H) (i32.const 1))))
    (local.set $OW (i32.shr_u (local.get $W) (i32.const 1)))
    (local.set $cb (i32.shl (local.get $C) (i32.const 2)))
    (local.set $rowBytes (i32.mul (local.get $W) (local.get $cb)))
    (block $rdone
      (loop $rows
        (br_if $rdone (i32.ge_s (local.get $r) (local.get $rowsOut)))
        (local.set $ow (i32.const 0))
        (block $wdone
          (loop $cols
            (br_if $wdone (i32.ge_s (local.get $ow) (local.get $OW)))
            (local.set $c (i32.const 0))
            (block $cdone
              (loop $chans
                (br_if $cdone (i32.ge_s (local.get $c) (local.get $cb)))
                ;; byte offset of window element (0, 0) in z and d, and of the output in p and idx
                (local.set $q (i32.add (i32.add (i32.mul (i32.shl (local.get $r) (i32.const 1)) (local.get $rowBytes))
                  (i32.mul (i32.shl (local.get $ow) (i32.const 1)) (local.get $cb))) (local.get $c)))
                (local.set $g (i32.add (i32.mul (i32.add (i32.mul (local.get $r) (local.get $OW)) (local.get $ow)) (local.get $cb)) (local.get $c)))
                (local.set $b (v128.load align=4 (i32.add (local.get $bias) (local.get $c))))
                (local.set $m (f32x4.splat (f32.const -inf)))
                (local.set $i (v128.const i32x4 0 0 0 0))
                ;; the four window elements (0, 0), (0, 1), (1, 0), (1, 1) at byte offsets o0..o3, activated together (the
                ;; four independent chains keep the SIMD units busy)
                (local.set $o0 (local.get $q))
                (local.set $o1 (i32.add (local.get $q) (local.get $cb)))
                (local.set $o2 (i32.add (local.get $q) (local.get $rowBytes)))
                (local.set $o3 (i32.add (i32.add (local.get $q) (local.get $rowBytes)) (local.get $cb)))
                (local.set $zz0 (f32x4.add (v128.load align=4 (i32.add (local.get $z) (local.get $o0))) (local.get $b)))
                (local.set $zz1 (f32x4.add (v128.load align=4 (i32.add (local.get $z) (local.get $o1))) (local.get $b)))
                (local.set $zz2 (f32x4.add (v128.load align=4 (i32.add (local.get $z) (local.get $o2))) (local.get $b)))
                (local.set $zz3 (f32x4.add (v128.load align=4 (i32.add (local.get $z) (local.get $o3))) (local.get $b)))
                (if (local.get $act)
                  (then
                    (local.set $x0 (f32x4.pmax (f32x4.splat (f32.const -87)) (f32x4.pmin (f32x4.splat (f32.const 88)) (f32x4.neg (local.get $zz0)))))
                    (local.set $x1 (f32x4.pmax (f32x4.splat (f32.const -87)) (f32x4.pmin (f32x4.splat (f32.const 88)) (f32x4.neg (local.get $zz1)))))
                    (local.set $x2 (f32x4.pmax (f32x4.splat (f32.const -87)) (f32x4.pmin (f32x4.splat (f32.const 88)) (f32x4.neg (local.get $zz2)))))
                    (local.set $x3 (f32x4.pmax (f32x4.splat (f32.const -87)) (f32x4.pmin (f32x4.splat (f32.const 88)) (f32x4.neg (local.get $zz3)))))
                    (local.set $t0 (f32x4.add (f32x4.mul (local.get $x0) (f32x4.splat (f32.const 1.44269504))) (f32x4.splat (f32.const 12582912))))
                    (local.set $t1 (f32x4.add (f32x4.mul (local.get $x1) (f32x4.splat (f32.const 1.44269504))) (f32x4.splat (f32.const 12582912))))
                    (local.set $t2 (f32x4.add (f32x4.mul (local.get $x2) (f32x4.splat (f32.const 1.44269504))) (f32x4.splat (f32.const 12582912))))
                    (local.set $t3 (f32x4.add (f32x4.mul (local.get $x3) (f32x4.splat (f32.const 1.44269504))) (f32x4.splat (f32.const 12582912))))
                    (local.set $e0 (f32x4.sub (local.get $t0) (f32x4.splat (f32.const 12582912))))
                    (local.set $e1 (f32x4.sub (local.get $t1) (f32x4.splat (f32.const 12582912))))
                    (local.set $e2 (f32x4.sub (local.get $t2) (f32x4.splat (f32.const 12582912))))
                    (local.set $e3 (f32x4.sub (local.get $t3) (f32x4.splat (f32.const 12582912))))
                    (local.set $r0 (f32x4.sub (local.get $x0) (f32x4.mul (local.get $e0) (f32x4.splat (f32.const 0.693145751953125)))))
                    (local.set $r1 (f32x4.sub (local.get $x1) (f32x4.mul (local.get $e1) (f32x4.splat (f32.const 0.693145751953125)))))
                    (local.set $r2 (f32x4.sub (local.get $x2) (f32x4.mul (local.get $e2) (f32x4.splat (f32.const 0.693145751953125)))))
                    (local.set $r3 (f32x4.sub (local.get $x3) (f32x4.mul (local.get $e3) (f32x4.splat (f32.const 0.693145751953125)))))
                    (local.set $r0 (f32x4.sub (local.get $r0) (f32x4.mul (local.get $e0) (f32x4.splat (f32.const 1.428606765330187e-06)))))
                    (local.set $r1 (f32x4.sub (local.get $r1) (f32x4.mul (local.get $e1) (f32x4.splat (f32.const 1.428606765330187e-06)))))
                    (local.set $r2 (f32x4.sub (local.get $r2) (f32x4.mul (local.get $e2) (f32x4.splat (f32.const 1.428606765330187e-06)))))
                    (local.set $r3 (f32x4.sub (local.get $r3) (f32x4.mul (local.get $e3) (f32x4.splat (f32.const 1.428606765330187e-06)))))
                    (local.set $e0 (f32x4.add (f32x4.splat (f32.const 0.0083333333)) (f32x4.mul (local.get $r0) (f32x4.splat (f32.const 0.0013888889)))))
                    (local.set $e1 (f32x4.add (f32x4.splat (f32.const 0.0083333333)) (f32x4.mul (local.get $r1) (f32x4.splat (f32.const 0.0013888889)))))
                    (local.set $e2 (f32x4.add (f32x4.splat (f32.const 0.0083333333)) (f32x4.mul (local.get $r2) (f32x4.splat (f32.const 0.0013888889)))))
                    (local.set $e3 (f32x4.add (f32x4.splat (f32.const 0.0083333333)) (f32x4.mul (local.get $r3) (f32x4.splat (f32.const 0.0013888889)))))
                    (local.set $e0 (f32x4.add (f32x4.splat (f32.const 0.041666667)) (f32x4.mul (local.get $r0) (local.get $e0))))
                    (local.set $e1 (f32x4.add (f32x4.splat (f32.const 0.041666667)) (f32x4.mul (local.get $r1) (local.get $e1))))
                    (local.set $e2 (f32x4.add (f32x4.splat (f32.const 0.041666667)) (f32x4.mul (local.get $r2) (local.get $e2))))
                    (local.set $e3 (f32x4.add (f32x4.splat (f32.const 0.041666667)) (f32x4.mul (local.get $r3) (local.get $e3))))
                    (local.set $e0 (f32x4.add (f32x4.splat (f32.const 0.16666667)) (f32x4.mul (local.get $r0) (local.get $e0))))
                    (local.set $e1 (f32x4.add (f32x4.splat (f32.const 0.16666667)) (f32x4.mul (local.get $r1) (local.get $e1))))
                    (local.set $e2 (f32x4.add (f32x4.splat (f32.const 0.16666667)) (f32x4.mul (local.get $r2) (local.get $e2))))
                    (local.set $e3 (f32x4.add (f32x4.splat (f32.const 0.16666667)) (f32x4.mul (local.get $r3) (local.get $e3))))
                    (local.set $e0 (f32x4.add (f32x4.splat (f32.const 0.5)) (f32x4.mul (local.get $r0) (local.get $e0))))
                    (local.set $e1 (f32x4.add (f32x4.splat (f32.const 0.5)) (f32x4.mul (local.get $r1) (local.get $e1))))
                    (local.set $e2 (f32x4.add (f32x4.splat (f32.const 0.5)) (f32x4.mul (local.get $r2) (local.get $e2))))
                    (local.set $e3 (f32x4.add (f32x4.splat (f32.const 0.5)) (f32x4.mul (local.get $r3) (local.get $e3))))
                    (local.set $e0 (f32x4.add (f32x4.splat (f32.const 1)) (f32x4.mul (local.get $r0) (local.get $e0))))
                    (local.set $e1 (f32x4.add (f32x4.splat (f32.const 1)) (f32x4.mul (local.get $r1) (local.get $e1))))
                    (local.set $e2 (f32x4.add (f32x4.splat (f32.const 1)) (f32x4.mul (local.get $r2) (local.get $e2))))
                    (local.set $e3 (f32x4.add (f32x4.splat (f32.const 1)) (f32x4.mul (local.get $r3) (local.get $e3))))
                    (local.set $e0 (f32x4.add (f32x4.splat (f32.const 1)) (f32x4.mul (local.get $r0) (local.get $e0))))
                    (local.set $e1 (f32x4.add (f32x4.splat (f32.const 1)) (f32x4.mul (local.get $r1) (local.get $e1))))
                    (local.set $e2 (f32x4.add (f32x4.splat (f32.const 1)) (f32x4.mul (local.get $r2) (local.get $e2))))
                    (local.set $e3 (f32x4.add (f32x4.splat (f32.const 1)) (f32x4.mul (local.get $r3) (local.get $e3))))
                    (local.set $e0 (f32x4.mul (local.get $e0) (i32x4.shl (i32x4.add (local.get $t0) (i32x4.splat (i32.const 127))) (i32.const 23))))
                    (local.set $e1 (f32x4.mul (local.get $e1) (i32x4.shl (i32x4.add (local.get $t1) (i32x4.splat (i32.const 127))) (i32.const 23))))
                    (local.set $e2 (f32x4.mul (local.get $e2) (i32x4.shl (i32x4.add (local.get $t2) (i32x4.splat (i32.const 127))) (i32.const 23))))
                    (local.set $e3 (f32x4.mul (local.get $e3) (i32x4.shl (i32x4.add (local.get $t3) (i32x4.splat (i32.const 127))) (i32.const 23))))
                    (local.set $s0 (f32x4.div (f32x4.splat (f32.const 1)) (f32x4.add (f32x4.splat (f32.const 1)) (local.get $e0))))
                    (local.set $s1 (f32x4.div (f32x4.splat (f32.const 1)) (f32x4.add (f32x4.splat (f32.const 1)) (local.get $e1))))
                    (local.set $s2 (f32x4.div (f32x4.splat (f32.const 1)) (f32x4.add (f32x4.splat (f32.const 1)) (local.get $e2))))
                    (local.set $s3 (f32x4.div (f32x4.splat (f32.const 1)) (f32x4.add (f32x4.splat (f32.const 1)) (local.get $e3))))
                    (local.set $dv0 (f32x4.mul (local.get $s0) (f32x4.add (f32x4.splat (f32.const 1)) (f32x4.mul (local.get $zz0) (f32x4.sub (f32x4.splat (f32.const 1)) (local.get $s0))))))
                    (local.set $dv1 (f32x4.mul (local.get $s1) (f32x4.add (f32x4.splat (f32.const 1)) (f32x4.mul (local.get $zz1) (f32x4.sub (f32x4.splat (f32.const 1)) (local.get $s1))))))
                    (local.set $dv2 (f32x4.mul (local.get $s2) (f32x4.add (f32x4.splat (f32.const 1)) (f32x4.mul (local.get $zz2) (f32x4.sub (f32x4.splat (f32.const 1)) (local.get $s2))))))
                    (local.set $dv3 (f32x4.mul (local.get $s3) (f32x4.add (f32x4.splat (f32.const 1)) (f32x4.mul (local.get $zz3) (f32x4.sub (f32x4.splat (f32.const 1)) (local.get $s3))))))
                    (local.set $av0 (f32x4.mul (local.get $zz0) (local.get $s0)))
                    (local.set $av1 (f32x4.mul (local.get $zz1) (local.get $s1)))
                    (local.set $av2 (f32x4.mul (local.get $zz2) (local.get $s2)))
                    (local.set $av3 (f32x4.mul (local.get $zz3) (local.get $s3)))
                  )
                  (else
                    (local.set $av0 (local.get $zz0))
                    (local.set $dv0 (f32x4.splat (f32.const 1)))
                    (local.set $av1 (local.get $zz1))
                    (local.set $dv1 (f32x4.splat (f32.const 1)))
                    (local.set $av2 (local.get $zz2))
                    (local.set $dv2 (f32x4.splat (f32.const 1)))
                    (local.set $av3 (local.get $zz3))
                    (local.set $dv3 (f32x4.splat (f32.const 1)))))
                ;; a strictly larger activation replaces the maximum (the first maximum wins); its derivative goes along
                (local.set $m (local.get $av0))
                (local.set $dm (local.get $dv0))
                (local.set $i (v128.const i32x4 0 0 0 0))
                (local.set $gt (f32x4.gt (local.get $av1) (local.get $m)))
                (local.set $m (v128.bitselect (local.get $av1) (local.get $m) (local.get $gt)))
                (local.set $dm (v128.bitselect (local.get $dv1) (local.get $dm) (local.get $gt)))
                (local.set $i (v128.bitselect (v128.const i32x4 1 1 1 1) (local.get $i) (local.get $gt)))
                (local.set $gt (f32x4.gt (local.get $av2) (local.get $m)))
                (local.set $m (v128.bitselect (local.get $av2) (local.get $m) (local.get $gt)))
                (local.set $dm (v128.bitselect (local.get $dv2) (local.get $dm) (local.get $gt)))
                (local.set $i (v128.bitselect (v128.const i32x4 2 2 2 2) (local.get $i) (local.get $gt)))
                (local.set $gt (f32x4.gt (local.get $av3) (local.get $m)))
                (local.set $m (v128.bitselect (local.get $av3) (local.get $m) (local.get $gt)))
                (local.set $dm (v128.bitselect (local.get $dv3) (local.get $dm) (local.get $gt)))
                (local.set $i (v128.bitselect (v128.const i32x4 3 3 3 3) (local.get $i) (local.get $gt)))
                (v128.store align=4 (i32.add (local.get $p) (local.get $g)) (local.get $m))
                (v128.store align=4 (i32.add (local.get $d) (local.get $g)) (local.get $dm))
                (v128.store align=4 (i32.add (local.get $idx) (local.get $g)) (local.get $i))
                (local.set $c (i32.add (local.get $c) (i32.const 16)))
                (br $chans)))
            (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
            (br $cols)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows))))

  ;; The backward pass of biasActPool2: gz [N, H, W, C] = gradient of p · d at the window's arg-max, 0 elsewhere (gp,
  ;; idx and d pooled-size).
  (func (export "unpool2Mul") (param $gp i32) (param $idx i32) (param $d i32) (param $N i32) (param $H i32) (param $W i32) (param $C i32) (param $gz i32)
    (local $rowsOut i32) (local $OW i32) (local $cb i32) (local $rowBytes i32)
    (local $r i32) (local $ow i32) (local $c i32) (local $q i32) (local $g i32)
    (local $gv v128) (local $i v128)
    (local.set $rowsOut (i32.mul (local.get $N) (i32.shr_u (local.get $H) (i32.const 1))))
    (local.set $OW (i32.shr_u (local.get $W) (i32.const 1)))
    (local.set $cb (i32.shl (local.get $C) (i32.const 2)))
    (local.set $rowBytes (i32.mul (local.get $W) (local.get $cb)))
    (block $rdone
      (loop $rows
        (br_if $rdone (i32.ge_s (local.get $r) (local.get $rowsOut)))
        (local.set $ow (i32.const 0))
        (block $wdone
          (loop $cols
            (br_if $wdone (i32.ge_s (local.get $ow) (local.get $OW)))
            (local.set $c (i32.const 0))
            (block $cdone
              (loop $chans
                (br_if $cdone (i32.ge_s (local.get $c) (local.get $cb)))
                (local.set $q (i32.add (i32.add (i32.mul (i32.shl (local.get $r) (i32.const 1)) (local.get $rowBytes))
                  (i32.mul (i32.shl (local.get $ow) (i32.const 1)) (local.get $cb))) (local.get $c)))
                (local.set $g (i32.add (i32.mul (i32.add (i32.mul (local.get $r) (local.get $OW)) (local.get $ow)) (local.get $cb)) (local.get $c)))
                (local.set $gv (f32x4.mul (v128.load align=4 (i32.add (local.get $gp) (local.get $g))) (v128.load align=4 (i32.add (local.get $d) (local.get $g)))))
                (local.set $i (v128.load align=4 (i32.add (local.get $idx) (local.get $g))))
                (v128.store align=4 (i32.add (local.get $gz) (local.get $q))
                  (v128.and (local.get $gv) (i32x4.eq (local.get $i) (v128.const i32x4 0 0 0 0))))
                (local.set $q (i32.add (local.get $q) (local.get $cb)))
                (v128.store align=4 (i32.add (local.get $gz) (local.get $q))
                  (v128.and (local.get $gv) (i32x4.eq (local.get $i) (v128.const i32x4 1 1 1 1))))
                (local.set $q (i32.sub (i32.add (local.get $q) (local.get $rowBytes)) (local.get $cb)))
                (v128.store align=4 (i32.add (local.get $gz) (local.get $q))
                  (v128.and (local.get $gv) (i32x4.eq (local.get $i) (v128.const i32x4 2 2 2 2))))
                (local.set $q (i32.add (local.get $q) (local.get $cb)))
                (v128.store align=4 (i32.add (local.get $gz) (local.get $q))
                  (v128.and (local.get $gv) (i32x4.eq (local.get $i) (v128.const i32x4 3 3 3 3))))
                (local.set $c (i32.add (local.get $c) (i32.const 16)))
                (br $chans)))
            (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
            (br $cols)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows))))

  ;; The input gradient of a convolution followed by bias, activation and 2 × 2 max-pooling (biasActPool2), from the
  ;; gradient of the pooled output alone: gz = unpool(gp) · d is zero at three of the four positions of every window,
  ;; so dx[n, y + kh − top, x + kw − left, :] += gz[n, y, x, co] · W[kh, kw, :, co] is summed over the arg-max
  ;; positions only — a quarter of the multiply-adds of the dense convolution of gz with the flipped filter. Per
  ;; pooled cell the channels are sorted into four lists by the window position of their arg-max (entry: byte offset
  ;; of the channel's filter in wt, and g = gp · d there; g = 0 is left out), and each list's sum for one filter tap is
  ;; accumulated in registers over the list, 32 input channels at a time, then added to dx.
  ;; gp, idx, d [N, H/2, W/2, Co] (as biasActPool2 writes idx and d), wt [Co, KH, KW, Ci] (the filter
  ;; [KH, KW, Ci, Co] transposed), dx [N, IH, IW, Ci] (overwritten); lists: 32 · Co + 16 bytes of scratch, 16-aligned. Conv output
  ;; (y, x) reads input (y + kh − top, x + kw − left); positions outside the input are skipped (zero padding).
  (func (export "pool2ConvBackInput") (param $gp i32) (param $idx i32) (param $d i32) (param $wt i32)
      (param $N i32) (param $H i32) (param $W i32) (param $Co i32) (param $Ci i32) (param $KH i32) (param $KW i32)
      (param $top i32) (param $left i32) (param $IH i32) (param $IW i32) (param $lists i32) (param $dx i32)
    (local $PH i32) (local $PW i32) (local $n i32) (local $py i32) (local $px i32) (local $co i32) (local $q i32)
    (local $cell i32) (local $y i32) (local $x i32) (local $iy i32) (local $ix i32) (local $kh i32) (local $kw i32)
    (local $ci i32) (local $ci32 i32) (local $ci4 i32) (local $e i32) (local $end i32) (local $w i32) (local $o i32)
    (local $wofs i32) (local $ciB i32) (local $cnts i32)
    (local $g f32) (local $s f32) (local $gs v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $a4 v128) (local $a5 v128) (local $a6 v128) (local $a7 v128)
    (local.set $PH (i32.shr_u (local.get $H) (i32.const 1)))
    (local.set $PW (i32.shr_u (local.get $W) (i32.const 1)))
    (local.set $ciB (i32.shl (local.get $Ci) (i32.const 2)))
    (local.set $cnts (i32.add (local.get $lists) (i32.shl (local.get $Co) (i32.const 5))))
    ;; channels in blocks of 32, then of 4, then single ones
    (local.set $ci32 (i32.and (local.get $Ci) (i32.const -32)))
    (local.set $ci4 (i32.and (local.get $Ci) (i32.const -4)))
    (memory.fill (local.get $dx) (i32.const 0) (i32.mul (i32.mul (i32.mul (local.get $N) (local.get $IH)) (local.get $IW)) (local.get $ciB)))
    (block $ndone (loop $nloop
      (br_if $ndone (i32.ge_s (local.get $n) (local.get $N)))
      (local.set $py (i32.const 0))
      (block $pydone (loop $pyloop
        (br_if $pydone (i32.ge_s (local.get $py) (local.get $PH)))
        (local.set $px (i32.const 0))
        (block $pxdone (loop $pxloop
          (br_if $pxdone (i32.ge_s (local.get $px) (local.get $PW)))
          ;; sort the channels of this cell into the four lists
          (local.set $cell (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $n) (local.get $PH)) (local.get $py)) (local.get $PW)) (local.get $px)) (local.get $Co)))
          (v128.store (local.get $cnts) (v128.const i32x4 0 0 0 0))
          (local.set $co (i32.const 0))
          (block $codone (loop $coloop
            (br_if $codone (i32.ge_s (local.get $co) (local.get $Co)))
            (local.set $q (i32.load (i32.add (local.get $idx) (i32.shl (i32.add (local.get $cell) (local.get $co)) (i32.const 2)))))
            (local.set $g (f32.mul
              (f32.load (i32.add (local.get $gp) (i32.shl (i32.add (local.get $cell) (local.get $co)) (i32.const 2))))
              (f32.load (i32.add (local.get $d) (i32.shl (i32.add (local.get $cell) (local.get $co)) (i32.const 2))))))
            (if (f32.ne (local.get $g) (f32.const 0))
              (then
                ;; entry address: lists + 8 · (q · Co + count of list q); the four counts (branch-free: q is data)
                ;; are at lists + 32 · Co
                (local.set $w (i32.add (local.get $cnts) (i32.shl (local.get $q) (i32.const 2))))
                (local.set $e (i32.load (local.get $w)))
                (i32.store (local.get $w) (i32.add (local.get $e) (i32.const 1)))
                (local.set $e (i32.add (local.get $lists) (i32.shl (i32.add (i32.mul (local.get $q) (local.get $Co)) (local.get $e)) (i32.const 3))))
                (i32.store (local.get $e) (i32.mul (i32.mul (local.get $co) (i32.mul (local.get $KH) (local.get $KW))) (local.get $ciB)))
                (f32.store offset=4 (local.get $e) (local.get $g))))
            (local.set $co (i32.add (local.get $co) (i32.const 1)))
            (br $coloop)))
          ;; each list, each filter tap
          (local.set $q (i32.const 0))
          (block $qdone (loop $qloop
            (br_if $qdone (i32.ge_s (local.get $q) (i32.const 4)))
            (local.set $e (i32.add (local.get $lists) (i32.shl (i32.mul (local.get $q) (local.get $Co)) (i32.const 3))))
            (local.set $end (i32.add (local.get $e) (i32.shl (i32.load (i32.add (local.get $cnts) (i32.shl (local.get $q) (i32.const 2)))) (i32.const 3))))
            (if (i32.lt_u (local.get $e) (local.get $end)) (then
              (local.set $y (i32.add (i32.shl (local.get $py) (i32.const 1)) (i32.shr_u (local.get $q) (i32.const 1))))
              (local.set $x (i32.add (i32.shl (local.get $px) (i32.const 1)) (i32.and (local.get $q) (i32.const 1))))
              (local.set $kh (i32.const 0))
              (block $khdone (loop $khloop
                (br_if $khdone (i32.ge_s (local.get $kh) (local.get $KH)))
                (local.set $iy (i32.sub (i32.add (local.get $y) (local.get $kh)) (local.get $top)))
                (if (i32.and (i32.ge_s (local.get $iy) (i32.const 0)) (i32.lt_s (local.get $iy) (local.get $IH))) (then
                  (local.set $kw (i32.const 0))
                  (block $kwdone (loop $kwloop
                    (br_if $kwdone (i32.ge_s (local.get $kw) (local.get $KW)))
                    (local.set $ix (i32.sub (i32.add (local.get $x) (local.get $kw)) (local.get $left)))
                    (if (i32.and (i32.ge_s (local.get $ix) (i32.const 0)) (i32.lt_s (local.get $ix) (local.get $IW))) (then
                      ;; o: dx row of (n, iy, ix); wofs: byte offset of tap (kh, kw) inside one channel's filter
                      (local.set $o (i32.add (local.get $dx) (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $n) (local.get $IH)) (local.get $iy)) (local.get $IW)) (local.get $ix)) (local.get $ciB))))
                      (local.set $wofs (i32.add (local.get $wt) (i32.mul (i32.add (i32.mul (local.get $kh) (local.get $KW)) (local.get $kw)) (local.get $ciB))))
                      (local.set $ci (i32.const 0))
                      (block $c32done (loop $c32loop
                        (br_if $c32done (i32.ge_s (local.get $ci) (local.get $ci32)))
                        (local.set $a0 (v128.const i32x4 0 0 0 0))
                        (local.set $a1 (v128.const i32x4 0 0 0 0))
                        (local.set $a2 (v128.const i32x4 0 0 0 0))
                        (local.set $a3 (v128.const i32x4 0 0 0 0))
                        (local.set $a4 (v128.const i32x4 0 0 0 0))
                        (local.set $a5 (v128.const i32x4 0 0 0 0))
                        (local.set $a6 (v128.const i32x4 0 0 0 0))
                        (local.set $a7 (v128.const i32x4 0 0 0 0))
                        (local.set $e (i32.add (local.get $lists) (i32.shl (i32.mul (local.get $q) (local.get $Co)) (i32.const 3))))
                        (loop $entries
                            (local.set $gs (f32x4.splat (f32.load offset=4 (local.get $e))))
                            (local.set $w (i32.add (i32.add (i32.load (local.get $e)) (local.get $wofs)) (i32.shl (local.get $ci) (i32.const 2))))
                            (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $gs) (v128.load offset=0 align=4 (local.get $w)))))
                            (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $gs) (v128.load offset=16 align=4 (local.get $w)))))
                            (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $gs) (v128.load offset=32 align=4 (local.get $w)))))
                            (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $gs) (v128.load offset=48 align=4 (local.get $w)))))
                            (local.set $a4 (f32x4.add (local.get $a4) (f32x4.mul (local.get $gs) (v128.load offset=64 align=4 (local.get $w)))))
                            (local.set $a5 (f32x4.add (local.get $a5) (f32x4.mul (local.get $gs) (v128.load offset=80 align=4 (local.get $w)))))
                            (local.set $a6 (f32x4.add (local.get $a6) (f32x4.mul (local.get $gs) (v128.load offset=96 align=4 (local.get $w)))))
                            (local.set $a7 (f32x4.add (local.get $a7) (f32x4.mul (local.get $gs) (v128.load offset=112 align=4 (local.get $w)))))
                            (local.set $e (i32.add (local.get $e) (i32.const 8)))
                            (br_if $entries (i32.lt_u (local.get $e) (local.get $end))))
                        (v128.store offset=0 align=4 (local.get $o) (f32x4.add (v128.load offset=0 align=4 (local.get $o)) (local.get $a0)))
                        (v128.store offset=16 align=4 (local.get $o) (f32x4.add (v128.load offset=16 align=4 (local.get $o)) (local.get $a1)))
                        (v128.store offset=32 align=4 (local.get $o) (f32x4.add (v128.load offset=32 align=4 (local.get $o)) (local.get $a2)))
                        (v128.store offset=48 align=4 (local.get $o) (f32x4.add (v128.load offset=48 align=4 (local.get $o)) (local.get $a3)))
                        (v128.store offset=64 align=4 (local.get $o) (f32x4.add (v128.load offset=64 align=4 (local.get $o)) (local.get $a4)))
                        (v128.store offset=80 align=4 (local.get $o) (f32x4.add (v128.load offset=80 align=4 (local.get $o)) (local.get $a5)))
                        (v128.store offset=96 align=4 (local.get $o) (f32x4.add (v128.load offset=96 align=4 (local.get $o)) (local.get $a6)))
                        (v128.store offset=112 align=4 (local.get $o) (f32x4.add (v128.load offset=112 align=4 (local.get $o)) (local.get $a7)))
                        (local.set $o (i32.add (local.get $o) (i32.const 128)))
                        (local.set $ci (i32.add (local.get $ci) (i32.const 32)))
                        (br $c32loop)))
                      (block $c4done (loop $c4loop
                        (br_if $c4done (i32.ge_s (local.get $ci) (local.get $ci4)))
                        (local.set $a0 (v128.const i32x4 0 0 0 0))
                        (local.set $e (i32.add (local.get $lists) (i32.shl (i32.mul (local.get $q) (local.get $Co)) (i32.const 3))))
                        (loop $entries4
                            (local.set $w (i32.add (i32.add (i32.load (local.get $e)) (local.get $wofs)) (i32.shl (local.get $ci) (i32.const 2))))
                            (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (f32x4.splat (f32.load offset=4 (local.get $e))) (v128.load align=4 (local.get $w)))))
                            (local.set $e (i32.add (local.get $e) (i32.const 8)))
                            (br_if $entries4 (i32.lt_u (local.get $e) (local.get $end))))
                        (v128.store align=4 (local.get $o) (f32x4.add (v128.load align=4 (local.get $o)) (local.get $a0)))
                        (local.set $o (i32.add (local.get $o) (i32.const 16)))
                        (local.set $ci (i32.add (local.get $ci) (i32.const 4)))
                        (br $c4loop)))
                      (block $c1done (loop $c1loop
                        (br_if $c1done (i32.ge_s (local.get $ci) (local.get $Ci)))
                        (local.set $s (f32.const 0))
                        (local.set $e (i32.add (local.get $lists) (i32.shl (i32.mul (local.get $q) (local.get $Co)) (i32.const 3))))
                        (loop $entries1
                            (local.set $w (i32.add (i32.add (i32.load (local.get $e)) (local.get $wofs)) (i32.shl (local.get $ci) (i32.const 2))))
                            (local.set $s (f32.add (local.get $s) (f32.mul (f32.load offset=4 (local.get $e)) (f32.load (local.get $w)))))
                            (local.set $e (i32.add (local.get $e) (i32.const 8)))
                            (br_if $entries1 (i32.lt_u (local.get $e) (local.get $end))))
                        (f32.store (local.get $o) (f32.add (f32.load (local.get $o)) (local.get $s)))
                        (local.set $o (i32.add (local.get $o) (i32.const 4)))
                        (local.set $ci (i32.add (local.get $ci) (i32.const 1)))
                        (br $c1loop)))))
                    (local.set $kw (i32.add (local.get $kw) (i32.const 1)))
                    (br $kwloop)))))
                (local.set $kh (i32.add (local.get $kh) (i32.const 1)))
                (br $khloop)))))
            (local.set $q (i32.add (local.get $q) (i32.const 1)))
            (br $qloop)))
          (local.set $px (i32.add (local.get $px) (i32.const 1)))
          (br $pxloop)))
        (local.set $py (i32.add (local.get $py) (i32.const 1)))
        (br $pyloop)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $nloop))))

  ;; Winograd F(2 × 2, 3 × 3) (Lavin & Gray 2016) for a 3 × 3 convolution at stride 1, in three steps: this input
  ;; transform, 16 matrix products M_k = V_k · U_k (XNNPACK, one per position k of the 4 × 4 transformed tile; U_k is
  ;; the transformed filter [Ci, Co]) and the output transform below — 16 instead of 36 multiplies per 2 × 2 outputs.
  ;; x [N, H, W, Ci] (Ci a multiple of 4); output tile (ty, tx) covers outputs (2ty .. 2ty + 1, 2tx .. 2tx + 1), whose
  ;; 4 × 4 input patch d starts at (2ty − top, 2tx − left); positions outside x read the zero block `zero` (Ci floats).
  ;; V_k [T, Ci] with T = N · TH · TW, tile-major, V = Bᵀ d B with Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1],
  ;; lane-wise over channels; tab holds the 16 byte offsets of V_0 … V_15.
  (func (export "winogradInput") (param $x i32) (param $N i32) (param $H i32) (param $W i32) (param $Ci i32)
      (param $TH i32) (param $TW i32) (param $top i32) (param $left i32) (param $zero i32) (param $tab i32)
    (local $n i32) (local $ty i32) (local $tx i32) (local $nH i32) (local $ry i32) (local $cx i32) (local $cb i32)
    (local $c i32) (local $o i32)
    (local $s00 i32) (local $s01 i32) (local $s02 i32) (local $s03 i32) (local $s10 i32) (local $s11 i32) (local $s12 i32) (local $s13 i32) (local $s20 i32) (local $s21 i32) (local $s22 i32) (local $s23 i32) (local $s30 i32) (local $s31 i32) (local $s32 i32) (local $s33 i32)
    (local $d00 v128) (local $d01 v128) (local $d02 v128) (local $d03 v128) (local $d10 v128) (local $d11 v128) (local $d12 v128) (local $d13 v128) (local $d20 v128) (local $d21 v128) (local $d22 v128) (local $d23 v128) (local $d30 v128) (local $d31 v128) (local $d32 v128) (local $d33 v128)
    (local $r00 v128) (local $r01 v128) (local $r02 v128) (local $r03 v128) (local $r10 v128) (local $r11 v128) (local $r12 v128) (local $r13 v128) (local $r20 v128) (local $r21 v128) (local $r22 v128) (local $r23 v128) (local $r30 v128) (local $r31 v128) (local $r32 v128) (local $r33 v128)
    (local.set $cb (i32.shl (local.get $Ci) (i32.const 2)))
    (block $ndone (loop $nloop
      (br_if $ndone (i32.ge_s (local.get $n) (local.get $N)))
      (local.set $nH (i32.mul (local.get $n) (local.get $H)))
      (local.set $ty (i32.const 0))
      (block $tydone (loop $tyloop
        (br_if $tydone (i32.ge_s (local.get $ty) (local.get $TH)))
        (local.set $tx (i32.const 0))
        (block $txdone (loop $txloop
          (br_if $txdone (i32.ge_s (local.get $tx) (local.get $TW)))
          (local.set $ry (i32.sub (i32.add (i32.shl (local.get $ty) (i32.const 1)) (i32.const 0)) (local.get $top)))
          (local.set $cx (i32.sub (i32.add (i32.shl (local.get $tx) (i32.const 1)) (i32.const 0)) (local.get $left)))
          (local.set $s00 (select (i32.add (local.get $x) (i32.mul (i32.add (i32.mul (i32.add (local.get $nH) (local.get $ry)) (local.get $W)) (local.get $cx)) (local.get $cb))) (local.get $zero) (i32.and (i32.lt_u (local.get $ry) (local.get $H)) (i32.lt_u (local.get $cx) (local.get $W)))))
          (local.set $cx (i32.sub (i32.add (i32.shl (local.get $tx) (i32.const 1)) (i32.const 1)) (local.get $left)))
          (local.set $s01 (select (i32.add (local.get $x) (i32.mul (i32.add (i32.mul (i32.add (local.get $nH) (local.get $ry)) (local.get $W)) (local.get $cx)) (local.get $cb))) (local.get $zero) (i32.and (i32.lt_u (local.get $ry) (local.get $H)) (i32.lt_u (local.get $cx) (local.get $W)))))
          (local.set $cx (i32.sub (i32.add (i32.shl (local.get $tx) (i32.const 1)) (i32.const 2)) (local.get $left)))
          (local.set $s02 (select (i32.add (local.get $x) (i32.mul (i32.add (i32.mul (i32.add (local.get $nH) (local.get $ry)) (local.get $W)) (local.get $cx)) (local.get $cb))) (local.get $zero) (i32.and (i32.lt_u (local.get $ry) (local.get $H)) (i32.lt_u (local.get $cx) (local.get $W)))))
          (local.set $cx (i32.sub (i32.add (i32.shl (local.get $tx) (i32.const 1)) (i32.const 3)) (local.get $left)))
          (local.set $s03 (select (i32.add (local.get $x) (i32.mul (i32.add (i32.mul (i32.add (local.get $nH) (local.get $ry)) (local.get $W)) (local.get $cx)) (local.get $cb))) (local.get $zero) (i32.and (i32.lt_u (local.get $ry) (local.get $H)) (i32.lt_u (local.get $cx) (local.get $W)))))
          (local.set $ry (i32.sub (i32.add (i32.shl (local.get $ty) (i32.const 1)) (i32.const 1)) (local.get $top)))
          (local.set $cx (i32.sub (i32.add (i32.shl (local.get $tx) (i32.const 1)) (i32.const 0)) (local.get $left)))
          (local.set $s10 (select (i32.add (local.get $x) (i32.mul (i32.add (i32.mul (i32.add (local.get $nH) (local.get $ry)) (local.get $W)) (local.get $cx)) (local.get $cb))) (local.get $zero) (i32.and (i32.lt_u (local.get $ry) (local.get $H)) (i32.lt_u (local.get $cx) (local.get $W)))))
          (local.set $cx (i32.sub (i32.add (i32.shl (local.get $tx) (i32.const 1)) (i32.const 1)) (local.get $left)))
          (local.set $s11 (select (i32.add (local.get $x) (i32.mul (i32.add (i32.mul (i32.add (local.get $nH) (local.get $ry)) (local.get $W)) (local.get $cx)) (local.get $cb))) (local.get $zero) (i32.and (i32.lt_u (local.get $ry) (local.get $H)) (i32.lt_u (local.get $cx) (local.get $W)))))
          (local.set $cx (i32.sub (i32.add (i32.shl (local.get $tx) (i32.const 1)) (i32.const 2)) (local.get $left)))
          (local.set $s12 (select (i32.add (local.get $x) (i32.mul (i32.add (i32.mul (i32.add (local.get $nH) (local.get $ry)) (local.get $W)) (local.get $cx)) (local.get $cb))) (local.get $zero) (i32.and (i32.lt_u (local.get $ry) (local.get $H)) (i32.lt_u (local.get $cx) (local.get $W)))))
          (local.set $cx (i32.sub (i32.add (i32.shl (local.get $tx) (i32.const 1)) (i32.const 3)) (local.get $left)))
          (local.set $s13 (select (i32.add (local.get $x) (i32.mul (i32.add (i32.mul (i32.add (local.get $nH) (local.get $ry)) (local.get $W)) (local.get $cx)) (local.get $cb))) (local.get $zero) (i32.and (i32.lt_u (local.get $ry) (local.get $H)) (i32.lt_u (local.get $cx) (local.get $W)))))
          (local.set $ry (i32.sub (i32.add (i32.shl (local.get $ty) (i32.const 1)) (i32.const 2)) (local.get $top)))
          (local.set $cx (i32.sub (i32.add (i32.shl (local.get $tx) (i32.const 1)) (i32.const 0)) (local.get $left)))
          (local.set $s20 (select (i32.add (local.get $x) (i32.mul (i32.add (i32.mul (i32.add (local.get $nH) (local.get $ry)) (local.get $W)) (local.get $cx)) (local.get $cb))) (local.get $zero) (i32.and (i32.lt_u (local.get $ry) (local.get $H)) (i32.lt_u (local.get $cx) (local.get $W)))))
          (local.set $cx (i32.sub (i32.add (i32.shl (local.get $tx) (i32.const 1)) (i32.const 1)) (local.get $left)))
          (local.set $s21 (select (i32.add (local.get $x) (i32.mul (i32.add (i32.mul (i32.add (local.get $nH) (local.get $ry)) (local.get $W)) (local.get $cx)) (local.get $cb))) (local.get $zero) (i32.and (i32.lt_u (local.get $ry) (local.get $H)) (i32.lt_u (local.get $cx) (local.get $W)))))
          (local.set $cx (i32.sub (i32.add (i32.shl (local.get $tx) (i32.const 1)) (i32.const 2)) (local.get $left)))
          (local.set $s22 (select (i32.add (local.get $x) (i32.mul (i32.add (i32.mul (i32.add (local.get $nH) (local.get $ry)) (local.get $W)) (local.get $cx)) (local.get $cb))) (local.get $zero) (i32.and (i32.lt_u (local.get $ry) (local.get $H)) (i32.lt_u (local.get $cx) (local.get $W)))))
          (local.set $cx (i32.sub (i32.add (i32.shl (local.get $tx) (i32.const 1)) (i32.const 3)) (local.get $left)))
          (local.set $s23 (select (i32.add (local.get $x) (i32.mul (i32.add (i32.mul (i32.add (local.get $nH) (local.get $ry)) (local.get $W)) (local.get $cx)) (local.get $cb))) (local.get $zero) (i32.and (i32.lt_u (local.get $ry) (local.get $H)) (i32.lt_u (local.get $cx) (local.get $W)))))
          (local.set $ry (i32.sub (i32.add (i32.shl (local.get $ty) (i32.const 1)) (i32.const 3)) (local.get $top)))
          (local.set $cx (i32.sub (i32.add (i32.shl (local.get $tx) (i32.const 1)) (i32.const 0)) (local.get $left)))
          (local.set $s30 (select (i32.add (local.get $x) (i32.mul (i32.add (i32.mul (i32.add (local.get $nH) (local.get $ry)) (local.get $W)) (local.get $cx)) (local.get $cb))) (local.get $zero) (i32.and (i32.lt_u (local.get $ry) (local.get $H)) (i32.lt_u (local.get $cx) (local.get $W)))))
          (local.set $cx (i32.sub (i32.add (i32.shl (local.get $tx) (i32.const 1)) (i32.const 1)) (local.get $left)))
          (local.set $s31 (select (i32.add (local.get $x) (i32.mul (i32.add (i32.mul (i32.add (local.get $nH) (local.get $ry)) (local.get $W)) (local.get $cx)) (local.get $cb))) (local.get $zero) (i32.and (i32.lt_u (local.get $ry) (local.get $H)) (i32.lt_u (local.get $cx) (local.get $W)))))
          (local.set $cx (i32.sub (i32.add (i32.shl (local.get $tx) (i32.const 1)) (i32.const 2)) (local.get $left)))
          (local.set $s32 (select (i32.add (local.get $x) (i32.mul (i32.add (i32.mul (i32.add (local.get $nH) (local.get $ry)) (local.get $W)) (local.get $cx)) (local.get $cb))) (local.get $zero) (i32.and (i32.lt_u (local.get $ry) (local.get $H)) (i32.lt_u (local.get $cx) (local.get $W)))))
          (local.set $cx (i32.sub (i32.add (i32.shl (local.get $tx) (i32.const 1)) (i32.const 3)) (local.get $left)))
          (local.set $s33 (select (i32.add (local.get $x) (i32.mul (i32.add (i32.mul (i32.add (local.get $nH) (local.get $ry)) (local.get $W)) (local.get $cx)) (local.get $cb))) (local.get $zero) (i32.and (i32.lt_u (local.get $ry) (local.get $H)) (i32.lt_u (local.get $cx) (local.get $W)))))
          (local.set $c (i32.const 0))
          (block $cdone (loop $cloop
                (br_if $cdone (i32.ge_u (local.get $c) (local.get $cb)))
                (local.set $d00 (v128.load align=4 (i32.add (local.get $s00) (local.get $c))))
                (local.set $d01 (v128.load align=4 (i32.add (local.get $s01) (local.get $c))))
                (local.set $d02 (v128.load align=4 (i32.add (local.get $s02) (local.get $c))))
                (local.set $d03 (v128.load align=4 (i32.add (local.get $s03) (local.get $c))))
                (local.set $d10 (v128.load align=4 (i32.add (local.get $s10) (local.get $c))))
                (local.set $d11 (v128.load align=4 (i32.add (local.get $s11) (local.get $c))))
                (local.set $d12 (v128.load align=4 (i32.add (local.get $s12) (local.get $c))))
                (local.set $d13 (v128.load align=4 (i32.add (local.get $s13) (local.get $c))))
                (local.set $d20 (v128.load align=4 (i32.add (local.get $s20) (local.get $c))))
                (local.set $d21 (v128.load align=4 (i32.add (local.get $s21) (local.get $c))))
                (local.set $d22 (v128.load align=4 (i32.add (local.get $s22) (local.get $c))))
                (local.set $d23 (v128.load align=4 (i32.add (local.get $s23) (local.get $c))))
                (local.set $d30 (v128.load align=4 (i32.add (local.get $s30) (local.get $c))))
                (local.set $d31 (v128.load align=4 (i32.add (local.get $s31) (local.get $c))))
                (local.set $d32 (v128.load align=4 (i32.add (local.get $s32) (local.get $c))))
                (local.set $d33 (v128.load align=4 (i32.add (local.get $s33) (local.get $c))))
                (local.set $r00 (f32x4.sub (local.get $d00) (local.get $d20)))
                (local.set $r10 (f32x4.add (local.get $d10) (local.get $d20)))
                (local.set $r20 (f32x4.sub (local.get $d20) (local.get $d10)))
                (local.set $r30 (f32x4.sub (local.get $d10) (local.get $d30)))
                (local.set $r01 (f32x4.sub (local.get $d01) (local.get $d21)))
                (local.set $r11 (f32x4.add (local.get $d11) (local.get $d21)))
                (local.set $r21 (f32x4.sub (local.get $d21) (local.get $d11)))
                (local.set $r31 (f32x4.sub (local.get $d11) (local.get $d31)))
                (local.set $r02 (f32x4.sub (local.get $d02) (local.get $d22)))
                (local.set $r12 (f32x4.add (local.get $d12) (local.get $d22)))
                (local.set $r22 (f32x4.sub (local.get $d22) (local.get $d12)))
                (local.set $r32 (f32x4.sub (local.get $d12) (local.get $d32)))
                (local.set $r03 (f32x4.sub (local.get $d03) (local.get $d23)))
                (local.set $r13 (f32x4.add (local.get $d13) (local.get $d23)))
                (local.set $r23 (f32x4.sub (local.get $d23) (local.get $d13)))
                (local.set $r33 (f32x4.sub (local.get $d13) (local.get $d33)))
                (v128.store align=4 (i32.add (i32.load offset=0 (local.get $tab)) (local.get $o)) (f32x4.sub (local.get $r00) (local.get $r02)))
                (v128.store align=4 (i32.add (i32.load offset=4 (local.get $tab)) (local.get $o)) (f32x4.add (local.get $r01) (local.get $r02)))
                (v128.store align=4 (i32.add (i32.load offset=8 (local.get $tab)) (local.get $o)) (f32x4.sub (local.get $r02) (local.get $r01)))
                (v128.store align=4 (i32.add (i32.load offset=12 (local.get $tab)) (local.get $o)) (f32x4.sub (local.get $r01) (local.get $r03)))
                (v128.store align=4 (i32.add (i32.load offset=16 (local.get $tab)) (local.get $o)) (f32x4.sub (local.get $r10) (local.get $r12)))
                (v128.store align=4 (i32.add (i32.load offset=20 (local.get $tab)) (local.get $o)) (f32x4.add (local.get $r11) (local.get $r12)))
                (v128.store align=4 (i32.add (i32.load offset=24 (local.get $tab)) (local.get $o)) (f32x4.sub (local.get $r12) (local.get $r11)))
                (v128.store align=4 (i32.add (i32.load offset=28 (local.get $tab)) (local.get $o)) (f32x4.sub (local.get $r11) (local.get $r13)))
                (v128.store align=4 (i32.add (i32.load offset=32 (local.get $tab)) (local.get $o)) (f32x4.sub (local.get $r20) (local.get $r22)))
                (v128.store align=4 (i32.add (i32.load offset=36 (local.get $tab)) (local.get $o)) (f32x4.add (local.get $r21) (local.get $r22)))
                (v128.store align=4 (i32.add (i32.load offset=40 (local.get $tab)) (local.get $o)) (f32x4.sub (local.get $r22) (local.get $r21)))
                (v128.store align=4 (i32.add (i32.load offset=44 (local.get $tab)) (local.get $o)) (f32x4.sub (local.get $r21) (local.get $r23)))
                (v128.store align=4 (i32.add (i32.load offset=48 (local.get $tab)) (local.get $o)) (f32x4.sub (local.get $r30) (local.get $r32)))
                (v128.store align=4 (i32.add (i32.load offset=52 (local.get $tab)) (local.get $o)) (f32x4.add (local.get $r31) (local.get $r32)))
                (v128.store align=4 (i32.add (i32.load offset=56 (local.get $tab)) (local.get $o)) (f32x4.sub (local.get $r32) (local.get $r31)))
                (v128.store align=4 (i32.add (i32.load offset=60 (local.get $tab)) (local.get $o)) (f32x4.sub (local.get $r31) (local.get $r33)))
                (local.set $o (i32.add (local.get $o) (i32.const 16)))
                (local.set $c (i32.add (local.get $c) (i32.const 16)))
                (br $cloop)))
          (local.set $tx (i32.add (local.get $tx) (i32.const 1)))
          (br $txloop)))
        (local.set $ty (i32.add (local.get $ty) (i32.const 1)))
        (br $tyloop)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $nloop))))

  ;; The output transform of winogradInput's convolution: y [N, OH, OW, Co] from the products M_k [T, Co] (tab: their
  ;; 16 byte offsets), Y = Aᵀ M A with Aᵀ = [1 1 1 0; 0 1 −1 −1] per tile, lane-wise over channels (Co a multiple of
  ;; 4); a tile's second row or column is dropped where OH or OW is odd.
  (func (export "winogradOutput") (param $tab i32) (param $N i32) (param $OH i32) (param $OW i32) (param $Co i32)
      (param $TH i32) (param $TW i32) (param $y i32)
    (local $n i32) (local $ty i32) (local $tx i32) (local $cb i32) (local $c i32) (local $o i32)
    (local $p00 i32) (local $p01 i32) (local $p10 i32) (local $p11 i32) (local $okx i32) (local $oky i32)
    (local $d00 v128) (local $d01 v128) (local $d02 v128) (local $d03 v128) (local $d10 v128) (local $d11 v128) (local $d12 v128) (local $d13 v128) (local $d20 v128) (local $d21 v128) (local $d22 v128) (local $d23 v128) (local $d30 v128) (local $d31 v128) (local $d32 v128) (local $d33 v128)
    (local $r00 v128) (local $r01 v128) (local $r02 v128) (local $r03 v128) (local $r10 v128) (local $r11 v128) (local $r12 v128) (local $r13 v128)
    (local.set $cb (i32.shl (local.get $Co) (i32.const 2)))
    (block $ndone (loop $nloop
      (br_if $ndone (i32.ge_s (local.get $n) (local.get $N)))
      (local.set $ty (i32.const 0))
      (block $tydone (loop $tyloop
        (br_if $tydone (i32.ge_s (local.get $ty) (local.get $TH)))
        (local.set $tx (i32.const 0))
        (block $txdone (loop $txloop
          (br_if $txdone (i32.ge_s (local.get $tx) (local.get $TW)))
          (local.set $p00 (i32.add (local.get $y) (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $n) (local.get $OH)) (i32.shl (local.get $ty) (i32.const 1))) (local.get $OW))
            (i32.shl (local.get $tx) (i32.const 1))) (local.get $cb))))
          (local.set $p01 (i32.add (local.get $p00) (local.get $cb)))
          (local.set $p10 (i32.add (local.get $p00) (i32.mul (local.get $OW) (local.get $cb))))
          (local.set $p11 (i32.add (local.get $p10) (local.get $cb)))
          (local.set $okx (i32.lt_s (i32.add (i32.shl (local.get $tx) (i32.const 1)) (i32.const 1)) (local.get $OW)))
          (local.set $oky (i32.lt_s (i32.add (i32.shl (local.get $ty) (i32.const 1)) (i32.const 1)) (local.get $OH)))
          (local.set $c (i32.const 0))
          (block $cdone (loop $cloop
                (br_if $cdone (i32.ge_u (local.get $c) (local.get $cb)))
                (local.set $d00 (v128.load align=4 (i32.add (i32.load offset=0 (local.get $tab)) (local.get $o))))
                (local.set $d01 (v128.load align=4 (i32.add (i32.load offset=4 (local.get $tab)) (local.get $o))))
                (local.set $d02 (v128.load align=4 (i32.add (i32.load offset=8 (local.get $tab)) (local.get $o))))
                (local.set $d03 (v128.load align=4 (i32.add (i32.load offset=12 (local.get $tab)) (local.get $o))))
                (local.set $d10 (v128.load align=4 (i32.add (i32.load offset=16 (local.get $tab)) (local.get $o))))
                (local.set $d11 (v128.load align=4 (i32.add (i32.load offset=20 (local.get $tab)) (local.get $o))))
                (local.set $d12 (v128.load align=4 (i32.add (i32.load offset=24 (local.get $tab)) (local.get $o))))
                (local.set $d13 (v128.load align=4 (i32.add (i32.load offset=28 (local.get $tab)) (local.get $o))))
                (local.set $d20 (v128.load align=4 (i32.add (i32.load offset=32 (local.get $tab)) (local.get $o))))
                (local.set $d21 (v128.load align=4 (i32.add (i32.load offset=36 (local.get $tab)) (local.get $o))))
                (local.set $d22 (v128.load align=4 (i32.add (i32.load offset=40 (local.get $tab)) (local.get $o))))
                (local.set $d23 (v128.load align=4 (i32.add (i32.load offset=44 (local.get $tab)) (local.get $o))))
                (local.set $d30 (v128.load align=4 (i32.add (i32.load offset=48 (local.get $tab)) (local.get $o))))
                (local.set $d31 (v128.load align=4 (i32.add (i32.load offset=52 (local.get $tab)) (local.get $o))))
                (local.set $d32 (v128.load align=4 (i32.add (i32.load offset=56 (local.get $tab)) (local.get $o))))
                (local.set $d33 (v128.load align=4 (i32.add (i32.load offset=60 (local.get $tab)) (local.get $o))))
                (local.set $r00 (f32x4.add (f32x4.add (local.get $d00) (local.get $d10)) (local.get $d20)))
                (local.set $r10 (f32x4.sub (f32x4.sub (local.get $d10) (local.get $d20)) (local.get $d30)))
                (local.set $r01 (f32x4.add (f32x4.add (local.get $d01) (local.get $d11)) (local.get $d21)))
                (local.set $r11 (f32x4.sub (f32x4.sub (local.get $d11) (local.get $d21)) (local.get $d31)))
                (local.set $r02 (f32x4.add (f32x4.add (local.get $d02) (local.get $d12)) (local.get $d22)))
                (local.set $r12 (f32x4.sub (f32x4.sub (local.get $d12) (local.get $d22)) (local.get $d32)))
                (local.set $r03 (f32x4.add (f32x4.add (local.get $d03) (local.get $d13)) (local.get $d23)))
                (local.set $r13 (f32x4.sub (f32x4.sub (local.get $d13) (local.get $d23)) (local.get $d33)))
                (v128.store align=4 (i32.add (local.get $p00) (local.get $c)) (f32x4.add (f32x4.add (local.get $r00) (local.get $r01)) (local.get $r02)))
                (if (local.get $okx) (then (v128.store align=4 (i32.add (local.get $p01) (local.get $c)) (f32x4.sub (f32x4.sub (local.get $r01) (local.get $r02)) (local.get $r03)))))
                (if (local.get $oky) (then (v128.store align=4 (i32.add (local.get $p10) (local.get $c)) (f32x4.add (f32x4.add (local.get $r10) (local.get $r11)) (local.get $r12)))))
                (if (i32.and (local.get $oky) (local.get $okx)) (then (v128.store align=4 (i32.add (local.get $p11) (local.get $c)) (f32x4.sub (f32x4.sub (local.get $r11) (local.get $r12)) (local.get $r13)))))
                (local.set $o (i32.add (local.get $o) (i32.const 16)))
                (local.set $c (i32.add (local.get $c) (i32.const 16)))
                (br $cloop)))
          (local.set $tx (i32.add (local.get $tx) (i32.const 1)))
          (br $txloop)))
        (local.set $ty (i32.add (local.get $ty) (i32.const 1)))
        (br $tyloop)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $nloop))))

  ;; out[c] = Σ_r x[r, c] for x [rows, C], C a multiple of 4, summed in float64 in acc (C doubles of scratch), then
  ;; rounded to float32 into out.
  (func (export "columnSums") (param $x i32) (param $rows i32) (param $C i32) (param $acc i32) (param $out i32)
    (local $cb i32) (local $o i32) (local $end i32) (local $c i32) (local $a i32) (local $v v128)
    (local.set $cb (i32.shl (local.get $C) (i32.const 2)))
    (block $zdone
      (loop $zero
        (br_if $zdone (i32.ge_u (local.get $c) (local.get $C)))
        (f64.store (i32.add (local.get $acc) (i32.shl (local.get $c) (i32.const 3))) (f64.const 0))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $zero)))
    (local.set $end (i32.mul (local.get $rows) (local.get $cb)))
    (local.set $c (i32.const 0))
    (block $done
      (loop $vecs
        (br_if $done (i32.ge_u (local.get $o) (local.get $end)))
        (if (i32.ge_u (local.get $c) (local.get $cb)) (then (local.set $c (i32.const 0))))
        ;; four float32 lanes → two float64x2 halves, added to acc[c .. c + 3]
        (local.set $v (v128.load align=4 (i32.add (local.get $x) (local.get $o))))
        (local.set $a (i32.add (local.get $acc) (i32.shl (local.get $c) (i32.const 1))))
        (v128.store align=8 (local.get $a) (f64x2.add (v128.load align=8 (local.get $a)) (f64x2.promote_low_f32x4 (local.get $v))))
        (v128.store offset=16 align=8 (local.get $a)
          (f64x2.add (v128.load offset=16 align=8 (local.get $a))
            (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (br $vecs)))
    (local.set $c (i32.const 0))
    (block $wdone
      (loop $write
        (br_if $wdone (i32.ge_u (local.get $c) (local.get $C)))
        (f32.store (i32.add (local.get $out) (i32.shl (local.get $c) (i32.const 2)))
          (f32.demote_f64 (f64.load (i32.add (local.get $acc) (i32.shl (local.get $c) (i32.const 3))))))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $write))))

  ;; The filter gradient of a convolution whose width dilation is 1 (Conv2DBackpropFilter, conv-gradients.ts):
  ;;   dW[kh, kw, ci, co] = Σ_{n, oh, ow} xp[n, oh·sh + kh·dh, ow·sw + kw, ci] · dy[n, oh, ow, co]
  ;; on xp, the input zero-padded to [N, Hp, Wp, Ci] (real rows top … top + H − 1; 4 floats of slack after it), dy
  ;; [N, OH, OW, Co] (Co a multiple of 4). For one kh the KW·Ci values xp[n, h, ow·sw + kw, ci] (kw < KW, ci < Ci)
  ;; are contiguous: J = KW·Ci "virtual channels" j = kw·Ci + ci that start Ci·sw floats further at each output
  ;; position, so dW[kh] = [J, Co] is one product over positions, computed without im2col. acc [KH, Jpad, Co]
  ;; (Jpad = J rounded up to 4; acc is dW itself when J is a multiple of 4) is added to, so it must start at zero;
  ;; its rows J … Jpad − 1 receive garbage (reads past a window) and are dropped by the caller.
  ;; Register-blocked outer products: a tile of 4 virtual channels (splatted) × 8 output channels (two f32x4) in
  ;; eight f32x4 accumulators, summed over the positions of one image (rows of xp outside the image are skipped;
  ;; columns are not: padding columns hold zeros), then added to acc; a last tile of 4 × 4 when Co is 4 mod 8.
  (func (export "convFilterGrad") (param $xp i32) (param $dy i32) (param $acc i32)
      (param $N i32) (param $Hp i32) (param $Wp i32) (param $Ci i32) (param $OH i32) (param $OW i32) (param $Co i32)
      (param $KH i32) (param $J i32) (param $sh i32) (param $sw i32) (param $dh i32) (param $top i32) (param $H i32)
    (local $n i32) (local $kh i32) (local $co i32) (local $j i32) (local $oh i32) (local $h i32)
    (local $coB i32) (local $xStep i32) (local $xRowB i32) (local $dyRowB i32) (local $jTiles i32) (local $co8 i32)
    (local $xImg i32) (local $dImg i32) (local $accKh i32) (local $a i32) (local $xq i32) (local $dq i32) (local $end i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $a4 v128) (local $a5 v128) (local $a6 v128) (local $a7 v128)
    (local $s v128) (local $d0 v128) (local $d1 v128)
    (local.set $coB (i32.shl (local.get $Co) (i32.const 2)))
    (local.set $xStep (i32.shl (i32.mul (local.get $sw) (local.get $Ci)) (i32.const 2)))
    (local.set $xRowB (i32.shl (i32.mul (local.get $Wp) (local.get $Ci)) (i32.const 2)))
    (local.set $dyRowB (i32.mul (local.get $OW) (local.get $coB)))
    (local.set $jTiles (i32.shl (i32.and (i32.add (local.get $J) (i32.const 3)) (i32.const -4)) (i32.const 2))) ;; Jpad·4 bytes
    (local.set $co8 (i32.and (local.get $Co) (i32.const -8)))
    (block $ndone
      (loop $images
        (br_if $ndone (i32.ge_u (local.get $n) (local.get $N)))
        (local.set $xImg (i32.add (local.get $xp) (i32.mul (i32.mul (local.get $n) (local.get $Hp)) (local.get $xRowB))))
        (local.set $dImg (i32.add (local.get $dy) (i32.mul (i32.mul (local.get $n) (local.get $OH)) (local.get $dyRowB))))
        (local.set $kh (i32.const 0))
        (block $khdone
          (loop $taps
            (br_if $khdone (i32.ge_u (local.get $kh) (local.get $KH)))
            (local.set $accKh (i32.add (local.get $acc) (i32.mul (i32.mul (local.get $kh) (local.get $jTiles)) (local.get $Co))))
            ;; 4 × 8 tiles
            (local.set $co (i32.const 0))
            (block $codone
              (loop $cols
                (br_if $codone (i32.ge_u (local.get $co) (local.get $co8)))
                (local.set $j (i32.const 0))
                (block $jdone
                  (loop $chans
                    (br_if $jdone (i32.ge_u (local.get $j) (local.get $J)))
                    (local.set $a (i32.add (i32.add (local.get $accKh) (i32.mul (local.get $j) (local.get $coB))) (i32.shl (local.get $co) (i32.const 2))))
                    (local.set $a0 (v128.const i32x4 0 0 0 0)) (local.set $a1 (v128.const i32x4 0 0 0 0))
                    (local.set $a2 (v128.const i32x4 0 0 0 0)) (local.set $a3 (v128.const i32x4 0 0 0 0))
                    (local.set $a4 (v128.const i32x4 0 0 0 0)) (local.set $a5 (v128.const i32x4 0 0 0 0))
                    (local.set $a6 (v128.const i32x4 0 0 0 0)) (local.set $a7 (v128.const i32x4 0 0 0 0))
                    (local.set $oh (i32.const 0))
                    (block $ohdone
                      (loop $rows
                        (br_if $ohdone (i32.ge_u (local.get $oh) (local.get $OH)))
                        (local.set $h (i32.add (i32.mul (local.get $oh) (local.get $sh)) (i32.mul (local.get $kh) (local.get $dh))))
                        (if (i32.lt_u (i32.sub (local.get $h) (local.get $top)) (local.get $H))
                          (then
                            (local.set $xq (i32.add (i32.add (local.get $xImg) (i32.mul (local.get $h) (local.get $xRowB))) (i32.shl (local.get $j) (i32.const 2))))
                            (local.set $dq (i32.add (i32.add (local.get $dImg) (i32.mul (local.get $oh) (local.get $dyRowB))) (i32.shl (local.get $co) (i32.const 2))))
                            (local.set $end (i32.add (local.get $dq) (local.get $dyRowB)))
                            (loop $pos
                              (local.set $d0 (v128.load align=4 (local.get $dq)))
                              (local.set $d1 (v128.load offset=16 align=4 (local.get $dq)))
                              (local.set $s (v128.load32_splat align=4 (local.get $xq)))
                              (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $s) (local.get $d0))))
                              (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $s) (local.get $d1))))
                              (local.set $s (v128.load32_splat offset=4 align=4 (local.get $xq)))
                              (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $s) (local.get $d0))))
                              (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $s) (local.get $d1))))
                              (local.set $s (v128.load32_splat offset=8 align=4 (local.get $xq)))
                              (local.set $a4 (f32x4.add (local.get $a4) (f32x4.mul (local.get $s) (local.get $d0))))
                              (local.set $a5 (f32x4.add (local.get $a5) (f32x4.mul (local.get $s) (local.get $d1))))
                              (local.set $s (v128.load32_splat offset=12 align=4 (local.get $xq)))
                              (local.set $a6 (f32x4.add (local.get $a6) (f32x4.mul (local.get $s) (local.get $d0))))
                              (local.set $a7 (f32x4.add (local.get $a7) (f32x4.mul (local.get $s) (local.get $d1))))
                              (local.set $xq (i32.add (local.get $xq) (local.get $xStep)))
                              (local.set $dq (i32.add (local.get $dq) (local.get $coB)))
                              (br_if $pos (i32.lt_u (local.get $dq) (local.get $end))))))
                        (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
                        (br $rows)))
                    (v128.store align=4 (local.get $a) (f32x4.add (v128.load align=4 (local.get $a)) (local.get $a0)))
                    (v128.store offset=16 align=4 (local.get $a) (f32x4.add (v128.load offset=16 align=4 (local.get $a)) (local.get $a1)))
                    (local.set $a (i32.add (local.get $a) (local.get $coB)))
                    (v128.store align=4 (local.get $a) (f32x4.add (v128.load align=4 (local.get $a)) (local.get $a2)))
                    (v128.store offset=16 align=4 (local.get $a) (f32x4.add (v128.load offset=16 align=4 (local.get $a)) (local.get $a3)))
                    (local.set $a (i32.add (local.get $a) (local.get $coB)))
                    (v128.store align=4 (local.get $a) (f32x4.add (v128.load align=4 (local.get $a)) (local.get $a4)))
                    (v128.store offset=16 align=4 (local.get $a) (f32x4.add (v128.load offset=16 align=4 (local.get $a)) (local.get $a5)))
                    (local.set $a (i32.add (local.get $a) (local.get $coB)))
                    (v128.store align=4 (local.get $a) (f32x4.add (v128.load align=4 (local.get $a)) (local.get $a6)))
                    (v128.store offset=16 align=4 (local.get $a) (f32x4.add (v128.load offset=16 align=4 (local.get $a)) (local.get $a7)))
                    (local.set $j (i32.add (local.get $j) (i32.const 4)))
                    (br $chans)))
                (local.set $co (i32.add (local.get $co) (i32.const 8)))
                (br $cols)))
            ;; a last 4 × 4 tile when Co is 4 mod 8
            (if (i32.lt_u (local.get $co8) (local.get $Co))
              (then
                (local.set $j (i32.const 0))
                (block $jdone4
                  (loop $chans4
                    (br_if $jdone4 (i32.ge_u (local.get $j) (local.get $J)))
                    (local.set $a (i32.add (i32.add (local.get $accKh) (i32.mul (local.get $j) (local.get $coB))) (i32.shl (local.get $co8) (i32.const 2))))
                    (local.set $a0 (v128.const i32x4 0 0 0 0)) (local.set $a2 (v128.const i32x4 0 0 0 0))
                    (local.set $a4 (v128.const i32x4 0 0 0 0)) (local.set $a6 (v128.const i32x4 0 0 0 0))
                    (local.set $oh (i32.const 0))
                    (block $ohdone4
                      (loop $rows4
                        (br_if $ohdone4 (i32.ge_u (local.get $oh) (local.get $OH)))
                        (local.set $h (i32.add (i32.mul (local.get $oh) (local.get $sh)) (i32.mul (local.get $kh) (local.get $dh))))
                        (if (i32.lt_u (i32.sub (local.get $h) (local.get $top)) (local.get $H))
                          (then
                            (local.set $xq (i32.add (i32.add (local.get $xImg) (i32.mul (local.get $h) (local.get $xRowB))) (i32.shl (local.get $j) (i32.const 2))))
                            (local.set $dq (i32.add (i32.add (local.get $dImg) (i32.mul (local.get $oh) (local.get $dyRowB))) (i32.shl (local.get $co8) (i32.const 2))))
                            (local.set $end (i32.add (local.get $dq) (local.get $dyRowB)))
                            (loop $pos4
                              (local.set $d0 (v128.load align=4 (local.get $dq)))
                              (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (v128.load32_splat align=4 (local.get $xq)) (local.get $d0))))
                              (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (v128.load32_splat offset=4 align=4 (local.get $xq)) (local.get $d0))))
                              (local.set $a4 (f32x4.add (local.get $a4) (f32x4.mul (v128.load32_splat offset=8 align=4 (local.get $xq)) (local.get $d0))))
                              (local.set $a6 (f32x4.add (local.get $a6) (f32x4.mul (v128.load32_splat offset=12 align=4 (local.get $xq)) (local.get $d0))))
                              (local.set $xq (i32.add (local.get $xq) (local.get $xStep)))
                              (local.set $dq (i32.add (local.get $dq) (local.get $coB)))
                              (br_if $pos4 (i32.lt_u (local.get $dq) (local.get $end))))))
                        (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
                        (br $rows4)))
                    (v128.store align=4 (local.get $a) (f32x4.add (v128.load align=4 (local.get $a)) (local.get $a0)))
                    (local.set $a (i32.add (local.get $a) (local.get $coB)))
                    (v128.store align=4 (local.get $a) (f32x4.add (v128.load align=4 (local.get $a)) (local.get $a2)))
                    (local.set $a (i32.add (local.get $a) (local.get $coB)))
                    (v128.store align=4 (local.get $a) (f32x4.add (v128.load align=4 (local.get $a)) (local.get $a4)))
                    (local.set $a (i32.add (local.get $a) (local.get $coB)))
                    (v128.store align=4 (local.get $a) (f32x4.add (v128.load align=4 (local.get $a)) (local.get $a6)))
                    (local.set $j (i32.add (local.get $j) (i32.const 4)))
                    (br $chans4)))))
            (local.set $kh (i32.add (local.get $kh) (i32.const 1)))
            (br $taps)))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $images))))

  ;; The input gradient of a convolution with one input channel at stride 1 and dilation 1 (Conv2DBackpropInput,
  ;; conv-gradients.ts): dxp[n, oh + kh, ow + kw] += Σ_co dy[n, oh, ow, co] · w[kh, kw, co] for every output position
  ;; and tap, into dxp [N, Hp, Wp] (Hp ≥ OH + KH − 1, Wp ≥ OW + KW − 1; zero on entry), the input gradient padded by
  ;; the convolution's padding (the caller crops it). w is the filter [KH, KW, 1, Co], Co a multiple of 32. Per position,
  ;; 32 channels of dy at a time sit in eight f32x4 registers; each tap's dot product with them is summed across lanes
  ;; and added to dxp: no [positions, KH·KW] matrix and no col2im pass.
  (func (export "convInputGrad1") (param $dy i32) (param $w i32) (param $dxp i32)
      (param $N i32) (param $OH i32) (param $OW i32) (param $Co i32) (param $KH i32) (param $KW i32) (param $Hp i32) (param $Wp i32)
    (local $n i32) (local $oh i32) (local $ow i32) (local $kh i32) (local $kw i32)
    (local $coB i32) (local $p i32) (local $q i32) (local $end i32) (local $wt i32) (local $o i32)
    (local $c i32) (local $acc0 v128) (local $acc1 v128)
    (local $d0 v128) (local $d1 v128) (local $d2 v128) (local $d3 v128) (local $d4 v128) (local $d5 v128) (local $d6 v128) (local $d7 v128)
    (local.set $coB (i32.shl (local.get $Co) (i32.const 2)))
    (local.set $p (local.get $dy))
    (block $ndone
      (loop $images
        (br_if $ndone (i32.ge_u (local.get $n) (local.get $N)))
        (local.set $oh (i32.const 0))
        (block $ohdone
          (loop $rows
            (br_if $ohdone (i32.ge_u (local.get $oh) (local.get $OH)))
            (local.set $ow (i32.const 0))
            (block $owdone
              (loop $cols
                (br_if $owdone (i32.ge_u (local.get $ow) (local.get $OW)))
                (local.set $end (i32.add (local.get $p) (local.get $coB)))
                (local.set $c (i32.const 0))
                ;; 32 channels at a time: dy's in eight registers, then one dot product per tap
                (loop $chunks
                  (local.set $q (i32.add (local.get $p) (local.get $c)))
                  (local.set $d0 (v128.load align=4 (local.get $q)))
                  (local.set $d1 (v128.load offset=16 align=4 (local.get $q)))
                  (local.set $d2 (v128.load offset=32 align=4 (local.get $q)))
                  (local.set $d3 (v128.load offset=48 align=4 (local.get $q)))
                  (local.set $d4 (v128.load offset=64 align=4 (local.get $q)))
                  (local.set $d5 (v128.load offset=80 align=4 (local.get $q)))
                  (local.set $d6 (v128.load offset=96 align=4 (local.get $q)))
                  (local.set $d7 (v128.load offset=112 align=4 (local.get $q)))
                  (local.set $wt (i32.add (local.get $w) (local.get $c)))
                  (local.set $kh (i32.const 0))
                  (block $khdone
                    (loop $taprows
                      (br_if $khdone (i32.ge_u (local.get $kh) (local.get $KH)))
                      ;; byte offset of dxp[n, oh + kh, ow]
                      (local.set $o (i32.add (local.get $dxp) (i32.shl (i32.add (i32.mul (i32.add (i32.mul (local.get $n) (local.get $Hp))
                        (i32.add (local.get $oh) (local.get $kh))) (local.get $Wp)) (local.get $ow)) (i32.const 2))))
                      (local.set $kw (i32.const 0))
                      (block $kwdone
                        (loop $taps
                          (br_if $kwdone (i32.ge_u (local.get $kw) (local.get $KW)))
                          (local.set $acc0 (f32x4.add
                            (f32x4.add (f32x4.mul (local.get $d0) (v128.load align=4 (local.get $wt))) (f32x4.mul (local.get $d1) (v128.load offset=16 align=4 (local.get $wt))))
                            (f32x4.add (f32x4.mul (local.get $d2) (v128.load offset=32 align=4 (local.get $wt))) (f32x4.mul (local.get $d3) (v128.load offset=48 align=4 (local.get $wt))))))
                          (local.set $acc1 (f32x4.add
                            (f32x4.add (f32x4.mul (local.get $d4) (v128.load offset=64 align=4 (local.get $wt))) (f32x4.mul (local.get $d5) (v128.load offset=80 align=4 (local.get $wt))))
                            (f32x4.add (f32x4.mul (local.get $d6) (v128.load offset=96 align=4 (local.get $wt))) (f32x4.mul (local.get $d7) (v128.load offset=112 align=4 (local.get $wt))))))
                          (local.set $acc0 (f32x4.add (local.get $acc0) (local.get $acc1)))
                          (local.set $acc0 (f32x4.add (local.get $acc0) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $acc0) (local.get $acc0))))
                          (f32.store (local.get $o) (f32.add (f32.load (local.get $o))
                            (f32.add (f32x4.extract_lane 0 (local.get $acc0)) (f32x4.extract_lane 1 (local.get $acc0)))))
                          (local.set $o (i32.add (local.get $o) (i32.const 4)))
                          (local.set $wt (i32.add (local.get $wt) (local.get $coB)))
                          (local.set $kw (i32.add (local.get $kw) (i32.const 1)))
                          (br $taps)))
                      (local.set $kh (i32.add (local.get $kh) (i32.const 1)))
                      (br $taprows)))
                  (local.set $c (i32.add (local.get $c) (i32.const 128)))
                  (br_if $chunks (i32.lt_u (local.get $c) (local.get $coB))))
                (local.set $p (local.get $end))
                (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
                (br $cols)))
            (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
            (br $rows)))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $images))))
)

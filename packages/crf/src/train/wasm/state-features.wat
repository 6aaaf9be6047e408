;; The two loops over state features of the CRF gradient (objective.ts), for corpora whose labels fit in a byte.
;; Memory holds one shard of the corpus resolved to feature ranges (see feature-ranges.ts): itemStart (i32 per item,
;; T + 1 entries from the sequence's first item, global occurrence indices), range (i32 pairs [start, end) per
;; occurrence), labels (u8 per feature), optionally value (f64 per occurrence), and the f64 tables w, grad, unary
;; and node. Pointers are byte offsets. Compiled to state-features-wasm.ts by `npm run build:wasm`; the JavaScript
;; loops of objective.ts are the reference the tests compare these with.
(module
  (import "env" "memory" (memory 1))

  ;; scores: out[t·L + labels[k]] += w[k] for the features k of every occurrence of items t < T (out zeroed by the caller).
  ;; scoresWeighted: the same with value[j]·w[k].
  ;; expect: grad[k] += node[t·L + labels[k]];  expectWeighted: grad[k] += value[j]·node[t·L + labels[k]].
  (func (export "scores") (param $T i32) (param $L i32) (param $itemStart i32) (param $range i32) (param $labels i32) (param $w i32) (param $out i32)
    (local $t i32) (local $j i32) (local $j1 i32) (local $k i32) (local $k1 i32) (local $o i32) (local $a i32)
    (block $tdone (loop $tl
      (br_if $tdone (i32.ge_s (local.get $t) (local.get $T)))
      (local.set $o (i32.add (local.get $out) (i32.shl (i32.mul (local.get $t) (local.get $L)) (i32.const 3))))
      (local.set $j (i32.load (i32.add (local.get $itemStart) (i32.shl (local.get $t) (i32.const 2)))))
      (local.set $j1 (i32.load offset=4 (i32.add (local.get $itemStart) (i32.shl (local.get $t) (i32.const 2)))))
      (block $jdone (loop $jl
        (br_if $jdone (i32.ge_s (local.get $j) (local.get $j1)))
        (local.set $k (i32.load (i32.add (local.get $range) (i32.shl (local.get $j) (i32.const 3)))))
        (local.set $k1 (i32.load offset=4 (i32.add (local.get $range) (i32.shl (local.get $j) (i32.const 3)))))
        (block $kdone (loop $kl
          (br_if $kdone (i32.ge_s (local.get $k) (local.get $k1)))
          (local.set $a (i32.add (local.get $o) (i32.shl (i32.load8_u (i32.add (local.get $labels) (local.get $k))) (i32.const 3))))
          (f64.store (local.get $a) (f64.add (f64.load (local.get $a)) (f64.load (i32.add (local.get $w) (i32.shl (local.get $k) (i32.const 3))))))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br $kl)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $jl)))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br $tl))))

  (func (export "scoresWeighted") (param $T i32) (param $L i32) (param $itemStart i32) (param $range i32) (param $labels i32) (param $w i32) (param $value i32) (param $out i32)
    (local $t i32) (local $j i32) (local $j1 i32) (local $k i32) (local $k1 i32) (local $o i32) (local $a i32) (local $v f64)
    (block $tdone (loop $tl
      (br_if $tdone (i32.ge_s (local.get $t) (local.get $T)))
      (local.set $o (i32.add (local.get $out) (i32.shl (i32.mul (local.get $t) (local.get $L)) (i32.const 3))))
      (local.set $j (i32.load (i32.add (local.get $itemStart) (i32.shl (local.get $t) (i32.const 2)))))
      (local.set $j1 (i32.load offset=4 (i32.add (local.get $itemStart) (i32.shl (local.get $t) (i32.const 2)))))
      (block $jdone (loop $jl
        (br_if $jdone (i32.ge_s (local.get $j) (local.get $j1)))
        (local.set $v (f64.load (i32.add (local.get $value) (i32.shl (local.get $j) (i32.const 3)))))
        (local.set $k (i32.load (i32.add (local.get $range) (i32.shl (local.get $j) (i32.const 3)))))
        (local.set $k1 (i32.load offset=4 (i32.add (local.get $range) (i32.shl (local.get $j) (i32.const 3)))))
        (block $kdone (loop $kl
          (br_if $kdone (i32.ge_s (local.get $k) (local.get $k1)))
          (local.set $a (i32.add (local.get $o) (i32.shl (i32.load8_u (i32.add (local.get $labels) (local.get $k))) (i32.const 3))))
          (f64.store (local.get $a) (f64.add (f64.load (local.get $a)) (f64.mul (local.get $v) (f64.load (i32.add (local.get $w) (i32.shl (local.get $k) (i32.const 3)))))))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br $kl)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $jl)))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br $tl))))

  (func (export "expect") (param $T i32) (param $L i32) (param $itemStart i32) (param $range i32) (param $labels i32) (param $node i32) (param $grad i32)
    (local $t i32) (local $j i32) (local $j1 i32) (local $k i32) (local $k1 i32) (local $o i32) (local $a i32)
    (block $tdone (loop $tl
      (br_if $tdone (i32.ge_s (local.get $t) (local.get $T)))
      (local.set $o (i32.add (local.get $node) (i32.shl (i32.mul (local.get $t) (local.get $L)) (i32.const 3))))
      (local.set $j (i32.load (i32.add (local.get $itemStart) (i32.shl (local.get $t) (i32.const 2)))))
      (local.set $j1 (i32.load offset=4 (i32.add (local.get $itemStart) (i32.shl (local.get $t) (i32.const 2)))))
      (block $jdone (loop $jl
        (br_if $jdone (i32.ge_s (local.get $j) (local.get $j1)))
        (local.set $k (i32.load (i32.add (local.get $range) (i32.shl (local.get $j) (i32.const 3)))))
        (local.set $k1 (i32.load offset=4 (i32.add (local.get $range) (i32.shl (local.get $j) (i32.const 3)))))
        (block $kdone (loop $kl
          (br_if $kdone (i32.ge_s (local.get $k) (local.get $k1)))
          (local.set $a (i32.add (local.get $grad) (i32.shl (local.get $k) (i32.const 3))))
          (f64.store (local.get $a) (f64.add (f64.load (local.get $a)) (f64.load (i32.add (local.get $o) (i32.shl (i32.load8_u (i32.add (local.get $labels) (local.get $k))) (i32.const 3))))))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br $kl)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $jl)))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br $tl))))

  (func (export "expectWeighted") (param $T i32) (param $L i32) (param $itemStart i32) (param $range i32) (param $labels i32) (param $node i32) (param $value i32) (param $grad i32)
    (local $t i32) (local $j i32) (local $j1 i32) (local $k i32) (local $k1 i32) (local $o i32) (local $a i32) (local $v f64)
    (block $tdone (loop $tl
      (br_if $tdone (i32.ge_s (local.get $t) (local.get $T)))
      (local.set $o (i32.add (local.get $node) (i32.shl (i32.mul (local.get $t) (local.get $L)) (i32.const 3))))
      (local.set $j (i32.load (i32.add (local.get $itemStart) (i32.shl (local.get $t) (i32.const 2)))))
      (local.set $j1 (i32.load offset=4 (i32.add (local.get $itemStart) (i32.shl (local.get $t) (i32.const 2)))))
      (block $jdone (loop $jl
        (br_if $jdone (i32.ge_s (local.get $j) (local.get $j1)))
        (local.set $v (f64.load (i32.add (local.get $value) (i32.shl (local.get $j) (i32.const 3)))))
        (local.set $k (i32.load (i32.add (local.get $range) (i32.shl (local.get $j) (i32.const 3)))))
        (local.set $k1 (i32.load offset=4 (i32.add (local.get $range) (i32.shl (local.get $j) (i32.const 3)))))
        (block $kdone (loop $kl
          (br_if $kdone (i32.ge_s (local.get $k) (local.get $k1)))
          (local.set $a (i32.add (local.get $grad) (i32.shl (local.get $k) (i32.const 3))))
          (f64.store (local.get $a) (f64.add (f64.load (local.get $a)) (f64.mul (local.get $v) (f64.load (i32.add (local.get $o) (i32.shl (i32.load8_u (i32.add (local.get $labels) (local.get $k))) (i32.const 3)))))))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br $kl)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $jl)))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br $tl))))
)

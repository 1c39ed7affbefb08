;; switchyard score kernels (WebAssembly SIMD, v128).
;; Built by src/internal/build-wasm.mjs into src/internal/simd-kernel-wasm.ts (base64).
;;
;; Layout contract (enforced by project-index.ts):
;;   - every row starts at a 16-byte aligned address,
;;   - `stride` (elements per row) is a multiple of 32, rows are zero padded,
;;     so the loops need no tail handling and padding adds 0 to every dot.
(module
  (import "env" "memory" (memory 1))

  ;; out[r] = dot(mat[r], q) for r in [0, rows).  f32 rows, stride in floats.
  (func (export "dot_f32")
    (param $mat i32) (param $q i32) (param $out i32) (param $rows i32) (param $stride i32)
    (local $rowp i32) (local $qp i32) (local $end i32) (local $outEnd i32) (local $rowBytes i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local.set $rowBytes (i32.shl (local.get $stride) (i32.const 2)))
    (local.set $rowp (local.get $mat))
    (local.set $outEnd (i32.add (local.get $out) (i32.shl (local.get $rows) (i32.const 2))))
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $out) (local.get $outEnd)))
        (local.set $a0 (v128.const i32x4 0 0 0 0))
        (local.set $a1 (v128.const i32x4 0 0 0 0))
        (local.set $a2 (v128.const i32x4 0 0 0 0))
        (local.set $a3 (v128.const i32x4 0 0 0 0))
        (local.set $qp (local.get $q))
        (local.set $end (i32.add (local.get $rowp) (local.get $rowBytes)))
        (loop $inner
          (local.set $a0 (f32x4.add (local.get $a0)
            (f32x4.mul (v128.load (local.get $rowp)) (v128.load (local.get $qp)))))
          (local.set $a1 (f32x4.add (local.get $a1)
            (f32x4.mul (v128.load offset=16 (local.get $rowp)) (v128.load offset=16 (local.get $qp)))))
          (local.set $a2 (f32x4.add (local.get $a2)
            (f32x4.mul (v128.load offset=32 (local.get $rowp)) (v128.load offset=32 (local.get $qp)))))
          (local.set $a3 (f32x4.add (local.get $a3)
            (f32x4.mul (v128.load offset=48 (local.get $rowp)) (v128.load offset=48 (local.get $qp)))))
          (local.set $rowp (i32.add (local.get $rowp) (i32.const 64)))
          (local.set $qp (i32.add (local.get $qp) (i32.const 64)))
          (br_if $inner (i32.lt_u (local.get $rowp) (local.get $end))))
        (local.set $a0 (f32x4.add (f32x4.add (local.get $a0) (local.get $a1))
                                  (f32x4.add (local.get $a2) (local.get $a3))))
        (f32.store (local.get $out)
          (f32.add
            (f32.add (f32x4.extract_lane 0 (local.get $a0)) (f32x4.extract_lane 1 (local.get $a0)))
            (f32.add (f32x4.extract_lane 2 (local.get $a0)) (f32x4.extract_lane 3 (local.get $a0)))))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (br $row))))

  ;; Four queries against every row in one pass over the matrix (routeBatch).
  ;; Queries are contiguous (q + j*stride floats); out[r*4 + j] = dot(mat[r], q_j).
  (func (export "dot_f32_x4")
    (param $mat i32) (param $q i32) (param $out i32) (param $rows i32) (param $stride i32)
    (local $rowp i32) (local $qp i32) (local $end i32) (local $outEnd i32) (local $rowBytes i32)
    (local $v v128) (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local.set $rowBytes (i32.shl (local.get $stride) (i32.const 2)))
    (local.set $rowp (local.get $mat))
    (local.set $outEnd (i32.add (local.get $out) (i32.shl (local.get $rows) (i32.const 4))))
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $out) (local.get $outEnd)))
        (local.set $a0 (v128.const i32x4 0 0 0 0))
        (local.set $a1 (v128.const i32x4 0 0 0 0))
        (local.set $a2 (v128.const i32x4 0 0 0 0))
        (local.set $a3 (v128.const i32x4 0 0 0 0))
        (local.set $qp (local.get $q))
        (local.set $end (i32.add (local.get $rowp) (local.get $rowBytes)))
        (loop $inner
          (local.set $v (v128.load (local.get $rowp)))
          (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $v) (v128.load (local.get $qp)))))
          (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $v)
            (v128.load (i32.add (local.get $qp) (local.get $rowBytes))))))
          (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $v)
            (v128.load (i32.add (local.get $qp) (i32.shl (local.get $rowBytes) (i32.const 1)))))))
          (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $v)
            (v128.load (i32.add (local.get $qp) (i32.mul (local.get $rowBytes) (i32.const 3)))))))
          (local.set $rowp (i32.add (local.get $rowp) (i32.const 16)))
          (local.set $qp (i32.add (local.get $qp) (i32.const 16)))
          (br_if $inner (i32.lt_u (local.get $rowp) (local.get $end))))
        (f32.store (local.get $out)
          (f32.add
            (f32.add (f32x4.extract_lane 0 (local.get $a0)) (f32x4.extract_lane 1 (local.get $a0)))
            (f32.add (f32x4.extract_lane 2 (local.get $a0)) (f32x4.extract_lane 3 (local.get $a0)))))
        (f32.store offset=4 (local.get $out)
          (f32.add
            (f32.add (f32x4.extract_lane 0 (local.get $a1)) (f32x4.extract_lane 1 (local.get $a1)))
            (f32.add (f32x4.extract_lane 2 (local.get $a1)) (f32x4.extract_lane 3 (local.get $a1)))))
        (f32.store offset=8 (local.get $out)
          (f32.add
            (f32.add (f32x4.extract_lane 0 (local.get $a2)) (f32x4.extract_lane 1 (local.get $a2)))
            (f32.add (f32x4.extract_lane 2 (local.get $a2)) (f32x4.extract_lane 3 (local.get $a2)))))
        (f32.store offset=12 (local.get $out)
          (f32.add
            (f32.add (f32x4.extract_lane 0 (local.get $a3)) (f32x4.extract_lane 1 (local.get $a3)))
            (f32.add (f32x4.extract_lane 2 (local.get $a3)) (f32x4.extract_lane 3 (local.get $a3)))))
        (local.set $out (i32.add (local.get $out) (i32.const 16)))
        (br $row))))

  ;; int8 rows with a per-row f32 scale: out[r] = scales[r] * qScale * sum(mat[r][k] * q[k]).
  ;; stride in bytes (multiple of 32).
  (func (export "dot_i8")
    (param $mat i32) (param $scales i32) (param $q i32) (param $qScale f32)
    (param $out i32) (param $rows i32) (param $stride i32)
    (local $rowp i32) (local $qp i32) (local $end i32) (local $outEnd i32)
    (local $v v128) (local $w v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local.set $rowp (local.get $mat))
    (local.set $outEnd (i32.add (local.get $out) (i32.shl (local.get $rows) (i32.const 2))))
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $out) (local.get $outEnd)))
        (local.set $a0 (v128.const i32x4 0 0 0 0))
        (local.set $a1 (v128.const i32x4 0 0 0 0))
        (local.set $a2 (v128.const i32x4 0 0 0 0))
        (local.set $a3 (v128.const i32x4 0 0 0 0))
        (local.set $qp (local.get $q))
        (local.set $end (i32.add (local.get $rowp) (local.get $stride)))
        (loop $inner
          (local.set $v (v128.load (local.get $rowp)))
          (local.set $w (v128.load (local.get $qp)))
          (local.set $a0 (i32x4.add (local.get $a0)
            (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $v)) (i16x8.extend_low_i8x16_s (local.get $w)))))
          (local.set $a1 (i32x4.add (local.get $a1)
            (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $v)) (i16x8.extend_high_i8x16_s (local.get $w)))))
          (local.set $v (v128.load offset=16 (local.get $rowp)))
          (local.set $w (v128.load offset=16 (local.get $qp)))
          (local.set $a2 (i32x4.add (local.get $a2)
            (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $v)) (i16x8.extend_low_i8x16_s (local.get $w)))))
          (local.set $a3 (i32x4.add (local.get $a3)
            (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $v)) (i16x8.extend_high_i8x16_s (local.get $w)))))
          (local.set $rowp (i32.add (local.get $rowp) (i32.const 32)))
          (local.set $qp (i32.add (local.get $qp) (i32.const 32)))
          (br_if $inner (i32.lt_u (local.get $rowp) (local.get $end))))
        (local.set $a0 (i32x4.add (i32x4.add (local.get $a0) (local.get $a1))
                                  (i32x4.add (local.get $a2) (local.get $a3))))
        (f32.store (local.get $out)
          (f32.mul
            (f32.mul (f32.load (local.get $scales)) (local.get $qScale))
            (f32.convert_i32_s
              (i32.add
                (i32.add (i32x4.extract_lane 0 (local.get $a0)) (i32x4.extract_lane 1 (local.get $a0)))
                (i32.add (i32x4.extract_lane 2 (local.get $a0)) (i32x4.extract_lane 3 (local.get $a0)))))))
        (local.set $scales (i32.add (local.get $scales) (i32.const 4)))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (br $row))))

  ;; Learned head, feature-major: out[c] = sum_f q[f] * w[f*cols + c] for c < cols, visiting
  ;; only the non-zero q[f] (hashed queries have ~100 of 2048). cols is a multiple of 4.
  (func (export "spmv_fm")
    (param $q i32) (param $dim i32) (param $w i32) (param $cols i32) (param $out i32)
    (local $f i32) (local $x f32) (local $xv v128) (local $wp i32) (local $op i32) (local $oEnd i32) (local $rowBytes i32)
    (local.set $rowBytes (i32.shl (local.get $cols) (i32.const 2)))
    (local.set $oEnd (i32.add (local.get $out) (local.get $rowBytes)))
    (local.set $op (local.get $out))
    (block $zd
      (loop $zl
        (br_if $zd (i32.ge_u (local.get $op) (local.get $oEnd)))
        (v128.store (local.get $op) (v128.const i32x4 0 0 0 0))
        (local.set $op (i32.add (local.get $op) (i32.const 16)))
        (br $zl)))
    (local.set $f (i32.const 0))
    (block $done
      (loop $feat
        (br_if $done (i32.ge_u (local.get $f) (local.get $dim)))
        (local.set $x (f32.load (i32.add (local.get $q) (i32.shl (local.get $f) (i32.const 2)))))
        (if (f32.ne (local.get $x) (f32.const 0))
          (then
            (local.set $xv (f32x4.splat (local.get $x)))
            (local.set $wp (i32.add (local.get $w) (i32.mul (local.get $f) (local.get $rowBytes))))
            (local.set $op (local.get $out))
            (block $cd
              (loop $cl
                (br_if $cd (i32.ge_u (local.get $op) (local.get $oEnd)))
                (v128.store (local.get $op)
                  (f32x4.add (v128.load (local.get $op)) (f32x4.mul (local.get $xv) (v128.load (local.get $wp)))))
                (local.set $op (i32.add (local.get $op) (i32.const 16)))
                (local.set $wp (i32.add (local.get $wp) (i32.const 16)))
                (br $cl)))))
        (local.set $f (i32.add (local.get $f) (i32.const 1)))
        (br $feat))))

  ;; Training (SoftmaxTrainer), feature-major weights w[f*cols + c], a sparse row given as
  ;; nnz (index i32, value f32) pairs. out[c] = sum_e val[e] * w[idx[e]*cols + c].
  (func (export "gather_rows")
    (param $idx i32) (param $val i32) (param $nnz i32) (param $w i32) (param $cols i32) (param $out i32)
    (local $e i32) (local $xv v128) (local $wp i32) (local $op i32) (local $oEnd i32) (local $rowBytes i32)
    (local.set $rowBytes (i32.shl (local.get $cols) (i32.const 2)))
    (local.set $oEnd (i32.add (local.get $out) (local.get $rowBytes)))
    (local.set $op (local.get $out))
    (block $zd
      (loop $zl
        (br_if $zd (i32.ge_u (local.get $op) (local.get $oEnd)))
        (v128.store (local.get $op) (v128.const i32x4 0 0 0 0))
        (local.set $op (i32.add (local.get $op) (i32.const 16)))
        (br $zl)))
    (local.set $e (i32.const 0))
    (block $done
      (loop $nz
        (br_if $done (i32.ge_u (local.get $e) (local.get $nnz)))
        (local.set $xv (f32x4.splat (f32.load (i32.add (local.get $val) (i32.shl (local.get $e) (i32.const 2))))))
        (local.set $wp (i32.add (local.get $w)
          (i32.mul (i32.load (i32.add (local.get $idx) (i32.shl (local.get $e) (i32.const 2)))) (local.get $rowBytes))))
        (local.set $op (local.get $out))
        (block $cd
          (loop $cl
            (br_if $cd (i32.ge_u (local.get $op) (local.get $oEnd)))
            (v128.store (local.get $op)
              (f32x4.add (v128.load (local.get $op)) (f32x4.mul (local.get $xv) (v128.load (local.get $wp)))))
            (local.set $op (i32.add (local.get $op) (i32.const 16)))
            (local.set $wp (i32.add (local.get $wp) (i32.const 16)))
            (br $cl)))
        (local.set $e (i32.add (local.get $e) (i32.const 1)))
        (br $nz))))

  ;; w[idx[e]*cols + c] -= val[e] * g[c] for every stored entry e and every c < cols.
  (func (export "scatter_rows")
    (param $idx i32) (param $val i32) (param $nnz i32) (param $w i32) (param $cols i32) (param $g i32)
    (local $e i32) (local $xv v128) (local $wp i32) (local $gp i32) (local $gEnd i32) (local $rowBytes i32)
    (local.set $rowBytes (i32.shl (local.get $cols) (i32.const 2)))
    (local.set $gEnd (i32.add (local.get $g) (local.get $rowBytes)))
    (local.set $e (i32.const 0))
    (block $done
      (loop $nz
        (br_if $done (i32.ge_u (local.get $e) (local.get $nnz)))
        (local.set $xv (f32x4.splat (f32.load (i32.add (local.get $val) (i32.shl (local.get $e) (i32.const 2))))))
        (local.set $wp (i32.add (local.get $w)
          (i32.mul (i32.load (i32.add (local.get $idx) (i32.shl (local.get $e) (i32.const 2)))) (local.get $rowBytes))))
        (local.set $gp (local.get $g))
        (block $cd
          (loop $cl
            (br_if $cd (i32.ge_u (local.get $gp) (local.get $gEnd)))
            (v128.store (local.get $wp)
              (f32x4.sub (v128.load (local.get $wp)) (f32x4.mul (local.get $xv) (v128.load (local.get $gp)))))
            (local.set $gp (i32.add (local.get $gp) (i32.const 16)))
            (local.set $wp (i32.add (local.get $wp) (i32.const 16)))
            (br $cl)))
        (local.set $e (i32.add (local.get $e) (i32.const 1)))
        (br $nz))))

  ;; Static token table (StaticEmbedder): out[0, dim) = sum over the n token ids of
  ;; scales[id] * codes[id * dim .. +dim) (int8 rows). `dim` is a multiple of 16; `out` is
  ;; 16-byte aligned and zeroed here; ids with scale 0 (special tokens) are skipped.
  (func (export "sum_rows_i8")
    (param $codes i32) (param $scales i32) (param $ids i32) (param $n i32) (param $dim i32) (param $out i32)
    (local $idsEnd i32) (local $id i32) (local $s f32) (local $sv v128) (local $rowp i32) (local $op i32)
    (local $outEnd i32) (local $v v128) (local $lo v128) (local $hi v128)
    (local.set $outEnd (i32.add (local.get $out) (i32.shl (local.get $dim) (i32.const 2))))
    (local.set $op (local.get $out))
    (block $zeroed
      (loop $zero
        (br_if $zeroed (i32.ge_u (local.get $op) (local.get $outEnd)))
        (v128.store (local.get $op) (v128.const i32x4 0 0 0 0))
        (local.set $op (i32.add (local.get $op) (i32.const 16)))
        (br $zero)))
    (local.set $idsEnd (i32.add (local.get $ids) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $token
        (br_if $done (i32.ge_u (local.get $ids) (local.get $idsEnd)))
        (local.set $id (i32.load (local.get $ids)))
        (local.set $ids (i32.add (local.get $ids) (i32.const 4)))
        (local.set $s (f32.load (i32.add (local.get $scales) (i32.shl (local.get $id) (i32.const 2)))))
        (br_if $token (f32.eq (local.get $s) (f32.const 0)))
        (local.set $sv (f32x4.splat (local.get $s)))
        (local.set $rowp (i32.add (local.get $codes) (i32.mul (local.get $id) (local.get $dim))))
        (local.set $op (local.get $out))
        (loop $inner
          (local.set $v (v128.load (local.get $rowp)))
          (local.set $lo (i16x8.extend_low_i8x16_s (local.get $v)))
          (local.set $hi (i16x8.extend_high_i8x16_s (local.get $v)))
          (v128.store (local.get $op) (f32x4.add (v128.load (local.get $op))
            (f32x4.mul (local.get $sv) (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_s (local.get $lo))))))
          (v128.store offset=16 (local.get $op) (f32x4.add (v128.load offset=16 (local.get $op))
            (f32x4.mul (local.get $sv) (f32x4.convert_i32x4_s (i32x4.extend_high_i16x8_s (local.get $lo))))))
          (v128.store offset=32 (local.get $op) (f32x4.add (v128.load offset=32 (local.get $op))
            (f32x4.mul (local.get $sv) (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_s (local.get $hi))))))
          (v128.store offset=48 (local.get $op) (f32x4.add (v128.load offset=48 (local.get $op))
            (f32x4.mul (local.get $sv) (f32x4.convert_i32x4_s (i32x4.extend_high_i16x8_s (local.get $hi))))))
          (local.set $rowp (i32.add (local.get $rowp) (i32.const 16)))
          (local.set $op (i32.add (local.get $op) (i32.const 64)))
          (br_if $inner (i32.lt_u (local.get $op) (local.get $outEnd))))
        (br $token))))
)

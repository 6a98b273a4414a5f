/** The verifier's WebAssembly scan, part of its text (scan-line-wasm-source.ts joins the parts): findLineEnd, sameBytes, beginRun, scanRun: a run of lines split, scanned and linked. */
export const SCAN_RUN_WAT = `
;; Index of the first LF or CR byte in [$i, $limit), or $limit.
func $findLineEnd $i $limit -> i32
  local $v v128
  local $m i32
  block $done
  loop $next
    local.get $i
    v128.load
    local.tee $v
    i32.const 10
    i8x16.splat
    i8x16.eq
    local.get $v
    i32.const 13
    i8x16.splat
    i8x16.eq
    v128.or
    i8x16.bitmask
    local.tee $m
    if $found
      local.get $i
      local.get $m
      i32.ctz
      i32.add
      local.tee $i
      local.get $limit
      i32.gt_u
      br_if $done
      local.get $i
      return
    end
    local.get $i
    i32.const 16
    i32.add
    local.tee $i
    local.get $limit
    i32.lt_u
    br_if $next
  end
  end
  local.get $limit
endfunc

;; 1 when the $n bytes at $a and at $b are the same (8 at a time, then one by one).
func $sameBytes $a $b $n -> i32
  block $words
  loop $word
    local.get $n
    i32.const 8
    i32.lt_u
    br_if $words
    local.get $a
    i64.load
    local.get $b
    i64.load
    i64.ne
    if $differ
      i32.const 0
      return
    end
    local.get $a
    i32.const 8
    i32.add
    local.set $a
    local.get $b
    i32.const 8
    i32.add
    local.set $b
    local.get $n
    i32.const 8
    i32.sub
    local.set $n
    br $word
  end
  end
  block $done
  loop $next
    local.get $n
    i32.eqz
    br_if $done
    local.get $a
    i32.load8_u
    local.get $b
    i32.load8_u
    i32.ne
    if $differ
      i32.const 0
      return
    end
    local.get $a
    i32.const 1
    i32.add
    local.set $a
    local.get $b
    i32.const 1
    i32.add
    local.set $b
    local.get $n
    i32.const 1
    i32.sub
    local.set $n
    br $next
  end
  end
  i32.const 1
endfunc

;; Starts a run: line numbers from 1, no line before, no chain id seen.
func $beginRun $start -> none
  i32.const 0
  local.get $start
  i32.store offset=40
  i32.const 0
  i32.const 0
  i32.store offset=56
  i32.const 0
  i32.const 0
  i32.store offset=44
  i32.const 0
  i32.const 0
  i32.store offset=48
endfunc

;; Splits and scans lines from the position at 40 up to $limit (bytes [$base, $limit) are the run), at most
;; $maxEntries non-empty lines. Per line k, 10 f64 at $table + 80k, as scan-lines.ts describes a line (offsets from
;; $base; kind 0: the scan accepted it, to be hashed; 1: slow; chain index and linked left 0), and 6 i32 at
;; $side + 24k: where its hashed bytes were copied (from $scratch on) and their length, the chain id's [start, end)
;; from $base, highByte, and flags (1: same chain id as the last accepted line; 2: follows an accepted line of that
;; chain, one seq lower, whose hash digits are its prev). Returns the lines described, or -1 when a line is longer
;; than $maxLine (the caller then splits the run itself), or -2 when the first line does not fit in the scratch
;; area, which ends at $scratchEnd (a later line that does not fit ends the batch). The position (40) and line
;; number (44) are kept for the next call.
func $scanRun $limit $base $table $side $scratch $scratchEnd $maxEntries $maxLine -> i32
  local $pos i32
  local $end i32
  local $count i32
  local $row i32
  local $aux i32
  local $hashStart i32
  local $hashEnd i32
  local $chainStart i32
  local $chainEnd i32
  local $flags i32
  local $n i32
  local $seq i64
  i32.const 0
  i32.load offset=40
  local.set $pos
  block $stop
  loop $line
    local.get $pos
    local.get $limit
    i32.ge_u
    br_if $stop
    local.get $count
    local.get $maxEntries
    i32.ge_u
    br_if $stop
    local.get $pos
    local.get $limit
    call $findLineEnd
    local.tee $end
    local.get $pos
    i32.sub
    local.get $maxLine
    i32.gt_u
    if $tooLong
      i32.const -1
      return
    end
    local.get $scratch
    local.get $end
    i32.add
    local.get $pos
    i32.sub
    local.get $scratchEnd
    i32.gt_u
    if $full
      local.get $count
      i32.eqz
      if $tooBig
        i32.const -2
        return
      end
      br $stop
    end
    i32.const 0
    i32.const 0
    i32.load offset=44
    i32.const 1
    i32.add
    i32.store offset=44
    local.get $end
    local.get $pos
    i32.gt_u
    if $nonEmpty
      local.get $table
      local.get $count
      i32.const 80
      i32.mul
      i32.add
      local.set $row
      local.get $side
      local.get $count
      i32.const 24
      i32.mul
      i32.add
      local.set $aux
      local.get $count
      i32.const 1
      i32.add
      local.set $count
      local.get $row
      i32.const 0
      i32.load offset=44
      i64.extend_i32_u
      f64.convert_i64_s
      f64.store offset=0
      local.get $row
      local.get $pos
      local.get $base
      i32.sub
      i64.extend_i32_u
      f64.convert_i64_s
      f64.store offset=16
      local.get $row
      local.get $end
      local.get $base
      i32.sub
      i64.extend_i32_u
      f64.convert_i64_s
      f64.store offset=24
      local.get $row
      i64.const 0
      f64.convert_i64_s
      f64.store offset=48
      local.get $row
      i64.const 0
      f64.convert_i64_s
      f64.store offset=72
      local.get $pos
      local.get $end
      call $scanLine
      if $accepted
        local.get $row
        i64.const 0
        f64.convert_i64_s
        f64.store offset=8
        ;; seq and intent_seq as scanLine stored them
        local.get $row
        i32.const 0
        f64.load offset=0
        f64.store offset=32
        local.get $row
        i32.const 0
        f64.load offset=8
        f64.store offset=40
        local.get $row
        i32.const 0
        i32.load offset=16
        local.get $base
        i32.sub
        i64.extend_i32_u
        f64.convert_i64_s
        f64.store offset=56
        i32.const 0
        i32.load offset=20
        local.set $hashStart
        i32.const 0
        i32.load offset=24
        local.set $hashEnd
        local.get $row
        local.get $hashStart
        i32.const 8
        i32.add
        local.get $base
        i32.sub
        i64.extend_i32_u
        f64.convert_i64_s
        f64.store offset=64
        ;; the hashed bytes: the line without its hash member and one comma next to it
        local.get $aux
        local.get $scratch
        i32.store offset=0
        local.get $hashStart
        i32.const 1
        i32.sub
        i32.load8_u
        i32.const 44
        i32.eq
        if $commaBefore
          local.get $hashStart
          i32.const 1
          i32.sub
          local.set $hashStart
        else
          local.get $hashEnd
          i32.load8_u
          i32.const 44
          i32.eq
          if $commaAfter
            local.get $hashEnd
            i32.const 1
            i32.add
            local.set $hashEnd
          end
        end
        local.get $scratch
        local.get $pos
        local.get $hashStart
        local.get $pos
        i32.sub
        local.tee $n
        memory.copy
        local.get $scratch
        local.get $n
        i32.add
        local.tee $scratch
        local.get $hashEnd
        local.get $end
        local.get $hashEnd
        i32.sub
        local.tee $n
        memory.copy
        local.get $scratch
        local.get $n
        i32.add
        local.set $scratch
        local.get $aux
        local.get $scratch
        local.get $aux
        i32.load offset=0
        i32.sub
        i32.store offset=4
        i32.const 0
        i32.load offset=28
        local.set $chainStart
        i32.const 0
        i32.load offset=32
        local.set $chainEnd
        local.get $aux
        local.get $chainStart
        local.get $base
        i32.sub
        i32.store offset=8
        local.get $aux
        local.get $chainEnd
        local.get $base
        i32.sub
        i32.store offset=12
        local.get $aux
        i32.const 0
        i32.load offset=36
        i32.store offset=16
        ;; flags: the same chain id as the last accepted line; linked to the line just before
        i32.const 0
        local.set $flags
        i32.const 0
        i32.load offset=56
        if $hadChain
          i32.const 0
          i32.load offset=56
          i32.const 0
          i32.load offset=52
          i32.sub
          local.get $chainEnd
          local.get $chainStart
          i32.sub
          i32.eq
          if $sameLength
            i32.const 0
            i32.load offset=52
            local.get $chainStart
            local.get $chainEnd
            local.get $chainStart
            i32.sub
            call $sameBytes
            local.set $flags
          end
        end
        i32.const 0
        f64.load offset=0
        i64.trunc_f64_u
        local.set $seq
        local.get $flags
        i32.const 0
        i32.load offset=48
        i32.and
        if $afterAccepted
          local.get $seq
          i32.const 0
          i64.load offset=64
          i64.const 1
          i64.add
          i64.eq
          if $nextSeq
            i32.const 0
            i32.load offset=16
            i32.const 0
            i32.load offset=60
            i32.const 64
            call $sameBytes
            if $linked
              i32.const 3
              local.set $flags
            end
          end
        end
        local.get $aux
        local.get $flags
        i32.store offset=20
        i32.const 0
        local.get $chainStart
        i32.store offset=52
        i32.const 0
        local.get $chainEnd
        i32.store offset=56
        i32.const 0
        i32.const 0
        i32.load offset=20
        i32.const 8
        i32.add
        i32.store offset=60
        i32.const 0
        local.get $seq
        i64.store offset=64
        i32.const 0
        i32.const 1
        i32.store offset=48
      else
        local.get $row
        i64.const 1
        f64.convert_i64_s
        f64.store offset=8
        i32.const 0
        i32.const 0
        i32.store offset=48
      end
    end
    ;; past the line end: CR LF, CR or LF (or the end of the run)
    local.get $end
    local.get $limit
    i32.ge_u
    if $last
      local.get $limit
      local.set $pos
      br $stop
    end
    local.get $end
    i32.const 1
    i32.add
    local.set $pos
    local.get $end
    i32.load8_u
    i32.const 13
    i32.eq
    if $cr
      local.get $pos
      local.get $limit
      i32.lt_u
      if $more
        local.get $pos
        i32.load8_u
        i32.const 10
        i32.eq
        if $crlf
          local.get $pos
          i32.const 1
          i32.add
          local.set $pos
        end
      end
    end
    br $line
  end
  end
  i32.const 0
  local.get $pos
  i32.store offset=40
  local.get $count
endfunc

`;

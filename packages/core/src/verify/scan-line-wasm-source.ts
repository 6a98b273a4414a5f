/**
 * The WebAssembly text of the verifier's line scanner (assembled by wasm-assembler.ts, loaded by
 * scan-line-wasm.ts). It is `scanLineFields` of scan-record-line.ts, rule for rule — the same lines accepted, the
 * same fields found (test/verify-scan-wasm.test.ts fuzzes one against the other) — with string bodies skipped 16
 * bytes at a time (SIMD: one compare finds the next quote, backslash, control or non-ASCII byte).
 *
 * `scanRun` does for a run of lines what `scanLines` (scan-lines.ts) does around the scan: splits the lines the way
 * `LineSplitter` does, numbers them, and for each line the scan accepts copies the bytes its hash covers into a
 * scratch area and tells whether it links to the line before; the caller then only hashes and compares.
 *
 * Memory: results of the last `scanLine` at 0 (f64 seq, f64 intent_seq or -1, then i32 prevAt, hashStart,
 * hashEnd, chainStart, chainEnd, highByte), the state of `scanRun` at 40, the container stack at 128 (256 bytes),
 * the scanned bytes from 1024 on, then the areas `scanRun` is given. Reads may go up to 80 bytes past a line's end:
 * the loader keeps 128 zeroed bytes after the bytes it copies in.
 */
export const SCAN_LINE_WAT = `
memory 18
global $esc      ;; the last string held an escape
global $high     ;; a byte >= 0x80 was seen in a string of the line
global $nested   ;; a nested "hash": member (key hash, string value) was seen

;; Index after the string whose opening quote is at $i, or -1 where JSON.parse might disagree.
func $skipString $i $end -> i32
  local $v v128
  local $m i32
  local $c i32
  local $e i32
  local.get $i
  i32.const 1
  i32.add
  local.set $i
  block $done
  loop $next
    ;; the 16 bytes at $i: a bit for each quote, backslash, byte < 0x20 or byte >= 0x80
    local.get $i
    v128.load
    local.tee $v
    i32.const 34
    i8x16.splat
    i8x16.eq
    local.get $v
    i32.const 92
    i8x16.splat
    i8x16.eq
    v128.or
    local.get $v
    i32.const 32
    i8x16.splat
    i8x16.sub
    i32.const 95
    i8x16.splat
    i8x16.gt_u
    v128.or
    i8x16.bitmask
    local.tee $m
    i32.eqz
    if $plain
      local.get $i
      i32.const 16
      i32.add
      local.tee $i
      local.get $end
      i32.ge_u
      br_if $done
      br $next
    end
    local.get $i
    local.get $m
    i32.ctz
    i32.add
    local.tee $i
    local.get $end
    i32.ge_u
    br_if $done
    local.get $i
    i32.load8_u
    local.tee $c
    i32.const 34
    i32.eq
    if $quote
      local.get $i
      i32.const 1
      i32.add
      return
    end
    local.get $c
    i32.const 92
    i32.eq
    if $escape
      i32.const 1
      global.set $esc
      local.get $i
      i32.load8_u offset=1
      local.tee $e
      i32.const 117
      i32.eq
      if $unicode
        local.get $i
        i32.load8_u offset=2
        call $isHexDigit
        local.get $i
        i32.load8_u offset=3
        call $isHexDigit
        i32.and
        local.get $i
        i32.load8_u offset=4
        call $isHexDigit
        i32.and
        local.get $i
        i32.load8_u offset=5
        call $isHexDigit
        i32.and
        i32.eqz
        br_if $done
        local.get $i
        i32.const 6
        i32.add
        local.set $i
        br $next
      end
      local.get $e
      call $isSimpleEscape
      i32.eqz
      br_if $done
      local.get $i
      i32.const 2
      i32.add
      local.set $i
      br $next
    end
    local.get $c
    i32.const 32
    i32.lt_u
    br_if $done
    ;; a byte >= 0x80
    i32.const 1
    global.set $high
    local.get $i
    i32.const 1
    i32.add
    local.set $i
    br $next
  end
  end
  i32.const -1
endfunc

;; 1 for 0-9, a-f, A-F.
func $isHexDigit $h -> i32
  local.get $h
  i32.const 48
  i32.sub
  i32.const 10
  i32.lt_u
  local.get $h
  i32.const 32
  i32.or
  i32.const 97
  i32.sub
  i32.const 6
  i32.lt_u
  i32.or
endfunc

;; 1 for the bytes after a backslash other than u: " \\ / b f n r t.
func $isSimpleEscape $e -> i32
  local.get $e
  i32.const 34
  i32.eq
  local.get $e
  i32.const 92
  i32.eq
  i32.or
  local.get $e
  i32.const 47
  i32.eq
  i32.or
  local.get $e
  i32.const 98
  i32.eq
  i32.or
  local.get $e
  i32.const 102
  i32.eq
  i32.or
  local.get $e
  i32.const 110
  i32.eq
  i32.or
  local.get $e
  i32.const 114
  i32.eq
  i32.or
  local.get $e
  i32.const 116
  i32.eq
  i32.or
endfunc

;; Index of the first byte at or after $i in [$i, $end) that is not a digit.
func $skipDigits $i $end -> i32
  block $done
  loop $next
    local.get $i
    local.get $end
    i32.ge_u
    br_if $done
    local.get $i
    i32.load8_u
    i32.const 48
    i32.sub
    i32.const 10
    i32.ge_u
    br_if $done
    local.get $i
    i32.const 1
    i32.add
    local.set $i
    br $next
  end
  end
  local.get $i
endfunc

;; Index after the JSON number at $i, or -1.
func $skipNumber $i $end -> i32
  local $c i32
  local $d i32
  local.get $i
  i32.load8_u
  i32.const 45
  i32.eq
  if $minus
    local.get $i
    i32.const 1
    i32.add
    local.set $i
  end
  local.get $i
  i32.load8_u
  local.tee $c
  i32.const 48
  i32.eq
  if $zero
    local.get $i
    i32.const 1
    i32.add
    local.set $i
  else
    local.get $c
    i32.const 49
    i32.sub
    i32.const 9
    i32.ge_u
    if $notDigit
      i32.const -1
      return
    end
    local.get $i
    i32.const 1
    i32.add
    local.get $end
    call $skipDigits
    local.set $i
  end
  local.get $i
  local.get $end
  i32.lt_u
  if $fraction
    local.get $i
    i32.load8_u
    i32.const 46
    i32.eq
    if $dot
      local.get $i
      i32.const 1
      i32.add
      local.tee $d
      local.get $end
      call $skipDigits
      local.tee $i
      local.get $d
      i32.eq
      if $noDigits
        i32.const -1
        return
      end
    end
  end
  local.get $i
  local.get $end
  i32.lt_u
  if $exponent
    local.get $i
    i32.load8_u
    i32.const 32
    i32.or
    i32.const 101
    i32.eq
    if $e
      local.get $i
      i32.const 1
      i32.add
      local.tee $i
      i32.load8_u
      local.tee $c
      i32.const 43
      i32.eq
      local.get $c
      i32.const 45
      i32.eq
      i32.or
      if $sign
        local.get $i
        i32.const 1
        i32.add
        local.set $i
      end
      local.get $i
      local.tee $d
      local.get $end
      call $skipDigits
      local.tee $i
      local.get $d
      i32.eq
      if $noDigits
        i32.const -1
        return
      end
    end
  end
  local.get $i
endfunc

;; After the opening quote of a key at $i: skips the key and its colon; -1 if not a plain "key": . Marks a
;; nested "hash" key with a string value.
func $skipKey $i $end -> i32
  local $at i32
  local.get $i
  i32.load8_u
  i32.const 34
  i32.ne
  if $notKey
    i32.const -1
    return
  end
  local.get $i
  local.get $end
  call $skipString
  local.tee $at
  i32.const 0
  i32.lt_s
  if $bad
    i32.const -1
    return
  end
  local.get $at
  i32.load8_u
  i32.const 58
  i32.ne
  if $noColon
    i32.const -1
    return
  end
  local.get $at
  local.get $i
  i32.sub
  i32.const 6
  i32.eq
  if $six
    ;; "hash": followed by a quote
    local.get $i
    i32.load offset=1
    i32.const 1752392040
    i32.eq
    local.get $at
    i32.load8_u offset=1
    i32.const 34
    i32.eq
    i32.and
    if $hash
      i32.const 1
      global.set $nested
    end
  end
  local.get $at
  i32.const 1
  i32.add
endfunc

;; Index after the JSON value at $i (no whitespace anywhere), or -1. Iterative, at most 256 containers deep.
func $skipValue $i $end -> i32
  local $depth i32
  local $c i32
  local $open i32
  block $fail
  loop $value
    local.get $i
    local.get $end
    i32.ge_u
    br_if $fail
    block $after
      local.get $i
      i32.load8_u
      local.tee $c
      i32.const 34
      i32.eq
      if $string
        local.get $i
        local.get $end
        call $skipString
        local.tee $i
        i32.const 0
        i32.lt_s
        br_if $fail
        br $after
      end
      local.get $c
      i32.const 123
      i32.eq
      local.get $c
      i32.const 91
      i32.eq
      i32.or
      if $container
        local.get $depth
        i32.const 256
        i32.eq
        br_if $fail
        local.get $depth
        local.get $c
        i32.store8 offset=128
        local.get $depth
        i32.const 1
        i32.add
        local.set $depth
        local.get $i
        i32.const 1
        i32.add
        local.tee $i
        i32.load8_u
        local.get $c
        i32.const 2
        i32.add
        i32.eq
        if $empty
          ;; {} or [] (the closing byte is the opening one + 2)
          local.get $depth
          i32.const 1
          i32.sub
          local.set $depth
          local.get $i
          i32.const 1
          i32.add
          local.set $i
          br $after
        end
        local.get $c
        i32.const 123
        i32.eq
        if $object
          local.get $i
          local.get $end
          call $skipKey
          local.tee $i
          i32.const 0
          i32.lt_s
          br_if $fail
        end
        br $value
      end
      local.get $c
      i32.const 116
      i32.eq
      if $true
        local.get $i
        i32.load offset=0
        i32.const 1702195828
        i32.ne
        br_if $fail
        local.get $i
        i32.const 4
        i32.add
        local.set $i
        br $after
      end
      local.get $c
      i32.const 102
      i32.eq
      if $false
        local.get $i
        i32.load offset=1
        i32.const 1702063201
        i32.ne
        br_if $fail
        local.get $i
        i32.const 5
        i32.add
        local.set $i
        br $after
      end
      local.get $c
      i32.const 110
      i32.eq
      if $null
        local.get $i
        i32.load offset=0
        i32.const 1819047278
        i32.ne
        br_if $fail
        local.get $i
        i32.const 4
        i32.add
        local.set $i
        br $after
      end
      local.get $i
      local.get $end
      call $skipNumber
      local.tee $i
      i32.const 0
      i32.lt_s
      br_if $fail
    end
    local.get $i
    local.get $end
    i32.gt_u
    br_if $fail
    ;; after a value: close finished containers, or step to the next element or member
    loop $close
      local.get $depth
      i32.eqz
      if $top
        local.get $i
        return
      end
      local.get $i
      local.get $end
      i32.ge_u
      br_if $fail
      local.get $depth
      i32.load8_u offset=127
      local.set $open
      local.get $i
      i32.load8_u
      local.tee $c
      i32.const 44
      i32.eq
      if $comma
        local.get $i
        i32.const 1
        i32.add
        local.set $i
        local.get $open
        i32.const 123
        i32.eq
        if $member
          local.get $i
          local.get $end
          call $skipKey
          local.tee $i
          i32.const 0
          i32.lt_s
          br_if $fail
        end
        br $value
      end
      local.get $c
      local.get $open
      i32.const 2
      i32.add
      i32.ne
      br_if $fail
      local.get $depth
      i32.const 1
      i32.sub
      local.set $depth
      local.get $i
      i32.const 1
      i32.add
      local.set $i
      br $close
    end
  end
  end
  i32.const -1
endfunc

;; A non-negative safe integer written with at most 16 digits only, or -1.
func $plainInteger $i $end -> i64
  local $value i64
  local $c i32
  local.get $end
  local.get $i
  i32.sub
  i32.const 16
  i32.gt_u
  if $long
    i64.const -1
    return
  end
  block $done
  loop $next
    local.get $i
    local.get $end
    i32.ge_u
    br_if $done
    local.get $i
    i32.load8_u
    i32.const 48
    i32.sub
    local.tee $c
    i32.const 10
    i32.ge_u
    if $notDigit
      i64.const -1
      return
    end
    local.get $value
    i64.const 10
    i64.mul
    local.get $c
    i64.extend_i32_u
    i64.add
    local.set $value
    local.get $i
    i32.const 1
    i32.add
    local.set $i
    br $next
  end
  end
  local.get $value
  i64.const 9007199254740991
  i64.gt_u
  if $unsafe
    i64.const -1
    return
  end
  local.get $value
endfunc

;; 1 when the 66 bytes at $i are a string of 64 lowercase hex digits (16 at a time: a bit for each byte that is
;; neither 0-9 nor a-f).
func $isHex64 $i -> i32
  local $v v128
  local.get $i
  i32.load8_u
  i32.const 34
  i32.ne
  local.get $i
  i32.load8_u offset=65
  i32.const 34
  i32.ne
  i32.or
  if $quotes
    i32.const 0
    return
  end
  local.get $i
  v128.load offset=1
  local.tee $v
  i32.const 48
  i8x16.splat
  i8x16.sub
  i32.const 9
  i8x16.splat
  i8x16.gt_u
  local.get $v
  i32.const 97
  i8x16.splat
  i8x16.sub
  i32.const 5
  i8x16.splat
  i8x16.gt_u
  v128.and
  i8x16.bitmask
  local.get $i
  v128.load offset=17
  local.tee $v
  i32.const 48
  i8x16.splat
  i8x16.sub
  i32.const 9
  i8x16.splat
  i8x16.gt_u
  local.get $v
  i32.const 97
  i8x16.splat
  i8x16.sub
  i32.const 5
  i8x16.splat
  i8x16.gt_u
  v128.and
  i8x16.bitmask
  i32.or
  local.get $i
  v128.load offset=33
  local.tee $v
  i32.const 48
  i8x16.splat
  i8x16.sub
  i32.const 9
  i8x16.splat
  i8x16.gt_u
  local.get $v
  i32.const 97
  i8x16.splat
  i8x16.sub
  i32.const 5
  i8x16.splat
  i8x16.gt_u
  v128.and
  i8x16.bitmask
  i32.or
  local.get $i
  v128.load offset=49
  local.tee $v
  i32.const 48
  i8x16.splat
  i8x16.sub
  i32.const 9
  i8x16.splat
  i8x16.gt_u
  local.get $v
  i32.const 97
  i8x16.splat
  i8x16.sub
  i32.const 5
  i8x16.splat
  i8x16.gt_u
  v128.and
  i8x16.bitmask
  i32.or
  i32.eqz
endfunc

;; 1 when [$i, $end) is a string of printable ASCII other than the backslash, at least one byte long.
func $isPlainString $i $end -> i32
  local $c i32
  local.get $i
  i32.load8_u
  i32.const 34
  i32.ne
  local.get $end
  local.get $i
  i32.sub
  i32.const 3
  i32.lt_u
  i32.or
  if $no
    i32.const 0
    return
  end
  local.get $end
  i32.const 1
  i32.sub
  local.set $end
  block $done
  loop $next
    local.get $i
    i32.const 1
    i32.add
    local.tee $i
    local.get $end
    i32.ge_u
    br_if $done
    local.get $i
    i32.load8_u
    local.tee $c
    i32.const 32
    i32.sub
    i32.const 95
    i32.ge_u
    local.get $c
    i32.const 92
    i32.eq
    i32.or
    if $bad
      i32.const 0
      return
    end
    br $next
  end
  end
  i32.const 1
endfunc

;; Which chain field the key [$i, $end) names: 0 none, 1 hash, 2 prev, 3 seq, 4 intent_seq, 5 chain, 6 type, 7 v.
func $keyName $i $end -> i32
  local $w i32
  block $none
    block $len10
    block $len5
    block $len4
    block $len3
    block $len1
      local.get $end
      local.get $i
      i32.sub
      local.tee $w
      i32.const 1
      i32.eq
      br_if $len1
      local.get $w
      i32.const 3
      i32.eq
      br_if $len3
      local.get $w
      i32.const 4
      i32.eq
      br_if $len4
      local.get $w
      i32.const 5
      i32.eq
      br_if $len5
      local.get $w
      i32.const 10
      i32.eq
      br_if $len10
      br $none
    end
      local.get $i
      i32.load8_u
      i32.const 118
      i32.ne
      br_if $none
      i32.const 7
      return
    end
      ;; seq: the 3 bytes, and the byte after the key is its closing quote
      local.get $i
      i32.load offset=0
      i32.const 577856883
      i32.ne
      br_if $none
      i32.const 3
      return
    end
      local.get $i
      i32.load offset=0
      local.tee $w
      i32.const 1752392040
      i32.eq
      if $hash
        i32.const 1
        return
      end
      local.get $w
      i32.const 1986359920
      i32.eq
      if $prev
        i32.const 2
        return
      end
      local.get $w
      i32.const 1701869940
      i32.eq
      if $type
        i32.const 6
        return
      end
      br $none
    end
      local.get $i
      i32.load offset=0
      i32.const 1767991395
      i32.ne
      br_if $none
      local.get $i
      i32.load8_u offset=4
      i32.const 110
      i32.ne
      br_if $none
      i32.const 5
      return
    end
    ;; intent_seq
    local.get $i
    i32.load offset=0
    i32.const 1702129257
    i32.ne
    br_if $none
    local.get $i
    i32.load offset=4
    i32.const 1935635566
    i32.ne
    br_if $none
    local.get $i
    i32.load8_u offset=8
    i32.const 101
    i32.ne
    br_if $none
    local.get $i
    i32.load8_u offset=9
    i32.const 113
    i32.ne
    br_if $none
    i32.const 4
    return
  end
  i32.const 0
endfunc

;; 1 when [$i, $end) is "tool_call" with its quotes.
func $isToolCall $i $end -> i32
  local.get $end
  local.get $i
  i32.sub
  i32.const 11
  i32.eq
  local.get $i
  i32.load offset=0
  i32.const 1869575202
  i32.eq
  i32.and
  local.get $i
  i32.load offset=4
  i32.const 1633902444
  i32.eq
  i32.and
  local.get $i
  i32.load8_u offset=8
  i32.const 108
  i32.eq
  i32.and
  local.get $i
  i32.load8_u offset=9
  i32.const 108
  i32.eq
  i32.and
  local.get $i
  i32.load8_u offset=10
  i32.const 34
  i32.eq
  i32.and
endfunc

;; scanLineFields: 1 when the line [$start, $end) takes the fast path, its fields then stored at 0.
func $scanLine $start $end -> i32
  local $i i32
  local $keyStart i32
  local $valueStart i32
  local $name i32
  local $next i32
  local $type i32
  local $version i32
  local $chainStart i32
  local $chainEnd i32
  local $hashStart i32
  local $hashEnd i32
  local $prevAt i32
  local $seq i64
  local $intentSeq i64
  local.get $end
  local.get $start
  i32.sub
  i32.const 2
  i32.lt_s
  local.get $start
  i32.load8_u
  i32.const 123
  i32.ne
  i32.or
  if $notObject
    i32.const 0
    return
  end
  i32.const 0
  global.set $high
  i32.const 0
  global.set $nested
  i32.const -1
  local.set $chainStart
  i32.const -1
  local.set $hashStart
  i32.const -1
  local.set $prevAt
  i64.const -1
  local.set $seq
  i64.const -1
  local.set $intentSeq
  local.get $start
  i32.const 1
  i32.add
  local.set $i
  block $reject
  block $members
  loop $member
    local.get $i
    i32.load8_u
    i32.const 34
    i32.ne
    br_if $reject
    local.get $i
    i32.const 1
    i32.add
    local.set $keyStart
    i32.const 0
    global.set $esc
    local.get $i
    local.get $end
    call $skipString
    local.tee $i
    i32.const 0
    i32.lt_s
    br_if $reject
    global.get $esc
    br_if $reject
    local.get $i
    i32.load8_u
    i32.const 58
    i32.ne
    br_if $reject
    local.get $keyStart
    local.get $i
    i32.const 1
    i32.sub
    call $keyName
    local.set $name
    local.get $i
    i32.const 1
    i32.add
    local.tee $i
    local.set $valueStart
    local.get $name
    i32.const 1
    i32.eq
    local.get $name
    i32.const 2
    i32.eq
    i32.or
    if $hex
      local.get $valueStart
      i32.const 66
      i32.add
      local.get $end
      i32.gt_u
      br_if $reject
      local.get $valueStart
      call $isHex64
      i32.eqz
      br_if $reject
      local.get $valueStart
      i32.const 66
      i32.add
      local.set $i
    else
      local.get $i
      local.get $end
      call $skipValue
      local.tee $i
      i32.const 0
      i32.lt_s
      br_if $reject
    end
    block $field
    block $v
    block $type
    block $chain
    block $intent
    block $seq
    block $prev
    block $hash
      local.get $name
      i32.eqz
      br_if $field
      local.get $name
      i32.const 1
      i32.eq
      br_if $hash
      local.get $name
      i32.const 2
      i32.eq
      br_if $prev
      local.get $name
      i32.const 3
      i32.eq
      br_if $seq
      local.get $name
      i32.const 4
      i32.eq
      br_if $intent
      local.get $name
      i32.const 5
      i32.eq
      br_if $chain
      local.get $name
      i32.const 6
      i32.eq
      br_if $type
      br $v
    end
      ;; hash: a nested "hash" member before it is left to the slow path
      local.get $hashStart
      i32.const 0
      i32.ge_s
      global.get $nested
      i32.or
      br_if $reject
      local.get $keyStart
      i32.const 1
      i32.sub
      local.set $hashStart
      local.get $i
      local.set $hashEnd
      br $field
    end
      local.get $prevAt
      i32.const 0
      i32.ge_s
      br_if $reject
      local.get $valueStart
      i32.const 1
      i32.add
      local.set $prevAt
      br $field
    end
      local.get $seq
      i64.const 0
      i64.lt_s
      i32.eqz
      br_if $reject
      local.get $valueStart
      local.get $i
      call $plainInteger
      local.tee $seq
      i64.const 0
      i64.lt_s
      br_if $reject
      br $field
    end
      local.get $intentSeq
      i64.const 0
      i64.lt_s
      i32.eqz
      br_if $reject
      local.get $valueStart
      local.get $i
      call $plainInteger
      local.tee $intentSeq
      i64.const 0
      i64.lt_s
      br_if $reject
      br $field
    end
      local.get $chainStart
      i32.const 0
      i32.ge_s
      br_if $reject
      local.get $valueStart
      local.get $i
      call $isPlainString
      i32.eqz
      br_if $reject
      local.get $valueStart
      i32.const 1
      i32.add
      local.set $chainStart
      local.get $i
      i32.const 1
      i32.sub
      local.set $chainEnd
      br $field
    end
      local.get $type
      br_if $reject
      local.get $valueStart
      local.get $i
      call $isToolCall
      i32.eqz
      br_if $reject
      i32.const 1
      local.set $type
      br $field
    end
      ;; v: exactly the digit 1
      local.get $version
      local.get $i
      local.get $valueStart
      i32.sub
      i32.const 1
      i32.ne
      i32.or
      local.get $valueStart
      i32.load8_u
      i32.const 49
      i32.ne
      i32.or
      br_if $reject
      i32.const 1
      local.set $version
    end
    local.get $i
    i32.load8_u
    local.tee $next
    i32.const 44
    i32.eq
    if $comma
      local.get $i
      i32.const 1
      i32.add
      local.set $i
      br $member
    end
    local.get $next
    i32.const 125
    i32.eq
    local.get $i
    i32.const 1
    i32.add
    local.get $end
    i32.eq
    i32.and
    br_if $members
    br $reject
  end
  end
    local.get $version
    local.get $type
    i32.and
    local.get $chainStart
    i32.const 0
    i32.ge_s
    i32.and
    local.get $seq
    i64.const 0
    i64.lt_s
    i32.eqz
    i32.and
    local.get $prevAt
    i32.const 0
    i32.ge_s
    i32.and
    local.get $hashStart
    i32.const 0
    i32.ge_s
    i32.and
    i32.eqz
    br_if $reject
    i32.const 0
    local.get $seq
    f64.convert_i64_s
    f64.store offset=0
    i32.const 0
    local.get $intentSeq
    f64.convert_i64_s
    f64.store offset=8
    i32.const 0
    local.get $prevAt
    i32.store offset=16
    i32.const 0
    local.get $hashStart
    i32.store offset=20
    i32.const 0
    local.get $hashEnd
    i32.store offset=24
    i32.const 0
    local.get $chainStart
    i32.store offset=28
    i32.const 0
    local.get $chainEnd
    i32.store offset=32
    i32.const 0
    global.get $high
    i32.store offset=36
    i32.const 1
    return
  end
  i32.const 0
endfunc

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

export $beginRun
export $scanRun
export $scanLine
`;

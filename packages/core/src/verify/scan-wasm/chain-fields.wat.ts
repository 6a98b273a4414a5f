/** The verifier's WebAssembly scan, part of its text (scan-line-wasm-source.ts joins the parts): sortsAfterHash, plainInteger, isHex64, isPlainString, keyName, isToolCall: the chain fields a fast line must hold, their forms, and the hash member's place. */

/** The 16 bytes at `$i + offset` as a 16-bit mask: a bit for each byte that is neither 0-9 nor a-f. */
const nonHexBits = (offset: number) => `  local.get $i
  v128.load offset=${offset}
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
`;

/** Byte `k` of a key against byte `k` of "hash" (`code`): a shorter key sorts before, a different byte decides. */
const hashKeyByte = (k: number, code: number) => `  local.get $n
  i32.const ${k}
  i32.le_u
  if $shorter${k}
    i32.const 0
    return
  end
  local.get $i
  i32.load8_u offset=${k}
  local.tee $c
  i32.const ${code}
  i32.ne
  if $differs${k}
    local.get $c
    i32.const ${code}
    i32.gt_u
    return
  end
`;

export const CHAIN_FIELDS_WAT = `
;; 1 when the key [$i, $end) (no escapes) sorts after "hash" in canonical JSON's order (sortsAfterHash in
;; scan-record-line.ts): the first byte that differs decides, else the longer key is after.
func $sortsAfterHash $i $end -> i32
  local $n i32
  local $c i32
  local.get $end
  local.get $i
  i32.sub
  local.set $n
${hashKeyByte(0, 104)}${hashKeyByte(1, 97)}${hashKeyByte(2, 115)}${hashKeyByte(3, 104)}  local.get $n
  i32.const 4
  i32.gt_u
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
${nonHexBits(1)}${nonHexBits(17)}  i32.or
${nonHexBits(33)}  i32.or
${nonHexBits(49)}  i32.or
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

`;

/** The verifier's WebAssembly scan, part of its text (scan-line-wasm-source.ts joins the parts): scanLine: `scanLineFields` for one line. */
export const SCAN_LINE_FUNC_WAT = `
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
    ;; the hash member where canonical JSON puts it: keys sorting before "hash" before it, the others after it
    local.get $name
    i32.const 1
    i32.ne
    if $placed
      local.get $keyStart
      local.get $i
      i32.const 1
      i32.sub
      call $sortsAfterHash
      local.get $hashStart
      i32.const 0
      i32.ge_s
      i32.ne
      br_if $reject
    end
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

`;

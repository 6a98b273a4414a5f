/** The verifier's WebAssembly scan, part of its text (scan-line-wasm-source.ts joins the parts): skipString, isHexDigit, isSimpleEscape, skipDigits, skipNumber, skipKey, skipValue: the JSON grammar of one value, as `scanLineFields` checks it. */
export const JSON_VALUES_WAT = `
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

`;

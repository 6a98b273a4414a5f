/**
 * A minimal decoder for OTLP/HTTP protobuf log exports (opentelemetry/proto/collector/logs/v1), enough for the
 * Loki stand-in: it turns an ExportLogsServiceRequest into the OTLP JSON shape the file exporter writes, so
 * the same readers (capture.ts) read what the stand-in accepted. Unknown fields are skipped.
 */

type Json = Record<string, unknown>;

class Reader {
  pos = 0;
  constructor(private readonly _buf: Uint8Array) {}

  get done(): boolean {
    return this.pos >= this._buf.length;
  }

  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this._buf.length) throw new Error('truncated varint');
      const byte = this._buf[this.pos++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
    }
  }

  bytes(length: number): Uint8Array {
    if (this.pos + length > this._buf.length) throw new Error('truncated field');
    const out = this._buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  /** Each field as [number, wire type, value]: varint/fixed as bigint, length-delimited as bytes. */
  *fields(): Generator<[number, number, bigint | Uint8Array]> {
    while (!this.done) {
      const key = Number(this.varint());
      const field = key >>> 3;
      const wire = key & 7;
      if (wire === 0) yield [field, wire, this.varint()];
      else if (wire === 1) yield [field, wire, view(this.bytes(8)).getBigUint64(0, true)];
      else if (wire === 5) yield [field, wire, BigInt(view(this.bytes(4)).getUint32(0, true))];
      else if (wire === 2) yield [field, wire, this.bytes(Number(this.varint()))];
      else throw new Error(`unsupported wire type ${wire}`);
    }
  }
}

/** A view over exactly these bytes (a Node Buffer is a window on a larger, pooled ArrayBuffer). */
function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

const text = (value: bigint | Uint8Array) => new TextDecoder().decode(value as Uint8Array);
const hex = (value: bigint | Uint8Array) => Buffer.from(value as Uint8Array).toString('hex');
const signed = (value: bigint) => BigInt.asIntN(64, value);

function anyValue(buf: Uint8Array): Json {
  for (const [field, , value] of new Reader(buf).fields()) {
    if (field === 1) return { stringValue: text(value) };
    if (field === 2) return { boolValue: value === 1n };
    if (field === 3) return { intValue: signed(value as bigint).toString() };
    if (field === 4) {
      const view = new DataView(new ArrayBuffer(8));
      view.setBigUint64(0, value as bigint, true);
      return { doubleValue: view.getFloat64(0, true) };
    }
    if (field === 5) return { arrayValue: { values: repeated(value as Uint8Array, 1, anyValue) } };
    if (field === 6) return { kvlistValue: { values: repeated(value as Uint8Array, 1, keyValue) } };
    if (field === 7) return { bytesValue: Buffer.from(value as Uint8Array).toString('base64') };
  }
  return {};
}

function keyValue(buf: Uint8Array): Json {
  const out: Json = {};
  for (const [field, , value] of new Reader(buf).fields()) {
    if (field === 1) out.key = text(value);
    else if (field === 2) out.value = anyValue(value as Uint8Array);
  }
  return out;
}

function repeated(buf: Uint8Array, wanted: number, decode: (b: Uint8Array) => Json): Json[] {
  const out: Json[] = [];
  for (const [field, , value] of new Reader(buf).fields())
    if (field === wanted) out.push(decode(value as Uint8Array));
  return out;
}

function logRecord(buf: Uint8Array): Json {
  const out: Json = { attributes: [] };
  for (const [field, , value] of new Reader(buf).fields()) {
    if (field === 1) out.timeUnixNano = (value as bigint).toString();
    else if (field === 11) out.observedTimeUnixNano = (value as bigint).toString();
    else if (field === 2) out.severityNumber = Number(value);
    else if (field === 3) out.severityText = text(value);
    else if (field === 5) out.body = anyValue(value as Uint8Array);
    else if (field === 6) (out.attributes as Json[]).push(keyValue(value as Uint8Array));
    else if (field === 8) out.flags = Number(value);
    else if (field === 9) out.traceId = hex(value);
    else if (field === 10) out.spanId = hex(value);
    else if (field === 12) out.eventName = text(value);
  }
  return out;
}

function scopeLogs(buf: Uint8Array): Json {
  const out: Json = { scope: {}, logRecords: [] };
  for (const [field, , value] of new Reader(buf).fields()) {
    if (field === 1) {
      const scope: Json = {};
      for (const [f, , v] of new Reader(value as Uint8Array).fields()) {
        if (f === 1) scope.name = text(v);
        else if (f === 2) scope.version = text(v);
      }
      out.scope = scope;
    } else if (field === 2) (out.logRecords as Json[]).push(logRecord(value as Uint8Array));
  }
  return out;
}

function resourceLogs(buf: Uint8Array): Json {
  const out: Json = { resource: { attributes: [] }, scopeLogs: [] };
  for (const [field, , value] of new Reader(buf).fields()) {
    if (field === 1) out.resource = { attributes: repeated(value as Uint8Array, 1, keyValue) };
    else if (field === 2) (out.scopeLogs as Json[]).push(scopeLogs(value as Uint8Array));
  }
  return out;
}

/** An ExportLogsServiceRequest (protobuf) as OTLP JSON: `{ resourceLogs: [...] }`. */
export function decodeLogsRequest(buf: Uint8Array): { resourceLogs: Json[] } {
  return { resourceLogs: repeated(buf, 1, resourceLogs) };
}

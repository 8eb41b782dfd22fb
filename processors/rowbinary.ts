/**
 * Encodes rows in ClickHouse's RowBinary format, driven by the column types the server reports
 * for the table (so the SQL schema stays the one source of truth). Why not JSONEachRow: ClickHouse
 * parses binary rows for a fraction of the CPU that JSON text costs it, and on a small machine the
 * server shares the cores with the processor.
 *
 * Format facts (ClickHouse docs, "RowBinary"): little-endian fixed-width numbers; String as LEB128
 * byte length + bytes; Nullable as one 0/1 byte before the value; Array and Map as LEB128 count then
 * elements (Map elements as key, value); UUID as its two 64-bit halves, each little-endian;
 * DateTime64(p) as Int64 ticks of 10^-p s; Decimal(P ≤ 18, S) as Int64 of value × 10^S.
 */

export interface ColumnType {
  name: string;
  type: string;
}

type Writer = (out: RowBinaryEncoder, value: unknown) => void;

interface Column {
  name: string;
  write: Writer;
  /** Written when a row has no value for the column: what JSONEachRow gave an omitted field. */
  empty: unknown;
}

const CHUNK_BYTES = 1024 * 1024;

function inner(type: string, wrapper: string): string | undefined {
  return type.startsWith(`${wrapper}(`) && type.endsWith(')') ? type.slice(wrapper.length + 1, -1) : undefined;
}

/** Splits "K, V" at the top-level comma. */
function splitPair(args: string): [string, string] | undefined {
  let depth = 0;
  for (let i = 0; i < args.length; i++) {
    const c = args[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) return [args.slice(0, i).trim(), args.slice(i + 1).trim()];
  }
  return undefined;
}

const INTS: Record<string, { bytes: 1 | 2 | 4 | 8; signed: boolean }> = {
  UInt8: { bytes: 1, signed: false },
  UInt16: { bytes: 2, signed: false },
  UInt32: { bytes: 4, signed: false },
  UInt64: { bytes: 8, signed: false },
  Int8: { bytes: 1, signed: true },
  Int16: { bytes: 2, signed: true },
  Int32: { bytes: 4, signed: true },
  Int64: { bytes: 8, signed: true },
};

/** The writer for one ClickHouse type and the value an omitted field takes. Throws on types it does not know. */
function compile(type: string): { write: Writer; empty: unknown } {
  const lc = inner(type, 'LowCardinality');
  if (lc !== undefined) return compile(lc);
  const nullable = inner(type, 'Nullable');
  if (nullable !== undefined) {
    const { write } = compile(nullable);
    return {
      write: (out, v) => {
        if (v === null || v === undefined) out.u8(1);
        else {
          out.u8(0);
          write(out, v);
        }
      },
      empty: null,
    };
  }
  const array = inner(type, 'Array');
  if (array !== undefined) {
    const { write } = compile(array);
    return {
      write: (out, v) => {
        const list = v as unknown[];
        out.varint(list.length);
        for (let i = 0; i < list.length; i++) write(out, list[i]);
      },
      empty: [],
    };
  }
  const map = inner(type, 'Map');
  if (map !== undefined) {
    const pair = splitPair(map);
    if (!pair) throw new Error(`cannot read the Map type ${type}`);
    const key = compile(pair[0]).write;
    const value = compile(pair[1]).write;
    return {
      write: (out, v) => {
        const obj = v as Record<string, unknown>;
        const keys = Object.keys(obj);
        out.varint(keys.length);
        for (const k of keys) {
          key(out, k);
          value(out, obj[k]);
        }
      },
      empty: {},
    };
  }
  if (type === 'String') return { write: (out, v) => out.string(v as string), empty: '' };
  if (type === 'Bool') return { write: (out, v) => out.u8(v ? 1 : 0), empty: false };
  if (type === 'UUID') return { write: (out, v) => out.uuid(v as string), empty: '00000000-0000-0000-0000-000000000000' };
  if (type === 'Float32') return { write: (out, v) => out.f32(v as number), empty: 0 };
  if (type === 'Float64') return { write: (out, v) => out.f64(v as number), empty: 0 };
  const int = INTS[type];
  if (int) return { write: intWriter(int.bytes, int.signed), empty: 0 };
  const dt64 = /^DateTime64\((\d)(?:,\s*'[^']*')?\)$/.exec(type);
  if (dt64) {
    const scale = 10 ** (Number(dt64[1]) - 3);
    // Values are epoch milliseconds.
    return { write: (out, v) => out.i64(Math.round((v as number) * scale)), empty: 0 };
  }
  const dec = /^Decimal\((\d+),\s*(\d+)\)$/.exec(type);
  if (dec && Number(dec[1]) <= 18) {
    const scale = Number(dec[2]);
    return { write: (out, v) => out.bigint64(decimalUnits(v, scale)), empty: '0' };
  }
  throw new Error(`RowBinary encoding of ClickHouse type ${type} is not supported`);
}

function intWriter(bytes: 1 | 2 | 4 | 8, signed: boolean): Writer {
  switch (bytes) {
    case 1:
      return signed ? (out, v) => out.i8(v as number) : (out, v) => out.u8(v as number);
    case 2:
      return signed ? (out, v) => out.i16(v as number) : (out, v) => out.u16(v as number);
    case 4:
      return signed ? (out, v) => out.i32(v as number) : (out, v) => out.u32(v as number);
    case 8:
      return signed ? (out, v) => out.i64(Number(v)) : (out, v) => out.u64(v as number | string);
  }
}

/** A decimal given as a string ("0.0012") or number, as integer units of 10^-scale, exactly for strings. */
export function decimalUnits(value: unknown, scale: number): bigint {
  const text = typeof value === 'number' ? value.toFixed(scale) : String(value);
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) throw new Error(`not a decimal: ${text.slice(0, 40)}`);
  const frac = m[3] ?? '';
  if (frac.length > scale) throw new Error(`more than ${scale} decimal places`);
  const units = BigInt(m[2]! + frac.padEnd(scale, '0'));
  return m[1] ? -units : units;
}

/** Value of each hex digit by character code; 255 for anything else. */
const HEX = new Uint8Array(128).fill(255);
for (let i = 0; i < 16; i++) {
  HEX['0123456789abcdef'.charCodeAt(i)] = i;
  HEX['0123456789ABCDEF'.charCodeAt(i)] = i;
}
/** Where byte k of a UUID starts in its 36-character text (dashes skipped). */
const UUID_AT = Array.from({ length: 16 }, (_, k) => 2 * k + (k >= 4 ? 1 : 0) + (k >= 6 ? 1 : 0) + (k >= 8 ? 1 : 0) + (k >= 10 ? 1 : 0));

/** `(a, b, ...)` for an INSERT of these columns, in their order. */
export function insertColumnList(columns: readonly ColumnType[]): string {
  return `(${columns.map((c) => `\`${c.name}\``).join(', ')})`;
}

/**
 * Rows into large shared chunks, each row a view of its chunk (one allocation per megabyte, and a
 * batch is concatenated into an insert body without being encoded again).
 */
export class RowBinaryEncoder {
  private chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  private start = 0;
  private pos = 0;
  private readonly columns: Column[];
  private readonly known: Set<string>;
  /** `(a, b, ...)` for the INSERT statement: the columns every row carries, in order. */
  readonly columnList: string;

  /** `columns`: the table's columns that rows provide, in any order (columns with defaults left out). */
  constructor(columns: ColumnType[]) {
    this.columns = columns.map((c) => {
      try {
        return { name: c.name, ...compile(c.type) };
      } catch (err) {
        throw new Error(`column ${c.name}: ${(err as Error).message}`);
      }
    });
    this.known = new Set(columns.map((c) => c.name));
    this.columnList = insertColumnList(columns);
  }

  /**
   * Fields of the row that no column takes: they would not be stored. Checked once per row shape
   * (at start-up, see processors/pipeline.ts warmUp), not per row.
   */
  unknownFields(row: Record<string, unknown>): string[] {
    return Object.keys(row).filter((k) => !this.known.has(k));
  }

  encode(row: Record<string, unknown>): Buffer {
    this.start = this.pos;
    const cols = this.columns;
    for (let i = 0; i < cols.length; i++) {
      const c = cols[i]!;
      const v = row[c.name];
      c.write(this, v === undefined ? c.empty : v);
    }
    return this.chunk.subarray(this.start, this.pos);
  }

  /** Room for n more bytes; a row that outgrows the chunk moves to a new one. */
  private ensure(n: number): void {
    if (this.pos + n <= this.chunk.length) return;
    const used = this.pos - this.start;
    const next = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, 2 * (used + n)));
    this.chunk.copy(next, 0, this.start, this.pos);
    this.chunk = next;
    this.start = 0;
    this.pos = used;
  }

  u8(v: number): void {
    this.ensure(1);
    this.chunk[this.pos++] = v;
  }
  i8(v: number): void {
    this.ensure(1);
    this.chunk.writeInt8(v, this.pos++);
  }
  u16(v: number): void {
    this.ensure(2);
    this.pos = this.chunk.writeUInt16LE(v, this.pos);
  }
  i16(v: number): void {
    this.ensure(2);
    this.pos = this.chunk.writeInt16LE(v, this.pos);
  }
  u32(v: number): void {
    this.ensure(4);
    this.pos = this.chunk.writeUInt32LE(v, this.pos);
  }
  i32(v: number): void {
    this.ensure(4);
    this.pos = this.chunk.writeInt32LE(v, this.pos);
  }
  /** Safe integers as numbers; larger values (Kafka offsets are strings) through BigInt. */
  u64(v: number | string): void {
    const n = typeof v === 'number' ? v : Number(v);
    if (Number.isSafeInteger(n) && n >= 0) {
      this.ensure(8);
      this.chunk.writeUInt32LE(n % 0x1_0000_0000, this.pos);
      this.chunk.writeUInt32LE(Math.floor(n / 0x1_0000_0000), this.pos + 4);
      this.pos += 8;
    } else {
      this.ensure(8);
      this.pos = this.chunk.writeBigUInt64LE(BigInt(v), this.pos);
    }
  }
  i64(n: number): void {
    if (!Number.isSafeInteger(n)) throw new Error(`not a safe integer: ${n}`);
    this.ensure(8);
    const lo = ((n % 0x1_0000_0000) + 0x1_0000_0000) % 0x1_0000_0000;
    this.chunk.writeUInt32LE(lo, this.pos);
    this.chunk.writeInt32LE(Math.floor(n / 0x1_0000_0000), this.pos + 4);
    this.pos += 8;
  }
  bigint64(v: bigint): void {
    this.ensure(8);
    this.pos = this.chunk.writeBigInt64LE(v, this.pos);
  }
  f32(v: number): void {
    this.ensure(4);
    this.pos = this.chunk.writeFloatLE(v, this.pos);
  }
  f64(v: number): void {
    this.ensure(8);
    this.pos = this.chunk.writeDoubleLE(v, this.pos);
  }

  varint(n: number): void {
    this.ensure(5);
    while (n >= 0x80) {
      this.chunk[this.pos++] = (n & 0x7f) | 0x80;
      n = Math.floor(n / 128);
    }
    this.chunk[this.pos++] = n;
  }

  /**
   * Writes the text after room for the longest length prefix its size allows (3 bytes of UTF-8 per
   * UTF-16 unit at most), then closes the gap if the real prefix is shorter: one pass over the
   * text instead of measuring it first.
   */
  string(s: string): void {
    const len = s.length;
    // Most columns hold empty or short ASCII values (ids, names, versions): copied here in a loop,
    // which costs less than a call into Buffer.write for each one.
    if (len < 64) {
      this.ensure(len + 1);
      const chunk = this.chunk;
      const at = this.pos;
      let i = 0;
      for (; i < len; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        chunk[at + 1 + i] = c;
      }
      if (i === len) {
        chunk[at] = len;
        this.pos = at + 1 + len;
        return;
      }
    }
    const bound = len * 3;
    const reserve = varintSize(bound);
    // At least 5: varint() below asks for that much room and must not move the chunk under the text.
    this.ensure(Math.max(5, reserve + bound));
    const at = this.pos;
    const n = this.chunk.write(s, at + reserve);
    const size = varintSize(n);
    if (size < reserve) this.chunk.copyWithin(at + size, at + reserve, at + reserve + n);
    this.varint(n);
    this.pos = at + size + n;
  }

  uuid(s: string): void {
    if (s.length !== 36 || s[8] !== '-' || s[13] !== '-' || s[18] !== '-' || s[23] !== '-') throw new Error('not a UUID');
    this.ensure(16);
    // Each 8-byte half is a little-endian UInt64: byte k goes to the mirror position in its half.
    for (let k = 0; k < 16; k++) {
      const at = UUID_AT[k]!;
      const hi = HEX[s.charCodeAt(at)] ?? 255;
      const lo = HEX[s.charCodeAt(at + 1)] ?? 255;
      if ((hi | lo) === 255) throw new Error('not a UUID');
      this.chunk[this.pos + (k < 8 ? 7 - k : 23 - k)] = (hi << 4) | lo;
    }
    this.pos += 16;
  }
}

function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

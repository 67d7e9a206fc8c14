// RouterOS API framing (shared/reference/routeros.md §2): words with a 1–5 byte length prefix,
// sentences ended by a zero-length word. Words are handled as latin1 so every byte round-trips
// unchanged (RouterOS stores bytes; node-routeros happens to send windows-1252).

/** The length prefix for a word of `len` bytes. */
export function encodeLength(len: number): Buffer {
  if (!Number.isInteger(len) || len < 0 || len > 0xffffffff) throw new RangeError(`word length out of range: ${len}`);
  if (len < 0x80) return Buffer.from([len]);
  if (len < 0x4000) return Buffer.from([((len >>> 8) & 0x3f) | 0x80, len & 0xff]);
  if (len < 0x200000) return Buffer.from([((len >>> 16) & 0x1f) | 0xc0, (len >>> 8) & 0xff, len & 0xff]);
  if (len < 0x10000000) return Buffer.from([((len >>> 24) & 0x0f) | 0xe0, (len >>> 16) & 0xff, (len >>> 8) & 0xff, len & 0xff]);
  return Buffer.from([0xf0, (len >>> 24) & 0xff, (len >>> 16) & 0xff, (len >>> 8) & 0xff, len & 0xff]);
}

/**
 * Reads a length prefix at the start of `bytes`.
 * Returns null when more bytes are needed, "control" for a reserved control byte (≥ 0xF8).
 */
export function decodeLength(bytes: Uint8Array): { len: number; size: number } | null | "control" {
  const b = bytes[0];
  if (b === undefined) return null;
  let size: number;
  let len: number;
  if (b < 0x80) return { len: b, size: 1 };
  if ((b & 0xc0) === 0x80) [size, len] = [2, b & 0x3f];
  else if ((b & 0xe0) === 0xc0) [size, len] = [3, b & 0x1f];
  else if ((b & 0xf0) === 0xe0) [size, len] = [4, b & 0x0f];
  else if (b === 0xf0) [size, len] = [5, 0];
  else return "control";
  if (bytes.length < size) return null;
  for (let i = 1; i < size; i++) len = len * 256 + (bytes[i] ?? 0);
  return { len, size };
}

export function encodeWord(word: string): Buffer {
  const body = Buffer.from(word, "latin1");
  return Buffer.concat([encodeLength(body.length), body]);
}

/** One sentence on the wire, terminator included. */
export function encodeSentence(words: readonly string[]): Buffer {
  return Buffer.concat([...words.map(encodeWord), Buffer.from([0])]);
}

export type DecoderLimits = {
  /** Largest word accepted, in bytes. */
  maxWordBytes: number;
  /** Largest sentence accepted (sum of its words), in bytes. */
  maxSentenceBytes: number;
};

export class ProtocolError extends Error {}

/**
 * Incremental sentence decoder: feed it TCP chunks, get complete sentences back. Reads may end
 * anywhere (inside a prefix or a word). Throws ProtocolError on a control byte or an over-limit
 * length; the caller then drops the connection.
 */
export class SentenceDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private words: string[] = [];
  private sentenceBytes = 0;

  constructor(private readonly limits: () => DecoderLimits) {}

  push(chunk: Buffer): string[][] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const sentences: string[][] = [];
    for (;;) {
      const head = this.peek(Math.min(5, this.buffered));
      const prefix = decodeLength(head);
      if (prefix === null) break;
      if (prefix === "control") throw new ProtocolError(`reserved control byte 0x${(head[0] ?? 0).toString(16)}`);
      const { maxWordBytes, maxSentenceBytes } = this.limits();
      if (prefix.len > maxWordBytes) throw new ProtocolError(`word of ${prefix.len} bytes exceeds ${maxWordBytes}`);
      if (this.sentenceBytes + prefix.len > maxSentenceBytes) throw new ProtocolError(`sentence exceeds ${maxSentenceBytes} bytes`);
      if (this.buffered < prefix.size + prefix.len) break;
      const word = this.take(prefix.size + prefix.len).subarray(prefix.size);
      if (prefix.len === 0) {
        // Empty sentences are ignored (reference §2.2).
        if (this.words.length > 0) sentences.push(this.words);
        this.words = [];
        this.sentenceBytes = 0;
      } else {
        this.words.push(word.toString("latin1"));
        this.sentenceBytes += prefix.len;
      }
    }
    return sentences;
  }

  /** The first n buffered bytes (fewer if not available), joining chunks only when needed. */
  private peek(n: number): Buffer {
    const first = this.chunks[0];
    if (!first) return Buffer.alloc(0);
    if (first.length >= n || this.chunks.length === 1) return first.subarray(0, n);
    this.chunks = [Buffer.concat(this.chunks)];
    return (this.chunks[0] as Buffer).subarray(0, n);
  }

  private take(n: number): Buffer {
    const joined = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks);
    const out = joined.subarray(0, n);
    const rest = joined.subarray(n);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered = rest.length;
    return out;
  }
}

/** `=key=value` → [key, value]; the value may contain `=` (split on the first two only). */
export function parseAttributeWord(word: string): [string, string] {
  const body = word.slice(1);
  const eq = body.indexOf("=");
  return eq === -1 ? [body, ""] : [body.slice(0, eq), body.slice(eq + 1)];
}

/**
 * The text encoding of an import file: UTF-8 (with or without BOM), GBK or GB18030, as the tax system's
 * and the agencies' exports come. Detected, or named with --encoding, and checked over the whole file
 * before anything is sent: a file that does not decode is refused with nothing written, never imported
 * as mojibake.
 */
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream';
import iconv from 'iconv-lite';

export const ENCODINGS = ['auto', 'utf8', 'gbk', 'gb18030'] as const;
export type EncodingOption = (typeof ENCODINGS)[number];
export type Encoding = Exclude<EncodingOption, 'auto'>;

const NAMES: Record<Encoding, string> = { utf8: 'UTF-8', gbk: 'GBK', gb18030: 'GB18030' };
export const encodingName = (encoding: Encoding) => NAMES[encoding];

/** Decodes the whole file with `encoding`, streaming; false at the first byte sequence it cannot read. */
async function decodes(file: string, encoding: Encoding): Promise<boolean> {
  if (encoding === 'utf8') {
    const decoder = new TextDecoder('utf-8', { fatal: true });
    try {
      for await (const chunk of createReadStream(file)) decoder.decode(chunk as Buffer, { stream: true });
      decoder.decode();
      return true;
    } catch {
      return false;
    }
  }
  // iconv-lite puts U+FFFD where GBK or GB18030 bytes are invalid; neither export writes that character.
  const decoder = iconv.getDecoder(encoding);
  for await (const chunk of createReadStream(file)) if (decoder.write(chunk as Buffer).includes('\uFFFD')) return false;
  return !(decoder.end() ?? '').includes('\uFFFD');
}

async function startsWithUtf8Bom(file: string): Promise<boolean> {
  for await (const chunk of createReadStream(file, { start: 0, end: 2 })) return (chunk as Buffer).equals(Buffer.from([0xef, 0xbb, 0xbf]));
  return false;
}

/**
 * The encoding to read `file` with: the one named, checked; or UTF-8 when the file is valid UTF-8 (a BOM
 * says so at once), else GB18030, which reads every GBK file alike. Throws one sentence when it fits none.
 */
export async function detectEncoding(file: string, option: EncodingOption = 'auto'): Promise<Encoding> {
  if (option !== 'auto') {
    if (await decodes(file, option)) return option;
    throw new Error(`${file} is not valid ${NAMES[option]}: nothing was imported; check the file, or leave out --encoding to detect it`);
  }
  const bom = await startsWithUtf8Bom(file);
  if (await decodes(file, 'utf8')) return 'utf8';
  if (bom) throw new Error(`${file} starts with a UTF-8 byte-order mark but is not valid UTF-8: nothing was imported`);
  if (await decodes(file, 'gb18030')) return 'gb18030';
  throw new Error(`${file} is neither UTF-8 nor GBK/GB18030 text: nothing was imported; save it as CSV (UTF-8) or name its encoding with --encoding`);
}

/** A stream of the file's text in `encoding`, without a byte-order mark. */
export function decodedStream(file: string, encoding: Encoding, onBytes?: (bytes: number) => void): NodeJS.ReadableStream {
  const raw = createReadStream(file);
  if (onBytes) raw.on('data', (chunk) => onBytes((chunk as Buffer).length));
  // pipeline, not pipe: a read error (the file moved or cut while importing) reaches the reader of the
  // text, where pipe would leave it unheard and end the process.
  return pipeline(raw, iconv.decodeStream(encoding === 'utf8' ? 'utf8' : encoding, { stripBOM: true }), () => {});
}

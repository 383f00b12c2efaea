/**
 * A small streaming RFC 4180 reader: quoted fields (with "" for a quote, commas and line breaks
 * inside), CRLF or LF line ends, a leading byte-order mark. It holds one record at a time, so a file
 * of any size is read in constant memory.
 */

export class CsvSyntaxError extends Error {
  constructor(
    message: string,
    public readonly record: number,
  ) {
    super(`Row ${record}: ${message}`);
  }
}

export interface CsvRecord {
  /** 1 for the header row, 2 for the first data row: the row number a spreadsheet shows. */
  number: number;
  fields: string[];
}

type State = 'start' | 'unquoted' | 'quoted' | 'quoteInQuoted';

export async function* readCsv(chunks: AsyncIterable<Uint8Array | string>): AsyncGenerator<CsvRecord> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let fields: string[] = [];
  let field = '';
  let state: State = 'start';
  let record = 1;
  let first = true;
  let skipLf = false;

  const endField = () => {
    fields.push(field);
    field = '';
    state = 'start';
  };
  const endRecord = (): CsvRecord | null => {
    endField();
    const done = fields;
    fields = [];
    // A blank line is not a record.
    if (done.length === 1 && done[0] === '') return null;
    return { number: record++, fields: done };
  };

  const decode = (chunk: Uint8Array | string, stream: boolean): string => {
    try {
      return typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream });
    } catch {
      throw new CsvSyntaxError('the file is not UTF-8 text', record);
    }
  };

  async function* texts(): AsyncGenerator<string> {
    for await (const chunk of chunks) yield decode(chunk, true);
    yield decode(new Uint8Array(0), false);
  }

  for await (let text of texts()) {
    if (first && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
    }
    for (const ch of text) {
      if (skipLf) {
        skipLf = false;
        if (ch === '\n') continue;
      }
      switch (state) {
        case 'quoted':
          if (ch === '"') state = 'quoteInQuoted';
          else field += ch;
          break;
        case 'quoteInQuoted':
          if (ch === '"') {
            field += '"';
            state = 'quoted';
          } else if (ch === ',') {
            endField();
          } else if (ch === '\n' || ch === '\r') {
            skipLf = ch === '\r';
            const r = endRecord();
            if (r) yield r;
          } else {
            throw new CsvSyntaxError('a quoted field must end with its closing quote right before a comma or line end', record);
          }
          break;
        case 'start':
        case 'unquoted':
          if (ch === ',') {
            endField();
          } else if (ch === '\n' || ch === '\r') {
            skipLf = ch === '\r';
            const r = endRecord();
            if (r) yield r;
          } else if (ch === '"') {
            if (state === 'unquoted') throw new CsvSyntaxError('a quote inside an unquoted field; quote the whole field and double the quote ("")', record);
            state = 'quoted';
          } else {
            field += ch;
            state = 'unquoted';
          }
          break;
      }
    }
  }
  if (state === 'quoted') throw new CsvSyntaxError('a quoted field is never closed', record);
  if (state !== 'start' || fields.length > 0) {
    const r = endRecord();
    if (r) yield r;
  }
}

// Reads the "Arguments" field of the Run dialog into an argument vector, with no shell: words
// split at spaces; "double quotes" keep spaces (inside them \" and \\ are a quote and a
// backslash); 'single quotes' keep everything literally; a backslash outside quotes keeps the
// next character (so \  is a space inside a word). "" is an empty argument.

/** Returns { args, error }: error is a sentence when the text cannot be read (an open quote). */
export function parseArgs(text) {
  const args = [];
  let current = '';
  let inWord = false;
  let quote = null; // '"' or "'" while inside quotes
  const source = String(text ?? '');

  for (let i = 0; i < source.length; i += 1) {
    const ch = source[i];
    if (quote === "'") {
      if (ch === "'") quote = null;
      else current += ch;
      continue;
    }
    if (quote === '"') {
      if (ch === '"') {
        quote = null;
      } else if (ch === '\\' && (source[i + 1] === '"' || source[i + 1] === '\\')) {
        current += source[i + 1];
        i += 1;
      } else {
        current += ch;
      }
      continue;
    }
    if (/\s/.test(ch)) {
      if (inWord) {
        args.push(current);
        current = '';
        inWord = false;
      }
      continue;
    }
    inWord = true;
    if (ch === '"' || ch === "'") {
      quote = ch;
    } else if (ch === '\\' && i + 1 < source.length) {
      current += source[i + 1];
      i += 1;
    } else {
      current += ch;
    }
  }

  if (quote) {
    const name = quote === '"' ? 'double' : 'single';
    return { args, error: `A ${name} quote is not closed: add the closing ${quote}.` };
  }
  if (inWord) args.push(current);
  return { args, error: null };
}

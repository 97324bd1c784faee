/**
 * Lines of a byte stream with the bytes each takes in the file (its newline included), so that a file
 * can be cut into byte ranges of whole lines. The newline is `\n`; a `\r` before it stays in the text.
 */
export async function* linesWithBytes(chunks: AsyncIterable<Uint8Array>): AsyncIterable<{ text: string; bytes: number }> {
  const decoder = new TextDecoder();
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const chunk of chunks) {
    let buffer = Buffer.from(chunk);
    let newline = buffer.indexOf(0x0a);
    while (newline !== -1) {
      const line = Buffer.concat([...pending, buffer.subarray(0, newline)]);
      yield { text: decoder.decode(line).replace(/\r$/, ''), bytes: pendingBytes + newline + 1 };
      pending = [];
      pendingBytes = 0;
      buffer = buffer.subarray(newline + 1);
      newline = buffer.indexOf(0x0a);
    }
    if (buffer.length > 0) {
      pending.push(buffer);
      pendingBytes += buffer.length;
    }
  }
  if (pendingBytes > 0) yield { text: decoder.decode(Buffer.concat(pending)).replace(/\r$/, ''), bytes: pendingBytes };
}

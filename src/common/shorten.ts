/**
 * `text` cut to its first `max` code points plus `…` when longer. Cutting by UTF-16 units could
 * split a surrogate pair and emit half an emoji (`\ud83d`), which is not valid UTF-8 on the wire.
 * Walks at most `max` code points, whatever the length of `text`.
 */
export function shorten(text: string, max: number): string {
  // No more UTF-16 units than `max` means no more code points either: nothing to walk.
  if (text.length <= max) return text;
  let index = 0;
  for (let count = 0; count < max; count++) {
    if (index >= text.length) return text;
    const codePoint = text.codePointAt(index) ?? 0;
    index += codePoint > 0xffff ? 2 : 1;
  }
  return index >= text.length ? text : `${text.slice(0, index)}…`;
}

/**
 * A to_tsquery text that matches any of the words in a title ("Feil i feriepenger mai" →
 * "feil | feriepenger | mai"), for suggestions and similar cases; undefined when there are none.
 * Stop words drop out in PostgreSQL.
 */
export function anyOfWords(text: string): string | undefined {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]{3,}/gu) ?? [];
  return words.length > 0 ? [...new Set(words)].slice(0, 12).join(' | ') : undefined;
}

/** A LIKE/ILIKE pattern that finds the text anywhere, with the user's own % and _ taken literally. */
export const containsPattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

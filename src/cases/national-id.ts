// Finds Norwegian national identity numbers (fødselsnummer, d-nummer, h-nummer) in free text by their
// check digits, so a title that would show one in lists and exports can be refused.
import { validateNorwegianIdNumber } from 'norwegian-national-id-validator';

// Eleven digits, optionally written as "DDMMYY NNNNN" with a space, dot or dash in the middle.
const candidate = /(?<!\d)(\d{6})[ .-]?(\d{5})(?!\d)/g;

export function containsNationalId(text: string): boolean {
  for (const match of text.matchAll(candidate)) {
    if (validateNorwegianIdNumber(`${match[1]}${match[2]}`)) return true;
  }
  return false;
}

/** The text with every valid identity number in it replaced by asterisks. */
export function maskNationalIds(text: string): string {
  return text.replace(candidate, (match, first: string, second: string) =>
    validateNorwegianIdNumber(`${first}${second}`) ? '*'.repeat(11) : match,
  );
}

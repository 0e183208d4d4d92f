// The template engine as every page uses it: compiled once, escaped by default, indentation dropped, and
// data merged without spreading (see template-data.ts).
import { Eta } from 'eta';
import { mergeData } from './template-data.js';

/**
 * Drops the indentation at the start of every line of a template's source, once, when it is compiled.
 * Indentation is for people reading the templates; in HTML a line break already separates what it
 * separates, so the pages are the same to a browser and about a quarter smaller on the wire (a case
 * list's 50 rows: 30 KB → 21 KB). No template keeps a multi-line <pre> or <textarea> body, where
 * leading spaces would be content (test/templates.test.ts holds every template to that).
 */
export const dropIndentation = {
  processTemplate: (source: string) => source.replace(/\n[ \t]+/g, '\n'),
};

/**
 * Eta merges a template's data into every include and layout with spreads (`{...it, ...data}`), the slow
 * path of template-data.ts, several times a page. This rewrites those merges in each compiled template
 * to `mergeData`; an include without data of its own gets the same data, as nothing a template does
 * changes it. An Eta whose compiled code no longer has those spreads fails here, at its first template,
 * rather than quietly taking the slow path again.
 */
export const mergeWithoutSpreads = {
  processFnString: (fnString: string, config?: { varName: string }) => {
    const it = config?.varName ?? 'it';
    const rewrites: [string, string][] = [
      [
        `this.render(__eta_t, {...${it}, ...(__eta_d ?? {})}, options)`,
        `this.render(__eta_t, __eta_d === undefined ? ${it} : this.merge(${it}, __eta_d), options)`,
      ],
      [
        `this.renderAsync(__eta_t, {...${it}, ...(__eta_d ?? {})}, options)`,
        `this.renderAsync(__eta_t, __eta_d === undefined ? ${it} : this.merge(${it}, __eta_d), options)`,
      ],
      ...(['include', 'await includeAsync'] as const).map((call): [string, string] => [
        `${call} (__eta.layout, {...${it}, body: __eta.res, ...__eta.layoutData, __blocks: __eta.blocks})`,
        `${call === 'include' ? 'this.render' : 'await this.renderAsync'}(__eta.layout, this.merge(${it}, {body: __eta.res}, __eta.layoutData ?? {}, {__blocks: __eta.blocks}), options)`,
      ]),
    ];
    let rewritten = fnString;
    let found = 0;
    for (const [from, to] of rewrites) {
      if (rewritten.includes(from)) found++;
      rewritten = rewritten.replace(from, to);
    }
    // Each compiled template defines both includes and makes one of the two layout calls.
    if (found !== 3) throw new Error("Eta's compiled templates changed: its merges of the data were not found");
    return rewritten;
  },
};

export class Templates extends Eta {
  readonly merge = mergeData;
}

export function templateEngine(viewsDir: string): Templates {
  return new Templates({
    views: viewsDir,
    cache: true,
    autoEscape: true,
    plugins: [dropIndentation, mergeWithoutSpreads],
  });
}

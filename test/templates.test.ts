// The template engine drops each line's indentation when it compiles a template; these are the rules
// that keep that invisible to a reader of the page.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { Eta } from 'eta';
import { dropIndentation } from '../src/web/templates.js';
import { viewsDir } from '../src/paths.js';

function templates(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? templates(full) : name.endsWith('.eta') ? [full] : [];
  });
}

t.test('no template has a <pre> or <textarea> whose body spans lines (its indentation would be content)', async (t) => {
  const found: string[] = [];
  for (const file of templates(viewsDir)) {
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(/<(pre|textarea)\b/g)) {
      const end = source.indexOf(`</${match[1]}`, match.index);
      if (end < 0 || source.slice(match.index, end).includes('\n'))
        found.push(`${path.relative(viewsDir, file)}:${source.slice(0, match.index).split('\n').length}`);
    }
    for (const match of source.matchAll(/`[^`]*`/g))
      if (match[0].includes('\n')) found.push(`${path.relative(viewsDir, file)}: a template literal across lines`);
  }
  t.same(found, [], 'keep such bodies on one line');
});

t.test('indentation in the template goes, indentation in the data stays', async (t) => {
  const eta = new Eta({ autoEscape: true, plugins: [dropIndentation] });
  const html = eta.renderString(
    '<form>\n    <label>\n      <%= it.label %>\n    </label>\n    <textarea><%= it.text %></textarea>\n</form>',
    { label: 'Melding', text: '  innrykk\n    beholdes' },
  );
  t.equal(html, '<form>\n<label>\nMelding</label>\n<textarea>  innrykk\n    beholdes</textarea>\n</form>');
});

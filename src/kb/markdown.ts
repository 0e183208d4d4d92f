// Article text is Markdown; what reaches a page is HTML that can hold no script. Raw HTML in the
// Markdown is not passed through at all, and the result is sanitised again against an allow-list.
import { createRequire } from 'node:module';
import type MarkdownIt from 'markdown-it';
import type sanitizeHtml from 'sanitize-html';

// Both are loaded with the first article shown, not at start-up (together a sixth of a second).
const require = createRequire(import.meta.url);
let libraries: { markdown: InstanceType<typeof MarkdownIt>; sanitize: typeof sanitizeHtml } | undefined;
function loaded() {
  libraries ??= {
    markdown: new (require('markdown-it') as typeof MarkdownIt)({ html: false, linkify: true, typographer: false }),
    sanitize: require('sanitize-html') as typeof sanitizeHtml,
  };
  return libraries;
}

const allowed: sanitizeHtml.IOptions = {
  allowedTags: [
    'p',
    'br',
    'h2',
    'h3',
    'h4',
    'ul',
    'ol',
    'li',
    'strong',
    'em',
    'code',
    'pre',
    'blockquote',
    'a',
    'table',
    'thead',
    'tbody',
    'tr',
    'th',
    'td',
    'hr',
  ],
  allowedAttributes: { a: ['href'], th: ['scope'] },
  allowedSchemes: ['https', 'http', 'mailto'],
  allowProtocolRelative: false,
  transformTags: {
    // Headings start at h2: the page's own title is the h1.
    h1: 'h2',
  },
};

export function renderMarkdown(source: string): string {
  const { markdown, sanitize } = loaded();
  return sanitize(markdown.render(source), allowed);
}

/**
 * What a reader sees of the Markdown, as plain text: the words of links, emphasis, headings and code,
 * without the marks around them, blocks separated by a space. For excerpts, which show no markup.
 */
export function markdownText(source: string): string {
  const words: string[] = [];
  const walk = (tokens: ReturnType<InstanceType<typeof MarkdownIt>['parse']>) => {
    for (const token of tokens) {
      if (token.children) walk(token.children);
      else if (token.type === 'text' || token.type === 'code_inline') words.push(token.content);
      else if (token.type === 'fence' || token.type === 'code_block') words.push(` ${token.content} `);
      else if (token.type === 'softbreak' || token.type === 'hardbreak' || token.nesting === -1) words.push(' ');
    }
  };
  walk(loaded().markdown.parse(source, {}));
  return words.join('').replace(/\s+/g, ' ').trim();
}

// Article text is Markdown; what reaches a page is HTML that can hold no script. Raw HTML in the
// Markdown is not passed through at all, and the result is sanitised again against an allow-list.
import MarkdownIt from 'markdown-it';
import sanitizeHtml from 'sanitize-html';

const markdown = new MarkdownIt({ html: false, linkify: true, typographer: false });

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
  return sanitizeHtml(markdown.render(source), allowed);
}

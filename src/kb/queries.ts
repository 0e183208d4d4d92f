import { idOf } from '../web/input.js';
import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { Db } from '../db/index.js';
import type { DB } from '../db/schema.js';
import type { Viewer } from '../auth/viewer.js';
import { can } from '../auth/guards.js';
import { escapeHtml } from '../web/escape.js';
import { anyOfWords } from '../db/text-search.js';
import { markdownText } from './markdown.js';

function articleVisibleTo(eb: ExpressionBuilder<DB, 'articles'>, viewer: Viewer | null): Expression<SqlBool> {
  if (can(viewer, 'kb.edit')) return sql<SqlBool>`true`;
  const published = eb('articles.status', '=', 'published');
  return can(viewer, 'kb.readInternal') ? published : eb.and([published, eb('articles.audience', '=', 'public')]);
}

export function visibleArticles(db: Db, viewer: Viewer | null) {
  return db.selectFrom('articles').where((eb) => articleVisibleTo(eb, viewer));
}

const summary = [
  'articles.id',
  'articles.title',
  'articles.audience',
  'articles.status',
  'articles.faq',
  'articles.area_id',
  'articles.updated_at',
] as const;

export interface ArticleSearch {
  q: string;
  area: string;
  category: string;
}

/** Ranked full-text search with highlighted excerpts; without a query, the newest articles. */
export async function searchArticles(db: Db, viewer: Viewer | null, search: ArticleSearch) {
  let query = visibleArticles(db, viewer)
    .leftJoin('areas', 'areas.id', 'articles.area_id')
    .select([...summary, 'areas.name_nb as area_nb', 'areas.name_en as area_en']);
  if (search.area) query = query.where('areas.code', '=', search.area);
  const categoryId = idOf(search.category);
  if (categoryId !== undefined) query = query.where('articles.category_id', '=', categoryId);
  if (!search.q)
    return (await query.select('articles.body').orderBy('articles.updated_at', 'desc').limit(30).execute()).map(
      ({ body, ...a }) => ({ ...a, excerpt: escapeExcerpt(shortened(markdownText(body), 240)) }),
    );
  const tsquery = sql`websearch_to_tsquery('norwegian', ${search.q})`;
  const rows = await query
    .where(sql<boolean>`articles.search @@ ${tsquery}`)
    .select('articles.body')
    .orderBy(sql`ts_rank_cd(articles.search, ${tsquery})`, 'desc')
    .orderBy('articles.updated_at', 'desc')
    .limit(30)
    .execute();
  if (rows.length === 0) return [];
  // The excerpt is cut from what a reader sees (the Markdown rendered, then stripped to text), so no `**`
  // or `[…](…)` shows. ts_headline marks matches with characters that cannot occur in that text, so the
  // excerpt can be escaped first and marked up after: nothing from the article reaches the page unescaped.
  const plain = rows.map((a) => `${a.title}. ${markdownText(a.body)}`.replace(/[\u0001\u0002]/g, ''));
  const { rows: headlines } = await sql<{ excerpt: string }>`
    select ts_headline('norwegian', plain, ${tsquery}, 'StartSel=\u0001, StopSel=\u0002, MaxWords=35, MinWords=15') as excerpt
    from unnest(${plain}::text[]) with ordinality as texts(plain, n) order by n`.execute(db);
  return rows.map(({ body: _body, ...a }, i) => ({ ...a, excerpt: escapeExcerpt(headlines[i]?.excerpt ?? '') }));
}

/** At most `length` characters, cut at a word and marked with an ellipsis when cut. */
function shortened(text: string, length: number): string {
  if (text.length <= length) return text;
  const cut = text.slice(0, length);
  const space = cut.lastIndexOf(' ');
  return `${space > length / 2 ? cut.slice(0, space) : cut}…`;
}

function escapeExcerpt(text: string): string {
  return escapeHtml(text)
    .replace(/\u0001/g, '<mark>')
    .replace(/\u0002/g, '</mark>');
}

/**
 * Published articles the viewer may read that match a case title: public ones for customers, internal ones too for
 * staff.
 */
export async function suggestArticles(db: Db, viewer: Viewer, title: string) {
  const query = anyOfWords(title);
  if (!query) return [];
  return (
    visibleArticles(db, viewer)
      .select(['articles.id', 'articles.title'])
      // Editors see drafts everywhere else; a suggestion is only ever a published article.
      .where('articles.status', '=', 'published')
      .where(sql<boolean>`articles.search @@ to_tsquery('norwegian', ${query})`)
      .orderBy(sql`ts_rank_cd(articles.search, to_tsquery('norwegian', ${query}))`, 'desc')
      .limit(5)
      .execute()
  );
}

export async function findArticle(db: Db, viewer: Viewer | null, id: number) {
  const article = await visibleArticles(db, viewer)
    .leftJoin('areas', 'areas.id', 'articles.area_id')
    .leftJoin('categories', 'categories.id', 'articles.category_id')
    .select([
      ...summary,
      'articles.body',
      'articles.category_id',
      'areas.name_nb as area_nb',
      'areas.name_en as area_en',
      'categories.name_nb as category_nb',
      'categories.name_en as category_en',
    ])
    .where('articles.id', '=', id)
    .executeTakeFirst();
  if (!article) return undefined;
  const related = await visibleArticles(db, viewer)
    .innerJoin('article_relations', 'article_relations.related_id', 'articles.id')
    .select(['articles.id', 'articles.title'])
    .where('article_relations.article_id', '=', id)
    .orderBy('articles.title')
    .execute();
  return { ...article, related };
}

/** Frequently asked questions, per area, for the home page and the knowledge base. */
export function faq(db: Db, viewer: Viewer | null) {
  return visibleArticles(db, viewer)
    .leftJoin('areas', 'areas.id', 'articles.area_id')
    .select([
      'articles.id',
      'articles.title',
      'areas.code as area',
      'areas.name_nb as area_nb',
      'areas.name_en as area_en',
    ])
    .where('articles.faq', '=', true)
    .where('articles.status', '=', 'published')
    .orderBy('areas.sort_order')
    .orderBy('articles.title')
    .execute();
}

export function revisions(db: Db, articleId: number) {
  return db
    .selectFrom('article_revisions')
    .leftJoin('users', 'users.id', 'article_revisions.edited_by')
    .select(['article_revisions.id', 'article_revisions.title', 'article_revisions.edited_at', 'users.name as editor'])
    .where('article_revisions.article_id', '=', articleId)
    .orderBy('article_revisions.id', 'desc')
    .execute();
}

const newsColumns = [
  'news.id',
  'news.title',
  'news.body',
  'news.severity',
  'news.visible_from',
  'news.visible_until',
  'areas.name_nb as area_nb',
  'areas.name_en as area_en',
] as const;

/** News and known problems showing now; for one area, also those for every area. */
export function activeNews(db: Db, areaId?: number) {
  let query = db
    .selectFrom('news')
    .leftJoin('areas', 'areas.id', 'news.area_id')
    .select(newsColumns)
    .where('news.visible_from', '<=', sql<Date>`now()`)
    .where((eb) => eb.or([eb('news.visible_until', 'is', null), eb('news.visible_until', '>', sql<Date>`now()`)]))
    .orderBy('news.visible_from', 'desc');
  if (areaId !== undefined)
    query = query.where((eb) => eb.or([eb('news.area_id', 'is', null), eb('news.area_id', '=', areaId)]));
  return query.limit(20).execute();
}

/** Everything that has been shown, newest first; never what is not yet visible. */
export function newsArchive(db: Db) {
  return db
    .selectFrom('news')
    .leftJoin('areas', 'areas.id', 'news.area_id')
    .select(newsColumns)
    .where('news.visible_from', '<=', sql<Date>`now()`)
    .orderBy('news.visible_from', 'desc')
    .limit(200)
    .execute();
}

export function feedbackCounts(db: Db) {
  return db
    .selectFrom('page_feedback')
    .innerJoin('articles', 'articles.id', 'page_feedback.article_id')
    .select((eb) => [
      'articles.id',
      'articles.title',
      eb.fn.countAll<number>().filterWhere('page_feedback.helpful', '=', true).as('yes'),
      eb.fn.countAll<number>().filterWhere('page_feedback.helpful', '=', false).as('no'),
    ])
    .groupBy(['articles.id', 'articles.title'])
    .orderBy('articles.title')
    .execute();
}

/** Every article's title, for choosing related articles. */
export function articleTitles(db: Db) {
  return db.selectFrom('articles').select(['id', 'title']).orderBy('title').limit(500).execute();
}

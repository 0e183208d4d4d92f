// Which tables this process has written to: a counter per watched table, moved on by every statement
// that inserts, updates, deletes or merges into it (before it runs and again when it has run), so what
// was read from the table before can be known to be out of date. Kysely's queries are read from their
// tree; raw SQL only when it names the table after INSERT INTO, UPDATE, DELETE FROM or MERGE INTO.
import {
  AliasNode,
  DeleteQueryNode,
  InsertQueryNode,
  MergeQueryNode,
  RawNode,
  TableNode,
  UpdateQueryNode,
  type KyselyPlugin,
  type OperationNode,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
} from 'kysely';

const counters = new Map<string, { writes: number; at: number }>();

/** How many writes to `table` this process has begun and finished: a different figure means a change. */
export function writesTo(table: string): number {
  return counters.get(table)?.writes ?? 0;
}

/**
 * When this process last began or finished a write to `table` (epoch milliseconds, 0 for never). A
 * statement that has run may still wait for its transaction's commit, which the plugin does not see:
 * what is read soon after it may not show it yet.
 */
export function lastWriteTo(table: string): number {
  return counters.get(table)?.at ?? 0;
}

const bump = (table: string) => counters.set(table, { writes: writesTo(table) + 1, at: Date.now() });

function tableName(node: OperationNode | undefined): string | undefined {
  if (!node) return undefined;
  if (TableNode.is(node)) return node.table.identifier.name;
  if (AliasNode.is(node)) return tableName(node.node);
  return undefined;
}

const rawWrite = /\b(?:insert\s+into|update|delete\s+from|merge\s+into)\s+(?:"?public"?\.)?"?([a-z_]+)"?/gi;

function writtenTables(node: RootOperationNode): string[] {
  if (InsertQueryNode.is(node)) return [tableName(node.into)].filter((name) => name !== undefined);
  if (UpdateQueryNode.is(node)) return [tableName(node.table)].filter((name) => name !== undefined);
  if (DeleteQueryNode.is(node)) return node.from.froms.map(tableName).filter((name) => name !== undefined);
  if (MergeQueryNode.is(node)) return [tableName(node.into)].filter((name) => name !== undefined);
  if (RawNode.is(node))
    return [...node.sqlFragments.join(' ').matchAll(rawWrite)].map((match) => match[1]!.toLowerCase());
  return [];
}

/**
 * The tables whose writes every Db made by createDb counts: the cases (kept counts), and what the case
 * page offers for an area (groups, categories, answer templates, caseworkers), kept while unwritten.
 */
export const watchedTables = ['cases', 'groups', 'categories', 'templates', 'users', 'user_roles'] as const;

/** The plugin that keeps the counters of `tables`; every Db made by createDb has it (watchedTables). */
export function watchWrites(tables: readonly string[]): KyselyPlugin {
  const running = new WeakMap<object, string[]>();
  return {
    transformQuery({ node, queryId }: PluginTransformQueryArgs): RootOperationNode {
      const written = writtenTables(node).filter((table) => tables.includes(table));
      if (written.length > 0) {
        for (const table of written) bump(table);
        running.set(queryId, written);
      }
      return node;
    },
    async transformResult({ result, queryId }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
      for (const table of running.get(queryId) ?? []) bump(table);
      return result;
    },
  };
}

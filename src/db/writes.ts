// Which tables this process has written to: a counter per watched table, moved on by every statement
// that inserts, updates, deletes or merges into it (before it runs and again when it has run), so what
// was read from the table before can be known to be out of date. Kysely's queries are read from their
// tree; raw SQL only when it names the table after INSERT INTO, UPDATE, DELETE FROM or MERGE INTO.
import {
  AliasNode,
  ColumnNode,
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

/**
 * Columns whose updates change nothing anything kept depends on: a login stamps the user's last login
 * (and binds their subject), and counting that would drop every kept viewer at every login (the trigger
 * of migration 0042 leaves them out the same way).
 */
const quietColumns: Record<string, readonly string[]> = { users: ['last_login_at', 'oidc_subject'] };

function onlyQuietColumns(table: string, node: UpdateQueryNode): boolean {
  const quiet = quietColumns[table];
  if (!quiet || !node.updates || node.updates.length === 0) return false;
  return node.updates.every((update) => {
    const column = update.column;
    return ColumnNode.is(column) && quiet.includes(column.column.name);
  });
}

const rawWrite = /\b(?:insert\s+into|update|delete\s+from|merge\s+into)\s+(?:"?public"?\.)?"?([a-z_]+)"?/gi;

function writtenTables(node: RootOperationNode): string[] {
  if (InsertQueryNode.is(node)) return [tableName(node.into)].filter((name) => name !== undefined);
  if (UpdateQueryNode.is(node)) {
    const table = tableName(node.table);
    return table === undefined || onlyQuietColumns(table, node) ? [] : [table];
  }
  if (DeleteQueryNode.is(node)) return node.from.froms.map(tableName).filter((name) => name !== undefined);
  if (MergeQueryNode.is(node)) return [tableName(node.into)].filter((name) => name !== undefined);
  if (RawNode.is(node))
    return [...node.sqlFragments.join(' ').matchAll(rawWrite)].map((match) => match[1]!.toLowerCase());
  return [];
}

/**
 * The tables a session's viewer is read from besides the session itself (src/auth/kept-viewers.ts): a
 * write to any of them by this process drops every viewer it keeps.
 */
export const accessTables = [
  'users',
  'user_roles',
  'agency_members',
  'agencies',
  'group_members',
  'shared_mailboxes',
  'shared_mailbox_members',
  'consultant_declarations',
] as const;

/**
 * The tables whose writes every Db made by createDb counts: the cases (kept counts), what the case page
 * offers for an area (groups, categories, answer templates, caseworkers), and who a session is and what it
 * may do (accessTables), each kept while unwritten.
 */
export const watchedTables = ['cases', 'groups', 'categories', 'templates', ...accessTables] as const;

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

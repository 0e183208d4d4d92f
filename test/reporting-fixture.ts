// A periodic report as Kari delivers it in the tests: this month's variable pay for Demoetaten, two rows.
import { variablePayLayout } from '../src/demo/reporting.js';
import { osloDay } from '../src/sla/calendar.js';
import type { Client } from './helpers.js';

export const header = variablePayLayout.columns.map((c) => c.name).join(';');
export const thisMonth = osloDay(new Date()).slice(0, 7);
export const csv = (period: string, amounts = ['2450,00', '-350,00']) =>
  Buffer.from(
    [
      header,
      `10023;01010012356;1100;${amounts[0]};${period};`,
      `10023;01010012356;5010;${amounts[1]};${period};Kantine`,
    ].join('\r\n'),
  );
export const periodPath = `/reporting/types/variabel-lonn/${thisMonth}`;

export async function deliverFile(client: Client, data: Buffer, fields: Record<string, string>, name = 'lonn.csv') {
  await client.get(periodPath);
  return client.postMultipart(periodPath, fields, [{ field: 'file', name, type: 'text/csv', data }]);
}

/** Delivers this month's report with the right control figures; answers its receipt number. */
export async function deliverTestReport(client: Client): Promise<string> {
  const delivered = await deliverFile(client, csv(thisMonth), { declared_count: '2', declared_sum_3: '2 100,00' });
  if (delivered.statusCode !== 303) throw new Error(`the delivery ended with ${delivered.statusCode}`);
  return String(delivered.headers.location).split('/').pop()!;
}

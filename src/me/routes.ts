// Min side: for now the choice of which agency a user acts for, when they belong to several.
import type { FastifyInstance } from 'fastify';
import type { Db } from '../db/index.js';
import { can, requireViewer } from '../auth/guards.js';
import { HttpError } from '../web/errors.js';

export async function meRoutes(app: FastifyInstance, { db }: { db: Db }) {
  // Every list, form and export reads the active agency from the session, so they all follow at once.
  app.post<{ Body: { agency?: string } }>(
    '/me/agency',
    { schema: { body: { type: 'object', properties: { agency: { type: 'string', maxLength: 20 } } } } },
    async (request, reply) => {
      const viewer = requireViewer(request.viewer);
      const chosen = viewer.agencies.find((agency) => String(agency.id) === request.body?.agency);
      if (!chosen) throw new HttpError(403, 'agency_not_yours', 'errors.agencyNotYours');
      await db.updateTable('sessions').set({ active_agency_id: chosen.id }).where('id', '=', viewer.sessionId).execute();
      request.session.set('flash', { key: 'me.agencySwitched', params: { name: chosen.name } });
      // A case page of the agency left behind would now be out of reach: start from the list.
      return reply.redirect(can({ ...viewer, agencyId: chosen.id }, 'case.list') ? '/cases' : '/', 303);
    },
  );
}

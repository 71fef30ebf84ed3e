import type { FastifyInstance } from 'fastify';
import type { SessionTokens } from '../accounts/session-tokens.js';
import type { Tasks } from '../tasks/tasks-module.js';
import { DingoEnvelope } from './envelope.js';
import { dingoFields } from './form.js';
import { tmpTokenAuth } from './session.js';
import { AddAgentForm, DelAgentForm, NearbyForm } from './task-forms.js';

const schema = (summary: string) => ({ tags: ['dingo'], summary });

/** The most statuses one /static-agent answers; the 2016 document has no paging. */
const STATIC_AGENT_LIMIT = 200;

/** Dingo §2.7-2.9: "available to collect" statuses. */
export async function dingoAgentRoutes(
  app: FastifyInstance,
  deps: { sessions: SessionTokens; tasks: Tasks },
): Promise<void> {
  const auth = tmpTokenAuth(deps.sessions);
  const { agents } = deps.tasks;

  app.post(
    '/add-agent',
    { schema: schema('§2.7 add (no did) or change (did) your status: dd, ew, ns, r; CONTEXT is the did') },
    async (req, reply) => {
      const me = await auth(req);
      const { data } = await dingoFields(req, AddAgentForm);
      const { did, ...input } = data;
      const agent = await agents.save(me.userId, did, input);
      return DingoEnvelope.success(reply, agent.id);
    },
  );

  app.post(
    '/del-agent',
    { schema: schema('§2.8 opt=DEL deletes, opt=FIN finishes your status did') },
    async (req, reply) => {
      const me = await auth(req);
      const { data } = await dingoFields(req, DelAgentForm);
      await agents.end(me.userId, data.did, data.opt);
      return DingoEnvelope.success(reply, null);
    },
  );

  app.post(
    '/static-agent',
    { schema: schema('§2.9 active statuses near ew, ns within r: [{ did, uid, dd, ew, ns, r }] (JSON)') },
    async (req, reply) => {
      await auth(req);
      const { data } = await dingoFields(req, NearbyForm);
      const page = await agents.nearby({ ...data, offset: 0, limit: STATIC_AGENT_LIMIT });
      return DingoEnvelope.success(
        reply,
        page.agents.map((a) => ({ did: a.id, uid: a.userId, dd: a.dd, ew: a.ew, ns: a.ns, r: a.r })),
      );
    },
  );
}

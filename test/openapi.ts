// Contract checks for the API: an answer conforms when the generated OpenAPI document describes its status
// for that path and method, and its body validates against the schema given there (JSON Schema 2020-12).
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

type Responses = Record<string, { content?: Record<string, { schema: object }> }>;
type Paths = Record<string, Record<string, { responses: Responses }>>;

export async function apiContract(app: FastifyInstance) {
  const doc = (await app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json() as {
    openapi: string;
    paths: Paths;
  };
  const ajv = new Ajv2020({ strict: false });
  (addFormats as unknown as (a: Ajv2020) => void)(ajv);
  /** Problems with the answer (empty when it conforms); `expected` is the status the caller meant to get. */
  const conforms = (method: string, path: string, expected: number, response: LightMyRequestResponse) => {
    if (response.statusCode !== expected) return [`${method} ${path}: ${response.statusCode}, not ${expected}`];
    const responses = doc.paths[path]?.[method.toLowerCase()]?.responses ?? {};
    const documented = responses[String(expected)] ?? responses[`${String(expected)[0]}XX`];
    const schema = documented?.content && Object.values(documented.content)[0]?.schema;
    if (!schema) return [`${method} ${path} ${expected}: not documented`];
    const validate = ajv.compile(schema);
    return validate(response.json()) ? [] : [`${method} ${path} ${expected}: ${ajv.errorsText(validate.errors)}`];
  };
  return { doc, conforms };
}

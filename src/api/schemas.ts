// JSON schemas of the API's answers: Fastify serialises with them, and the OpenAPI document is made from them.
const when = { type: 'string', format: 'date-time' } as const;

export const problemSchema = {
  type: 'object',
  description: 'RFC 9457 problem details, in the language of Accept-Language',
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
  },
  required: ['type', 'title', 'status'],
} as const;

const caseFields = {
  number: { type: 'string' },
  title: { type: 'string' },
  status: { type: 'string', enum: ['active', 'in_progress', 'awaiting_customer', 'closed', 'postponed'] },
  channel: { type: 'string', enum: ['web', 'email', 'phone'] },
  created_at: when,
  updated_at: when,
  due_at: when,
  link: { type: 'string', format: 'uri' },
} as const;

export const caseListSchema = {
  type: 'object',
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          ...caseFields,
          area: { type: 'string' },
          agency: { type: ['string', 'null'] },
          requester: { type: ['string', 'null'] },
        },
        required: ['number', 'title', 'status', 'created_at', 'updated_at', 'due_at', 'link'],
      },
    },
    next: { type: ['string', 'null'], description: 'Pass as `after` for the next page; null on the last' },
  },
  required: ['items', 'next'],
} as const;

export const referenceSchema = {
  type: 'object',
  required: ['system', 'id'],
  additionalProperties: false,
  properties: {
    system: {
      type: 'string',
      minLength: 1,
      maxLength: 100,
      pattern: '\\S',
      description: 'The specialist system, e.g. SAP',
    },
    id: { type: 'string', minLength: 1, maxLength: 200, pattern: '\\S', description: 'The case’s id there' },
    url: { type: 'string', maxLength: 2000, pattern: '^https?://', description: 'A link to the case there' },
  },
} as const;

export const referenceAnswerSchema = {
  type: 'object',
  properties: {
    system: { type: 'string' },
    id: { type: 'string' },
    url: { type: ['string', 'null'] },
    updated_at: when,
  },
  required: ['system', 'id', 'url', 'updated_at'],
} as const;

export const caseSchema = {
  type: 'object',
  properties: {
    ...caseFields,
    version: { type: 'integer', description: 'Also the ETag' },
    references: { type: 'array', items: referenceAnswerSchema },
    events: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'integer' },
          kind: { type: 'string' },
          actor: { type: ['string', 'null'] },
          created_at: when,
          data: { type: 'object', additionalProperties: true },
        },
        required: ['id', 'kind', 'created_at'],
      },
    },
    attachments: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'integer' },
          filename: { type: 'string' },
          content_type: { type: 'string' },
          size_bytes: { type: 'integer' },
        },
        required: ['id', 'filename', 'content_type', 'size_bytes'],
      },
    },
  },
  required: ['number', 'title', 'status', 'version', 'events', 'attachments'],
} as const;

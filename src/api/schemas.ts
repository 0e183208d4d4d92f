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
    errors: {
      type: 'array',
      description: 'With 422: each field that must be corrected, and why',
      items: {
        type: 'object',
        properties: { field: { type: 'string' }, detail: { type: 'string' } },
        required: ['field', 'detail'],
      },
    },
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

export interface FileInput {
  filename: string;
  /** The file's bytes, base64. */
  data: string;
  /** A form's file field; absent: the case's general attachments. */
  field?: string;
}

const fileSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['filename', 'data'],
  properties: {
    filename: { type: 'string', minLength: 1, maxLength: 255 },
    data: {
      type: 'string',
      contentEncoding: 'base64',
      pattern: '^[A-Za-z0-9+/]*={0,2}$',
      description: 'The bytes, base64',
    },
    field: { type: 'string', maxLength: 100, description: 'A file field of the form (new cases only)' },
  },
} as const;
const filesSchema = { type: 'array', maxItems: 20, items: fileSchema } as const;
const text = (max: number) => ({ type: 'string', minLength: 1, maxLength: max, pattern: '\\S' }) as const;

export interface NewCaseBody {
  requester: { id?: number; email?: string };
  agency?: string;
  area: string;
  form?: string;
  channel?: 'web' | 'email' | 'phone';
  title: string;
  body: string;
  answers?: Record<string, string | number | boolean>;
  attachments?: FileInput[];
}

export const newCaseSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['requester', 'area', 'title', 'body'],
  properties: {
    requester: {
      type: 'object',
      description: 'The customer the case is for: a user id or an e-mail address',
      additionalProperties: false,
      minProperties: 1,
      maxProperties: 1,
      properties: { id: { type: 'integer', minimum: 1 }, email: { type: 'string', maxLength: 320 } },
    },
    agency: {
      type: 'string',
      pattern: '^[0-9]{9}$',
      description: 'Organisation number, when the customer acts for several agencies',
    },
    area: { type: 'string', maxLength: 50, description: 'The area’s code, e.g. lonn' },
    form: { type: 'string', maxLength: 100, description: 'The form’s code; its answers are checked by its definition' },
    channel: { type: 'string', enum: ['web', 'email', 'phone'], default: 'web' },
    title: text(200),
    body: text(20_000),
    answers: {
      type: 'object',
      description: 'The form’s answers by field key (yes/no questions as true/false)',
      additionalProperties: { anyOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] },
    },
    attachments: filesSchema,
  },
} as const;

export const createdCaseSchema = {
  type: 'object',
  properties: { number: { type: 'string' }, link: { type: 'string', format: 'uri' } },
  required: ['number', 'link'],
} as const;

export const caseStateSchema = {
  type: 'object',
  description: 'The case after the change; `version` is its new ETag',
  properties: { ...{ number: caseFields.number, status: caseFields.status }, version: { type: 'integer' } },
  required: ['number', 'status', 'version'],
} as const;

export interface MessageBody {
  kind?: 'answer' | 'provisional' | 'internal_note';
  body: string;
  expected_date?: string;
  attachments?: FileInput[];
}

const messageProperties = {
  kind: {
    type: 'string',
    enum: ['answer', 'provisional', 'internal_note'],
    description: 'Centre clients only (default answer); an agency’s client writes plain messages',
  },
  body: text(20_000),
  expected_date: { type: 'string', format: 'date', description: 'With a provisional answer' },
  attachments: filesSchema,
} as const;

export const messageSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['body'],
  properties: messageProperties,
} as const;

export interface StatusBody {
  status: string;
  message?: MessageBody;
  resolution?: string;
  time_spent_minutes?: number;
}

export const statusSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['status'],
  properties: {
    status: caseFields.status,
    message: { ...messageSchema, description: 'Postponed needs a message to the customer, closed a final answer' },
    resolution: {
      type: 'string',
      enum: ['answered', 'corrected', 'guidance', 'referred', 'duplicate', 'no_action'],
      description: 'When the area asks for it at closing',
    },
    time_spent_minutes: { type: 'integer', minimum: 0, maximum: 100_000 },
  },
} as const;

export const assignmentSchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    group_id: { type: ['integer', 'null'], minimum: 1, description: 'A group of the case’s area; null: none' },
    assignee_id: { type: ['integer', 'null'], minimum: 1, description: 'A caseworker of the area; null: nobody' },
  },
} as const;

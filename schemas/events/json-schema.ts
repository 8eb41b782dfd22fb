import { z } from 'zod';
import { Event } from './v1.ts';

/** The JSON Schema (draft 2020-12) of what producers may send, as the committed file's text. */
export function renderJsonSchema(): string {
  const schema = z.toJSONSchema(Event, { target: 'draft-2020-12', io: 'input' });
  const doc = {
    $id: 'https://lookout.dev/schemas/events.v1.schema.json',
    title: 'Lookout event v1',
    description: 'One model-interaction event. Generated from schemas/events/v1.ts; do not edit by hand.',
    ...schema,
  };
  return JSON.stringify(doc, null, 2) + '\n';
}

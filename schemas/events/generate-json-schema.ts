/** Writes events.v1.schema.json and examples/*.json from the zod source. Run: npm run gen:schema */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderJsonSchema } from './json-schema.ts';
import { EXAMPLE_EVENTS } from './examples.ts';

const here = dirname(fileURLToPath(import.meta.url));
writeFileSync(join(here, 'events.v1.schema.json'), renderJsonSchema());
mkdirSync(join(here, 'examples'), { recursive: true });
for (const [type, event] of Object.entries(EXAMPLE_EVENTS)) {
  writeFileSync(join(here, 'examples', `${type}.json`), JSON.stringify(event, null, 2) + '\n');
}
console.log('wrote schemas/events/events.v1.schema.json and schemas/events/examples/');

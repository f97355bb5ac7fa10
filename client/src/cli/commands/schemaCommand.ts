/** `esc-local schema`: the JSON Schema of the environment format, generated from the catalog. */
import type { Command } from '../command';
import { EXIT } from '../exitCodes';

export const schemaCommand: Command = {
  name: 'schema',
  summary: 'Print the JSON Schema (draft 2020-12) of the environment file format',
  usage: 'schema',
  description: [
    'Prints a JSON Schema of ESC environment files, generated from the built-in catalog of',
    'builtins, providers and rotators, for YAML tools and CI linters that do not know ESC (e.g.',
    'the YAML extension\'s `yaml.schemas`, or `# yaml-language-server: $schema=…`). It checks the',
    'structure: top-level keys, imports, known `fn::` builtins alone in their mapping, provider and',
    'rotator names and inputs (any input may be an interpolation or a builtin call). Evaluation',
    '(references, secrets, providers) is `esc-local check`\'s job.',
  ].join('\n'),
  options: [],
  args: { min: 0, max: 0 },
  examples: ['esc-local schema > esc-environment.schema.json'],
  async run(ctx) {
    // Loaded here, not at start-up: only this command needs the catalog's schemas.
    const { environmentJsonSchema } = await import('../../../../shared/src/catalog/environmentSchema');
    ctx.ui.print(JSON.stringify(environmentJsonSchema(), null, 2));
    return EXIT.ok;
  },
};

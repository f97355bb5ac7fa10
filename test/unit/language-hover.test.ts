/** Hover of the language service: docs, input schemas, checked values (redacted), where defined. */
import { strict as assert } from 'node:assert';
import type { MarkupContent } from 'vscode-languageserver-types';
import { createCheckModeChecker } from '../../shared/src/language/evaluation';
import { envUri, memoryWorkspace } from './language-support';
import { positionAt, rangeOf } from './text-markers';

const BASE = 'values:\n  region: eu-west-1\n  app:\n    name: base-app\n    port: 8080\n';
const DEV = [
  'imports:',
  '  - «ba‸se»',
  'values:',
  '  app:',
  '    «na‸me»: dev-app',
  '  url: https://${app.name}:${app.«po‸rt»}',
  '  password:',
  '    fn::secret: hunter2',
  '  shown: ${«pass‸word»}',
  '  login:',
  '    «fn::open::aws-‸login»:',
  '      oidc:',
  '        «role‸Arn»: arn:aws:iam::1:role/x',
  '        sessionName: s',
  '  hosts:',
  '    «fn::jo‸in»: [",", [a, b]]',
  '',
].join('\n');

describe('language service: hover', () => {
  const ws = memoryWorkspace({ base: BASE, 'app/dev': DEV }, ['app/dev'], createCheckModeChecker({}));
  const m = ws.marked.get('app/dev')!;
  const uri = envUri('app/dev');
  before(async () => {
    await ws.service.diagnostics(uri); // checks the environment; hover shows the checked values
  });
  const hoverAt = (i: number): { value: string; range: unknown } => {
    const h = ws.service.hover(uri, positionAt(m.text, m.cursors[i]!));
    assert.ok(h, `hover at cursor ${i}`);
    return { value: (h.contents as MarkupContent).value, range: h.range };
  };

  it('describes an import entry', () => {
    const h = hoverAt(0);
    assert.equal(h.value, '**Import** `base`\n\nFile: `file:///ws/environments/base.yaml`\n\nValues: `region`, `app`');
    assert.deepEqual(h.range, rangeOf(m.text, m.ranges[0]!));
  });

  it('shows a key\'s checked value and which import it overrides', () => {
    const h = hoverAt(1);
    assert.equal(h.value, '**app.name**\n\nType: `string`\n\n```json\n"dev-app"\n```\n\nOverrides the value from `base` (imported via `base`).');
    assert.deepEqual(h.range, rangeOf(m.text, m.ranges[1]!));
  });

  it('shows a reference\'s value and the import it came from', () => {
    const h = hoverAt(2);
    assert.equal(h.value, '**${app.port}**\n\nType: `number`\n\n```json\n8080\n```\n\nDefined in `base` (line 5), imported via `base`.');
    assert.deepEqual(h.range, rangeOf(m.text, m.ranges[2]!));
  });

  it('redacts secrets', () => {
    const h = hoverAt(3);
    assert.equal(h.value, '**${password}**\n\nType: `string` (secret)\n\n```json\n"[secret]"\n```\n\nDefined in this environment (line 7).');
    assert.ok(!h.value.includes('hunter2'));
    assert.deepEqual(h.range, rangeOf(m.text, m.ranges[3]!));
  });

  it('documents a provider with its input and output schemas', () => {
    const h = hoverAt(4);
    assert.match(h.value, /^\*\*fn::open::aws-login\*\* — Log in to AWS/);
    assert.match(h.value, /### Inputs/);
    assert.match(h.value, /### Outputs/);
    assert.deepEqual(h.range, rangeOf(m.text, m.ranges[4]!));
  });

  it('shows the schema of a provider input', () => {
    const h = hoverAt(5);
    assert.equal(h.value, '**roleArn**\n\nType: `string` (required)\n\nThe ARN of the role to assume.\n\nInput of `fn::open::aws-login`.');
    assert.deepEqual(h.range, rangeOf(m.text, m.ranges[5]!));
  });

  it('shows the checked value when hovering a plain value', () => {
    const text = m.text;
    const h = ws.service.hover(uri, positionAt(text, text.indexOf('dev-app') + 2));
    assert.equal((h!.contents as MarkupContent).value, '**app.name**\n\nType: `string`\n\n```json\n"dev-app"\n```');
  });

  it('documents a builtin', () => {
    const h = hoverAt(6);
    assert.match(h.value, /^\*\*fn::join\*\* — Join a list of strings with a delimiter/);
    assert.deepEqual(h.range, rangeOf(m.text, m.ranges[6]!));
  });
});

/** The evaluator's per-expression schemas in hover (type, description, enum, properties, secrets). */
const SCHEMA_DEV = [
  'imports:',
  '  - base',
  'values:',
  '  «log‸in»:',
  '    fn::open::aws-login:',
  '      oidc:',
  '        roleArn: arn:aws:iam::1:role/x',
  '        sessionName: s',
  '  key: ${login.«access‸KeyId»}',
  '  «ti‸er»:',
  '    fn::validate:',
  '      schema: {type: string, enum: [small, large], description: The size tier.}',
  '      value: small',
  '  «tok‸en»:',
  '    fn::validate:',
  '      schema: {type: string, enum: [hunter2, hunter3]}',
  '      value:',
  '        fn::secret: hunter2',
  '  me: ${context.«currentEnvir‸onment»}',
  '  port: ${environments.shared.db.db.«po‸rt»}',
  '  «li‸st»: [1, two]',
  '  secrets:',
  '    fn::open::infisical-secrets:',
  '      login: {accessToken: t}',
  '      get:',
  '        k:',
  '          projectId: p',
  '          environment: dev',
  '          secretKey: s',
  '          «ty‸pe»: shared',
  '',
].join('\n');

describe('language service: hover shows the schema of the value under the cursor', () => {
  const ws = memoryWorkspace({ base: BASE, 'shared/db': 'values:\n  db:\n    port: 5432\n', 'app/dev': SCHEMA_DEV }, ['app/dev'], createCheckModeChecker({}));
  const m = ws.marked.get('app/dev')!;
  const uri = envUri('app/dev');
  before(async () => {
    await ws.service.diagnostics(uri);
  });
  const hoverAt = (i: number): string => {
    const h = ws.service.hover(uri, positionAt(m.text, m.cursors[i]!));
    assert.ok(h, `hover at cursor ${i}`);
    assert.deepEqual(h.range, rangeOf(m.text, m.ranges[i]!), `range at cursor ${i}`);
    return (h.contents as MarkupContent).value;
  };

  it('a provider call\'s key: the output schema with its properties, required and secret flags', () => {
    assert.equal(
      hoverAt(0),
      [
        '**login**',
        'Type: `object` (known when opened)',
        'Properties:\n' +
          '- `accessKeyId`: `string` (required) — The AWS access key ID.\n' +
          '- `secretAccessKey`: `string` (required, secret) — The AWS secret access key.\n' +
          '- `sessionToken`: `string` (secret) — The AWS session token, if any.',
        '```json\n"[unknown]"\n```',
      ].join('\n\n'),
    );
  });

  it('a reference into a provider\'s outputs: the output property\'s type and description', () => {
    assert.equal(hoverAt(1), '**${login.accessKeyId}**\n\nType: `string` (known when opened)\n\nThe AWS access key ID.\n\n```json\n"[unknown]"\n```\n\nDefined in this environment (line 4) as `login`.');
  });

  it('a validated value: description and enum members', () => {
    assert.equal(hoverAt(2), '**tier**\n\nType: `string`\n\nThe size tier.\n\nOne of: `"small"`, `"large"`\n\n```json\n"small"\n```');
  });

  it('a secret value: no enum member and no constant from its schema', () => {
    const value = hoverAt(3);
    assert.equal(value, '**token**\n\nType: `string` (secret)\n\n```json\n"[secret]"\n```');
    assert.ok(!value.includes('hunter'));
  });

  it('`context.*`: the execution context\'s schema', () => {
    assert.equal(
      hoverAt(4),
      '**${context.currentEnvironment}**\n\nThe execution context (known when the environment is opened).\n\nType: `object`\n\nProperties:\n- `name`: `string` (required)',
    );
  });

  it('`environments.<project>.<env>.*`: the other environment\'s value', () => {
    assert.equal(hoverAt(5), '**${environments.shared.db.db.port}**\n\nType: `number`\n\nDefined in `shared/db` (line 3).');
  });

  it('a list: item types', () => {
    assert.equal(hoverAt(6), '**list**\n\nType: `[number, string]`\n\n```json\n[\n  1,\n  "two"\n]\n```');
  });

  it('a provider input key: the catalog schema with its enum', () => {
    assert.equal(hoverAt(7), '**type**\n\nType: `string` (optional)\n\nThe secret type.\n\nOne of: `"shared"`, `"personal"`\n\nInput of `fn::open::infisical-secrets`.');
  });

  it('a long-form `fn::open` input key: the provider\'s input schema', () => {
    const ws2 = memoryWorkspace({ 'app/dev': 'values:\n  a:\n    fn::open:\n      provider: aws-login\n      inputs:\n        oidc:\n          «sessio‸nName»: s\n' }, ['app/dev']);
    const m2 = ws2.marked.get('app/dev')!;
    const h = ws2.service.hover(uri, positionAt(m2.text, m2.cursors[0]!));
    assert.ok(h);
    assert.equal((h.contents as MarkupContent).value, '**sessionName**\n\nType: `string` (required)\n\nThe name of the role session.\n\nInput of `fn::open::aws-login`.');
    assert.deepEqual(h.range, rangeOf(m2.text, m2.ranges[0]!));
  });

  it('a provider input\'s value: the same input schema, over the value', () => {
    const ws2 = memoryWorkspace({ 'app/dev': 'values:\n  s:\n    fn::open::infisical-secrets:\n      get:\n        k:\n          type: «per‸sonal» # which\n' }, ['app/dev']);
    const m2 = ws2.marked.get('app/dev')!;
    const h = ws2.service.hover(uri, positionAt(m2.text, m2.cursors[0]!));
    assert.ok(h);
    assert.equal((h.contents as MarkupContent).value, '**type**\n\nType: `string` (optional)\n\nThe secret type.\n\nOne of: `"shared"`, `"personal"`\n\nInput of `fn::open::infisical-secrets`.');
    assert.deepEqual(h.range, rangeOf(m2.text, m2.ranges[0]!));
    // Between the key and the value, and on the comment: nothing.
    assert.equal(ws2.service.hover(uri, positionAt(m2.text, m2.text.indexOf('# which') + 3)), null);
  });

  it('no hover anywhere in the document shows the secret', () => {
    for (let offset = 0; offset < m.text.length; offset++) {
      const h = ws.service.hover(uri, positionAt(m.text, offset));
      assert.ok(!(h ? (h.contents as MarkupContent).value : '').includes('hunter'), `offset ${offset}`);
    }
  });
});

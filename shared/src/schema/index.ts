/**
 * The schema module: the JSON-schema subset ESC uses, with ESC's exact validation messages.
 *
 * Types (schema.ts): `Schema = boolean | ObjectSchema`; `true`/`false` are ESC's Always/Never
 * (`ALWAYS`, `NEVER`). A missing sub-schema (`items`, `additionalProperties`) accepts anything
 * in validation, but gives `false` under property/index access — as in ESC.
 *
 * Building (builder.ts) — plain object literals, extra keywords last:
 *   string({minLength: 1}), number(), boolean(), nullType(), array(items?, kw?), tuple(...items),
 *   object(kw), record(props, kw) (all properties required), map(valueSchema), anyOf(...),
 *   oneOf(...), ref('name'), withDefs(root, defs), constant(json), secret(s),
 *   rotateOnly(objectSchema, ...names), always(), never().
 *
 * Validating (validate.ts):
 *   validateValue(schema, value, {unknownSchema?, requireSecrets?}) → SchemaIssue[]
 *     open/rotate: provider inputs, rotator inputs and state. Unknown values pass unless
 *     `unknownSchema(v)` gives their schema, which is then checked statically (check mode).
 *   validateSchema(actualSchema, acceptSchema) → SchemaIssue[]
 *     check mode: an expression's schema against an input schema ("expected boolean, got null").
 *   SchemaIssue = {severity, message, path, blame, value?}: `path` is relative to the validated
 *     value; ESC reports at the definition of the value `path.slice(0, blame)` (that value is
 *     `value`), with `path.slice(blame)` written before the message — `issueSummary(issue)`
 *     gives that text ("bar: missing required property"). Issues come in ESC's emission order;
 *     ESC then sorts diagnostics by (file, line, column) with Go's *unstable* sort.Slice, so
 *     ties at one position are not always in emission order in the corpus.
 *   A property that `additionalProperties: false` rejects is an error `unknown property "k"`
 *     (ESC itself fails silently there) blamed at the holding object, with
 *     `unknownProperty: {name, known}` so callers can locate the key and suggest a name.
 *   A broken schema (dangling `$ref`, bad pattern, a `$ref`/`anyOf` cycle that never reaches a
 *     property or item) yields one issue "internal error: invalid schema: …", never an exception;
 *     recursive schemas (trees through `$ref`) are fine, also schema-against-schema.
 *
 * Schema algebra for check mode (ops.ts):
 *   literalSchema(json), valueSchema(value, unknownSchema?) — ESC's schema of literals and
 *     provider outputs (scalars with `const`, arrays as tuples, objects as records);
 *   unionSchemas(list); propertySchema(s, key); itemSchema(s, index);
 *   accessSchema(s, key|index) → {ok, schema} | {ok: false, message} — one accessor on an
 *     unknown value with ESC's messages ("receiver must be an array or an object", "array index
 *     3 out-of-bounds for array of length 3", …);
 *   mergedSchema(base, top) (imports); withSecret(s); isSecretSchema(s); isAlways/isNever.
 *   compileSchema(root) / tryCompileSchema(root) / resolveRef(s) (compile.ts): `$ref` →
 *     `#/$defs/name` resolution (the only form ESC supports).
 *
 * Go-compatible text (goFormat.ts): goQuote (`%q`), goJson (`json.Marshal`), compareStrings /
 * sortedKeys (Go's byte-order sort).
 * "Did you mean" (suggest.ts): didYouMean(name, candidates), editDistance(a, b) — for unknown
 *   properties here, and for misspelt builtins, providers, rotators and CLI words above.
 * Paths: `../syntax/propertyPath` (parsePath, formatPath, joinKey — ESC's property-path syntax).
 */
export * from './schema';
export * from './builder';
export * from './compile';
export * from './goFormat';
export * from './ops';
export * from './validate';
export * from './suggest';

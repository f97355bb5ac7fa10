/**
 * The patch module: writing rotation results and ciphertexts back into environment YAML while
 * keeping every byte outside the replaced nodes (comments, blank lines, quoting, key order,
 * line endings) identical.
 *
 *   applyPatches(text, patches: RotationPatch[], encrypter?) → Promise<new text>
 *     each `docPath` (`values.a["fn::rotate::swap"].state`) is replaced, or its last key created;
 *     secret leaves of the replacement are written as `fn::secret: {ciphertext: …}` through the
 *     Encrypter (never as plaintext; without an encrypter a secret is an error).
 *   encryptPlaintextSecrets(text, encrypter) → Promise<{text, encrypted}>
 *     every `fn::secret: <string>` becomes `fn::secret: {ciphertext: …}` (ESC's EncryptSecrets).
 *   listPlaintextSecrets(text) → [{path, line, column}]
 *   redactSecrets(text) → text with every `fn::secret` value shown as `[secret]` (`[ciphertext]`
 *     for the encrypted form), for display; never throws: a document that does not parse is cut
 *     before its first `fn::secret`.
 *   PatchError: invalid YAML (with line/column), missing path, unknown value, secret without
 *     encrypter — thrown before anything is written; results are re-parsed and checked.
 *
 * Style: a block node is replaced by a block at the same indentation, a flow node by flow, a
 * scalar by a block under its key (a comment on the key's line stays there); a new key goes
 * after the mapping's last entry (block) or before its `}` (flow); a flow mapping with
 * double-quoted keys (a JSON document) gets JSON. Strings with line breaks are written
 * double-quoted with escapes. Indentation unit: the document's own (smallest in use, else 2).
 *
 * Property paths (parsePath, formatPath, joinKey, …) are the syntax layer's: syntax/propertyPath.ts.
 */
export { applyPatches, encryptPlaintextSecrets, listPlaintextSecrets, type PlaintextSecret } from './apply';
export { redactSecrets, secretSpans, SECRET_PLACEHOLDER, CIPHERTEXT_PLACEHOLDER } from './redact';
export { PatchError, valueToYamlData, type YamlData } from './valueToYaml';

/** The ESC language service's public entry. */
export { EscLanguageService, CancelledError, type CheckOutcome, type EnvironmentChecker } from './service';
export { EnvironmentWorkspace, type DiskReader, type WorkspaceFolder } from './environmentWorkspace';
export { parseEscDocument, type EscDocument } from './model';
export { semanticTokensLegend, semanticTokenList, TOKEN_TYPES, TOKEN_MODIFIERS } from './semanticTokens';
export { ENCRYPT_SECRET_COMMAND, type EncryptSecretArgs } from './codeActions';
export { DiagnosticCode, SOURCE as DIAGNOSTIC_SOURCE } from './diagnostics';

/** In-memory workspaces for the language-service tests (no disk, no server). */
import { EnvironmentWorkspace } from '../../shared/src/language/environmentWorkspace';
import { EscLanguageService, type EnvironmentChecker } from '../../shared/src/language/service';
import { markers, type Marked } from './text-markers';

export const ROOT = 'file:///ws/environments';

export function envUri(name: string): string {
  return `${ROOT}/${name}.yaml`;
}

export interface MemoryWorkspace {
  workspace: EnvironmentWorkspace;
  service: EscLanguageService;
  files: Map<string, string>;
  /** The marked fixture of each environment (markers removed). */
  marked: Map<string, Marked>;
}

/** Environments by name (text may contain markers); every one is on "disk", `open` ones are open. */
export function memoryWorkspace(envs: Record<string, string>, open: string[] = [], checker?: EnvironmentChecker): MemoryWorkspace {
  const files = new Map<string, string>();
  const marked = new Map<string, Marked>();
  for (const [name, source] of Object.entries(envs)) {
    const m = markers(source);
    marked.set(name, m);
    files.set(envUri(name), m.text);
  }
  const workspace = new EnvironmentWorkspace({ read: (uri) => files.get(uri) });
  workspace.setFolders([{ uri: 'file:///ws', rootUri: ROOT }]);
  for (const uri of files.keys()) workspace.addFile(uri);
  for (const name of open) workspace.openDocument(envUri(name), files.get(envUri(name))!, 1);
  const service = new EscLanguageService(workspace, checker);
  // Each test edit is "the last key": no typing pause to wait for (the pause's own test sets it).
  service.fullCheckPauseMs = 0;
  return { workspace, service, files, marked };
}

/** Throwaway copies of the fixture workspace, with the settings a run needs. */
import * as fs from 'fs';
import * as path from 'path';

/** Copies `fixture` to `target` and writes `.vscode/settings.json` from `settings`. Returns `target`. */
export function prepareWorkspace(fixture: string, target: string, settings: Record<string, unknown>): string {
  fs.cpSync(fixture, target, { recursive: true });
  fs.mkdirSync(path.join(target, '.vscode'), { recursive: true });
  fs.writeFileSync(path.join(target, '.vscode/settings.json'), JSON.stringify(settings, null, 2));
  return target;
}

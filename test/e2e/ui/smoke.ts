/** UI smoke test: placeholder until the features it screenshots exist. */
export async function runUiSmoke(_baseUrl: string, _folder: string, _extensionPath: string, _artifacts: string, _log: (m: string) => void): Promise<number> {
  return 0;
}

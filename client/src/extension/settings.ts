/** The extension's settings (`esc.*`), read with their defaults; see package.json for descriptions. */
import * as vscode from 'vscode';

export type PreviewFormat = 'yaml' | 'json' | 'dotenv' | 'shell';
export const previewFormats: readonly PreviewFormat[] = ['yaml', 'json', 'dotenv', 'shell'];

export interface EscSettings {
  environmentsRoot: string;
  historyFolder: string;
  /** Endpoint URL override for IAM and STS; undefined = AWS's (or the SDK's env settings). */
  awsEndpoint: string | undefined;
  awsRegion: string;
  previewFormat: PreviewFormat;
  keychainService: string;
  /** `esc.history.recordSaves`: a `save` revision per changed save, and before every write (see core `HandEdits`). */
  recordSaves: boolean;
}

export function readSettings(scope?: vscode.ConfigurationScope): EscSettings {
  const config = vscode.workspace.getConfiguration('esc', scope);
  const text = (key: string, fallback: string): string => {
    const value = config.get<string>(key);
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : fallback;
  };
  const format = config.get<string>('preview.defaultFormat');
  const endpoint = config.get<string>('aws.endpoint')?.trim();
  return {
    environmentsRoot: text('environmentsRoot', 'environments').replace(/^\.\/+/, '').replace(/\/+$/, ''),
    historyFolder: text('historyFolder', '.esc'),
    awsEndpoint: endpoint ? endpoint : undefined,
    awsRegion: text('aws.region', 'us-east-1'),
    previewFormat: previewFormats.includes(format as PreviewFormat) ? (format as PreviewFormat) : 'yaml',
    keychainService: text('keychain.service', 'esc-local'),
    recordSaves: config.get<boolean>('history.recordSaves', true) !== false,
  };
}

// vscode-languageclient 10+ exposes its Node entry only through package "exports"
// (`vscode-languageclient/node`), which moduleResolution node10 does not read; esbuild does.
declare module 'vscode-languageclient/node' {
  export * from 'vscode-languageclient/lib/node/main';
}

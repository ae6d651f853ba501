// The extension's palette command ids. Distinct from the server's run commands (OctetCommands in
// server/protocol.ts), which the language client registers as VS Code commands itself.
export const ClientCommands = {
  fineTune: 'octet.fineTuneManifest',
  profile: 'octet.profileManifest',
  compare: 'octet.compareManifest',
  cancel: 'octet.cancelJob',
  openDashboard: 'octet.openDashboard',
  newManifest: 'octet.newManifest',
  showLog: 'octet.showJobLog',
} as const;

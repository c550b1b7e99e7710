/**
 * The bot scopes `manifest.yml` asks for, which `baton doctor` checks the token was granted
 * (a test keeps this list and the manifest the same).
 */
export const MANIFEST_BOT_SCOPES: ReadonlyArray<string> = [
  "commands",
  "chat:write",
  "chat:write.public",
  "files:write",
  "files:read",
  "usergroups:read",
  "users:read",
  "channels:read",
  "groups:read",
  "channels:history",
  "groups:history",
];

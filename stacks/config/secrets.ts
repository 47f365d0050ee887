/**
 * Config keys whose values are secrets. They are set with `pulumi config set --secret`, read by
 * the Pulumi program as secret Outputs, and never read (let alone written) by the render CLI,
 * which only checks that they are present and encrypted.
 */
export const SECRET_KEYS = [
  'grafanaAdminPassword',
  'postgresDsn',
  'redisPassword',
  'slackWebhookUrl',
  'pagerdutyRoutingKey',
  'smtpPassword',
  'deadMansSwitchUrl',
  // Credentials of remoteWrite targets with auth (stacks/config/scaleOut.ts); Prometheus reads them from files.
  'remoteWritePassword',
  'remoteWriteBearerToken',
] as const;
export type SecretKey = (typeof SECRET_KEYS)[number];

/** What the render CLI knows of a secret: whether it is set, and whether it is set as a secret. */
export type SecretPresence = Partial<Record<SecretKey, 'secret' | 'plaintext'>>;

/** The text render writes wherever a secret value would go; Pulumi replaces it at deploy time. */
export function secretPlaceholder(key: SecretKey): string {
  return `\${secret:${key}}`;
}

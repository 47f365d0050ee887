/**
 * Secret-bearing artifacts (alertmanager/): rendered with placeholders for generated/ and with the
 * secret values for deployment. Exercised here with a receiver file carrying a placeholder, on both
 * targets: the values arrive in a k8s Secret / a secret upload and nowhere in plain text.
 */
import * as pulumi from '@pulumi/pulumi';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Artifact } from '../generators/artifact';
import { renderStack } from '../render/renderStack';
import { assertNoPlaceholders } from '../stacks/artifacts';
import { secretPlaceholder } from '../stacks/config/secrets';
import { config, errorOf } from './helpers';
import { FAKE_SECRETS, SECRET_NEEDLES, byType, isSecretWrapper, outputValue, plainLeaks, settle, setupMocks } from './pulumiHarness';
import { DOCKER, K8S, inputsOf, podFiles, workload, type DockerContainer, type Secret } from './pulumiViews';

const registered = setupMocks('prod');

const receiverFile = (url: string) => `receivers:\n- name: slack\n  slack_configs:\n  - api_url: ${url}\n`;
const plain: Artifact[] = [{ path: 'alertmanager/alertmanager.yml', content: receiverFile(secretPlaceholder('slackWebhookUrl')) }];
const withSecrets: Artifact[] = [{ path: 'alertmanager/alertmanager.yml', content: receiverFile(FAKE_SECRETS.slackWebhookUrl) }];

describe('alertmanager/ on kubernetes', () => {
  beforeAll(async () => {
    const { Alertmanager } = await import('../stacks/kubernetes/alertmanager');
    new Alertmanager('am', { config: config(), artifacts: plain, secretArtifacts: pulumi.secret(withSecrets), namespace: 'observatory' });
    await settle();
  });

  it('travels in a Secret, marked secret, that Alertmanager mounts at its config path', () => {
    const secret = byType(registered, K8S.secret).find((r) => r.name === 'am-config')!;
    expect(isSecretWrapper(secret.inputs.stringData)).toBe(true);
    expect(inputsOf<Secret>(secret).stringData).toEqual({ 'alertmanager.yml': withSecrets[0].content });
    const files = podFiles(registered, workload(registered, 'alertmanager').spec);
    expect(files.get('/etc/alertmanager/config/alertmanager.yml')).toBe(withSecrets[0].content);
    expect(workload(registered, 'alertmanager').spec.containers[0].args).toContain('--config.file=/etc/alertmanager/config/alertmanager.yml');
  });

  it('no ConfigMap is made for it and the value is nowhere in plain text', () => {
    expect(byType(registered, K8S.configMap).filter((r) => r.name.startsWith('am-'))).toEqual([]);
    for (const r of registered) expect(plainLeaks(r.inputs, SECRET_NEEDLES), r.name).toEqual([]);
  });
});

describe('alertmanager/ on docker', () => {
  beforeAll(async () => {
    const { Alertmanager } = await import('../stacks/docker/alertmanager');
    new Alertmanager('dam', { config: config({ target: 'docker' }, 'dev'), network: 'net', artifacts: plain, secretArtifacts: pulumi.secret(withSecrets) });
    await settle();
  });

  it('is uploaded as a secret, readable only by the Alertmanager user', () => {
    const raw = byType(registered, DOCKER.container).find((r) => r.name === 'dam-container')!;
    expect(isSecretWrapper(raw.inputs.uploads)).toBe(true);
    expect(inputsOf<DockerContainer>(raw).uploads).toEqual([{ file: '/etc/alertmanager/config/alertmanager.yml', content: withSecrets[0].content, owner: '65534', permissions: '0400' }]);
    expect(plainLeaks(raw.inputs, SECRET_NEEDLES)).toEqual([]);
  });
});

describe('the secret render', () => {
  it('a placeholder left after rendering with secrets is an error naming the file and the fix', () => {
    expect(errorOf(() => assertNoPlaceholders('prod', plain)).message).toBe(
      'stack prod: alertmanager/alertmanager.yml: still holds a secret placeholder after rendering with secrets; is the secret set (`pulumi config set --secret ...`)?',
    );
    expect(() => assertNoPlaceholders('prod', withSecrets)).not.toThrow();
  });

  it('prepareStack keeps the secret routes secret and the plain render equal to generated/', async () => {
    const { prepareStack } = await import('../stacks/monitoringStack');
    const c = config();
    const prepared = prepareStack(c, { grafanaAdminPassword: pulumi.secret('a'), postgresDsn: pulumi.secret('b'), slackWebhookUrl: pulumi.secret('c'), pagerdutyRoutingKey: pulumi.secret('d'), deadMansSwitchUrl: pulumi.secret('e') });
    expect(prepared.artifacts).toEqual(renderStack(c));
    expect(await pulumi.isSecret(prepared.secretArtifacts)).toBe(true);
    const rendered = await outputValue(prepared.secretArtifacts);
    expect(rendered.map((a) => a.path)).toEqual(renderStack(c).filter((a) => a.path.startsWith('alertmanager/')).map((a) => a.path));
  });
});

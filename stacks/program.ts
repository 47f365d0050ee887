/**
 * The Pulumi program (index.ts runs it): read and validate the stack config, render, check, and
 * only then create the stack for config.target. Every input error surfaces before the first
 * resource is registered.
 */
import * as pulumi from '@pulumi/pulumi';
import { ObservatoryError } from '../catalog/errors';
import { loadStackConfigFromPulumi, secretOutputs } from './config/fromPulumi';
import { DockerMonitoringStack } from './docker/stack';
import { KubernetesMonitoringStack } from './kubernetes/stack';
import { prepareStack, type StackEndpoints } from './monitoringStack';

/** Logical name of the top component; every resource name derives from it. */
export const STACK_COMPONENT_NAME = 'observatory';

export function deploy(): StackEndpoints {
  const config = loadStackConfigFromPulumi();
  const prepared = prepareStack(config, secretOutputs(config));
  switch (config.target) {
    case 'kubernetes':
      return new KubernetesMonitoringStack(STACK_COMPONENT_NAME, prepared).endpoints;
    case 'docker':
      return new DockerMonitoringStack(STACK_COMPONENT_NAME, prepared).endpoints;
  }
}

/**
 * The program's stack outputs (index.ts exports them): deploy(), with bad input reported as one
 * line naming the key and the problem, not a stack trace (RunError hides it).
 */
export function stackOutputs(): StackEndpoints {
  try {
    return deploy();
  } catch (e) {
    if (e instanceof ObservatoryError) throw new pulumi.RunError(e.message);
    throw e;
  }
}

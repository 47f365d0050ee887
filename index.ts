/**
 * Observatory's Pulumi program: `pulumi up` for the selected stack (Pulumi.<stack>.yaml picks the
 * target, docker or kubernetes). See docs/deploying.md.
 */
import * as pulumi from '@pulumi/pulumi';
import { ObservatoryError } from './catalog/errors';
import { deploy } from './stacks/program';
import type { StackEndpoints } from './stacks/monitoringStack';

function run(): StackEndpoints {
  try {
    return deploy();
  } catch (e) {
    // Bad input is one line naming the key and the problem, not a stack trace (RunError hides it).
    if (e instanceof ObservatoryError) throw new pulumi.RunError(e.message);
    throw e;
  }
}

const endpoints = run();

export const grafanaUrl = endpoints.grafanaUrl;
export const prometheusUrl = endpoints.prometheusUrl;
export const alertmanagerUrl = endpoints.alertmanagerUrl;
export const jaegerUiUrl = endpoints.jaegerUiUrl;
export const otlpHttpEndpoint = endpoints.otlpHttpEndpoint;
export const otlpGrpcEndpoint = endpoints.otlpGrpcEndpoint;

/**
 * Observatory's Pulumi program: `pulumi up` for the selected stack (Pulumi.<stack>.yaml picks the
 * target, docker or kubernetes). See docs/deploying.md. The Kubernetes e2e test runs the same
 * function as an Automation API inline program (live/kubernetes/pulumiStack.ts).
 */
import { stackOutputs } from './stacks/program';

const outputs = stackOutputs();

export const grafanaUrl = outputs.grafanaUrl;
export const prometheusUrl = outputs.prometheusUrl;
export const alertmanagerUrl = outputs.alertmanagerUrl;
export const jaegerUiUrl = outputs.jaegerUiUrl;
export const otlpHttpEndpoint = outputs.otlpHttpEndpoint;
export const otlpGrpcEndpoint = outputs.otlpGrpcEndpoint;

/**
 * Observatory's Pulumi program: `pulumi up` for the selected stack (Pulumi.<stack>.yaml picks the
 * target, docker or kubernetes). See docs/deploying.md.
 */
import { deploy } from './stacks/program';

const endpoints = deploy();

export const grafanaUrl = endpoints.grafanaUrl;
export const prometheusUrl = endpoints.prometheusUrl;
export const alertmanagerUrl = endpoints.alertmanagerUrl;
export const jaegerUiUrl = endpoints.jaegerUiUrl;
export const otlpHttpEndpoint = endpoints.otlpHttpEndpoint;
export const otlpGrpcEndpoint = endpoints.otlpGrpcEndpoint;

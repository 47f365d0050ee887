/** Pulumi mocks: the prod stack (kubernetes) from Pulumi.prod.yaml, with the optional Redis password set. */
import { kubernetesStackSuite } from './pulumiKubernetesSuite';

kubernetesStackSuite('prod', ['redisPassword']);

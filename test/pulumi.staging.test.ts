/** Pulumi mocks: the staging stack (kubernetes) from Pulumi.staging.yaml, required secrets only. */
import { kubernetesStackSuite } from './pulumiKubernetesSuite';

kubernetesStackSuite('staging');

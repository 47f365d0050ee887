/** Pulls a pinned image once per component; containers reference it by id. */
import * as docker from '@pulumi/docker';
import type * as pulumi from '@pulumi/pulumi';

export function pullImage(name: string, image: string, parent: pulumi.Resource): docker.RemoteImage {
  // keepLocally: `pulumi destroy` must not delete images other stacks on the host may use.
  return new docker.RemoteImage(`${name}-image`, { name: image, keepLocally: true }, { parent });
}

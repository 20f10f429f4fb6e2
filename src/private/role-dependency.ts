import { CfnResource, Lazy, Stack, aws_iam as iam } from 'aws-cdk-lib';

/**
 * Drops a resource's `DependsOn` on its role, which aws-cdk-lib adds (Lambda functions, state machines) although
 * the resource already references the role with `Fn::GetAtt` (cfn-lint W3005). Every other dependency, the role's
 * default policy included (so that the resource is only created once it may do its job), is kept.
 */
export function dropRedundantRoleDependency(resource: CfnResource, role: iam.IRole): void {
  const cfnRole = role.node.defaultChild;
  resource.addOverride('DependsOn', Lazy.list({
    produce: () => {
      const ids = resource.obtainDependencies()
        .filter((dep): dep is CfnResource => dep instanceof CfnResource && dep !== cfnRole)
        .map((dep) => Stack.of(dep).resolve(dep.logicalId) as string)
        .sort();
      return ids.length > 0 ? ids : undefined;
    },
  }));
}

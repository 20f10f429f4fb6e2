import { CfnResource, Lazy, Stack, aws_iam as iam, aws_lambda as lambda } from 'aws-cdk-lib';

/**
 * Drops the function's `DependsOn` on its role, which aws-cdk-lib's `Function` always adds although the function
 * already references the role with `Fn::GetAtt` (cfn-lint W3005). Every other dependency, the role's default
 * policy included (so that the function is only created once it may do its job), is kept.
 */
export function dropRedundantRoleDependency(fn: lambda.Function, role: iam.Role): void {
  const cfnFunction = fn.node.defaultChild as CfnResource;
  const cfnRole = role.node.defaultChild as CfnResource;
  cfnFunction.addOverride('DependsOn', Lazy.list({
    produce: () => {
      const ids = cfnFunction.obtainDependencies()
        .filter((dep): dep is CfnResource => dep instanceof CfnResource && dep !== cfnRole)
        .map((dep) => Stack.of(dep).resolve(dep.logicalId) as string)
        .sort();
      return ids.length > 0 ? ids : undefined;
    },
  }));
}

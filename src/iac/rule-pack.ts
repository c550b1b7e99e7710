import type { Rule } from "./policy.js";
import { auditLoggingOffRule } from "./rules/audit.js";
import { instanceSizeIncreaseRule, newNatGatewayRule } from "./rules/cost.js";
import { deletionProtectionRule, publicDatabaseRule } from "./rules/databases.js";
import { iamWildcardRule } from "./rules/iam.js";
import { statefulDestroyRule } from "./rules/lifecycle.js";
import { openIngressRule } from "./rules/network.js";
import { publicBucketRule, unencryptedStorageRule } from "./rules/storage.js";
import { requiredTagsRule } from "./rules/tags.js";

/** Every rule baton ships, in the order they are documented (docs/iac-policies.md). */
export const RULE_PACK: ReadonlyArray<Rule<unknown>> = [
  openIngressRule,
  publicBucketRule,
  unencryptedStorageRule,
  iamWildcardRule,
  publicDatabaseRule,
  auditLoggingOffRule,
  deletionProtectionRule,
  statefulDestroyRule,
  requiredTagsRule,
  instanceSizeIncreaseRule,
  newNatGatewayRule,
] as ReadonlyArray<Rule<unknown>>;

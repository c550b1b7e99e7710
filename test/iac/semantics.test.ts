import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parsePolicyConfig, reviewChanges, type Finding } from "../../src/iac/index.js";
import { findingsOf, LABELLED_POLICY, measure } from "./labelled-set.js";

/**
 * Each sentence of docs/iac-policies.md ("The semantics"), with a positive and a negative case:
 * on the real `terraform show -json` plans and `git diff` output of the labelled set, and on
 * small plans in the exact shape Terraform writes (format 1.2) for what the set does not show.
 */

const on = (file: string, address: string): string[] =>
  findingsOf(file)
    .filter((finding) => finding.resourceAddress === address)
    .map((finding) => finding.category);

interface Resource {
  address: string;
  type: string;
  actions: string[];
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  afterUnknown?: Record<string, unknown>;
  previousAddress?: string;
  actionReason?: string;
}

/** A plan as `terraform show -json` writes it (format 1.2), with only the resources given. */
function planOf(resources: ReadonlyArray<Resource>): unknown {
  return {
    format_version: "1.2",
    terraform_version: "1.11.4",
    resource_changes: resources.map((resource) => ({
      address: resource.address,
      mode: "managed",
      type: resource.type,
      name: resource.address.split(".").at(-1),
      provider_name: "registry.terraform.io/hashicorp/aws",
      ...(resource.previousAddress === undefined ? {} : { previous_address: resource.previousAddress }),
      change: {
        actions: resource.actions,
        before: resource.before,
        after: resource.after,
        after_unknown: resource.afterUnknown ?? {},
        before_sensitive: {},
        after_sensitive: {},
      },
      ...(resource.actionReason === undefined ? {} : { action_reason: resource.actionReason }),
    })),
  };
}

const planFindings = (resources: ReadonlyArray<Resource>): Finding[] => reviewChanges({ kind: "plan", json: planOf(resources) }, LABELLED_POLICY).findings;
const diffFindings = (text: string): Finding[] => reviewChanges({ kind: "diff", text }, LABELLED_POLICY).findings;
const categories = (findings: ReadonlyArray<Finding>): string[] => findings.map((finding) => `${finding.category} ${finding.resourceAddress}`);
const TAGS = { owner: "a", env: "b", "cost-center": "c" };

describe("the labelled set", () => {
  it("is found whole (recall 100%) and what is reported is right (precision ≥ 95%)", () => {
    const result = measure();
    expect(result.cases.flatMap((entry) => entry.missed.map((missed) => `${entry.file}: ${missed}`))).toEqual([]);
    expect(result.recall).toBe(1);
    expect(result.precision).toBeGreaterThanOrEqual(0.95);
  });
});

describe("only changes are judged, on the resource that carries the setting", () => {
  it("a no-op resource is never a finding, whatever it contains", () => {
    const open = { ingress: [{ cidr_blocks: ["0.0.0.0/0"], from_port: 22, to_port: 22, protocol: "tcp", ipv6_cidr_blocks: [] }], tags: TAGS, tags_all: TAGS };
    expect(planFindings([{ address: "aws_security_group.admin", type: "aws_security_group", actions: ["no-op"], before: open, after: open }])).toEqual([]);
    expect(
      categories(planFindings([{ address: "aws_security_group.admin", type: "aws_security_group", actions: ["create"], before: null, after: open }])),
    ).toEqual(["open-ingress aws_security_group.admin"]);
  });

  it("a public ACL is reported on the aws_s3_bucket_acl, not on the bucket", () => {
    expect(on("plans/03-carrier-dropbox-public-acl.json", "aws_s3_bucket_acl.carrier_dropbox")).toEqual(["public-bucket"]);
    expect(on("plans/03-carrier-dropbox-public-acl.json", "aws_s3_bucket.carrier_dropbox")).toEqual([]);
  });
});

describe("open ingress", () => {
  it("ingress from ::/0 on 8443 and a 80–443 range are findings; exactly 443 or 80 is not; a public /24 is not", () => {
    expect(on("plans/01-tile-edge-ingress-rules.json", "aws_vpc_security_group_ingress_rule.tile_edge_grpc_v6")).toEqual(["open-ingress"]);
    expect(on("plans/01-tile-edge-ingress-rules.json", "aws_security_group_rule.tile_edge_web_range")).toEqual(["open-ingress"]);
    expect(findingsOf("plans/01-tile-edge-ingress-rules.json")).toHaveLength(2);
  });

  it("protocol -1 is all ports; egress to anywhere is never a finding", () => {
    expect(on("plans/02-statsd-relay-opened-all-protocols.json", "aws_security_group.statsd_relay")).toEqual(["open-ingress"]);
    const egress = { egress: [{ cidr_blocks: ["0.0.0.0/0"], from_port: 0, to_port: 0, protocol: "-1" }], ingress: [] };
    expect(
      planFindings([{ address: "aws_security_group.out", type: "aws_security_group", actions: ["create"], before: null, after: { ...egress, tags: TAGS } }]),
    ).toEqual([]);
  });

  it("the allowed ports come from the policy file", () => {
    const config = parsePolicyConfig(JSON.stringify({ rules: { AWS_SG_OPEN_INGRESS: { parameters: { allowedPorts: [8883] } } } }));
    const text = findingsOf("diffs/14-mqtt-broker-opened-and-iot-wildcard.diff");
    expect(text.some((finding) => finding.resourceAddress === "aws_security_group.mqtt_broker")).toBe(true);
    const { findings } = reviewChanges({ kind: "diff", text: diffText("14-mqtt-broker-opened-and-iot-wildcard.diff") }, config);
    expect(findings.some((finding) => finding.resourceAddress === "aws_security_group.mqtt_broker")).toBe(false);
  });
});

describe("public bucket", () => {
  it("public-read-write ACL and a public access block flag false are findings; private and all-true are not", () => {
    expect(on("plans/03-carrier-dropbox-public-acl.json", "aws_s3_bucket_public_access_block.carrier_dropbox")).toEqual(["public-bucket"]);
    expect(findingsOf("plans/03-carrier-dropbox-public-acl.json")).toHaveLength(2);
  });

  it('a policy statement that Allows {"AWS": "*"} or "*" is public; a Deny with "*" and a service principal are not', () => {
    expect(on("plans/04-map-tiles-policy-any-aws-principal.json", "aws_s3_bucket_policy.map_tiles")).toEqual(["public-bucket"]);
    expect(findingsOf("plans/04-map-tiles-policy-any-aws-principal.json")).toHaveLength(2);
    expect(on("diffs/15-proof-of-delivery-public-index-db.diff", "aws_s3_bucket_policy.pod_images")).toEqual(["public-bucket"]);
    const denyOnly = JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: "arn:aws:s3:::b/*", Condition: { Bool: { "aws:SecureTransport": "false" } } }],
    });
    expect(
      planFindings([
        { address: "aws_s3_bucket_policy.b", type: "aws_s3_bucket_policy", actions: ["create"], before: null, after: { bucket: "b", policy: denyOnly } },
      ]),
    ).toEqual([]);
  });

  it("S3 buckets with no encryption resource are not unencrypted (SSE-S3 by default since January 2023)", () => {
    expect(on("plans/05-sensor-archive-storage.json", "aws_s3_bucket.sensor_exports")).toEqual([]);
    expect(categories(findingsOf("plans/05-sensor-archive-storage.json")).sort()).toEqual([
      "unencrypted-storage aws_ebs_volume.sensor_raw_spool",
      "unencrypted-storage aws_efs_file_system.sensor_shared",
    ]);
  });
});

describe("IAM wildcard", () => {
  it('Allow with "athena:*" or "*" and Resource "*" is a finding', () => {
    expect(on("plans/07-etl-runner-iam-policies.json", "aws_iam_role_policy.etl_runner_athena")).toEqual(["iam-wildcard"]);
    expect(on("plans/07-etl-runner-iam-policies.json", "aws_iam_policy.etl_break_glass")).toEqual(["iam-wildcard"]);
    expect(on("diffs/14-mqtt-broker-opened-and-iot-wildcard.diff", "aws_iam_role_policy.mqtt_bridge_iot")).toEqual(["iam-wildcard"]);
  });

  it('specific actions on "*", ec2:Describe* prefixes, service:* on one ARN and Deny "*" are not', () => {
    expect(findingsOf("plans/07-etl-runner-iam-policies.json")).toHaveLength(2);
    expect(on("diffs/14-mqtt-broker-opened-and-iot-wildcard.diff", "aws_iam_role_policy.mqtt_bridge_stream")).toEqual([]);
    const policy = (statement: Record<string, unknown>): Record<string, unknown> => ({
      name: "p",
      policy: JSON.stringify({ Version: "2012-10-17", Statement: [statement] }),
    });
    const cases = [
      { Effect: "Allow", Action: ["ec2:Describe*", "glue:Get*"], Resource: "*" },
      { Effect: "Allow", Action: "sqs:*", Resource: "arn:aws:sqs:us-east-1:111122223333:jobs" },
      { Effect: "Deny", Action: "*", Resource: "*" },
    ];
    for (const statement of cases)
      expect(
        planFindings([
          {
            address: "aws_iam_policy.p",
            type: "aws_iam_policy",
            actions: ["create"],
            before: null,
            after: { ...policy(statement), tags: TAGS, tags_all: TAGS },
          },
        ]),
      ).toEqual([]);
  });
});

describe("deletion protection off", () => {
  it("false on create and true → false on update are findings", () => {
    expect(on("plans/06-freight-claims-aurora-and-reporting-db.json", "aws_db_instance.claims_reporting")).toEqual(["deletion-protection-off"]);
    expect(on("plans/08-fleet-databases-public-eta-and-protection.json", "aws_db_instance.route_history")).toEqual(["deletion-protection-off"]);
  });

  it("a tags-only update that leaves it true is not", () => {
    expect(on("plans/08-fleet-databases-public-eta-and-protection.json", "aws_db_instance.fleet_positions")).toEqual([]);
    const database = {
      identifier: "d",
      deletion_protection: false,
      instance_class: "db.t3.micro",
      publicly_accessible: false,
      storage_encrypted: true,
      tags: TAGS,
      tags_all: TAGS,
    };
    // Already false before: the update does not turn it off.
    expect(
      planFindings([
        { address: "aws_db_instance.d", type: "aws_db_instance", actions: ["update"], before: database, after: { ...database, tags: { ...TAGS, team: "x" } } },
      ]),
    ).toEqual([]);
  });
});

describe("stateful delete", () => {
  it("delete and delete,create of stateful types are findings", () => {
    expect(on("plans/10-dispatch-v1-retirement.json", "aws_elasticache_cluster.dispatch_v1_sessions")).toEqual(["stateful-delete"]);
    expect(on("plans/10-dispatch-v1-retirement.json", "aws_dynamodb_table.driver_shifts")).toEqual(["stateful-delete"]);
    expect(on("diffs/16-depot-flow-logs-dropped-archive-renamed.diff", "aws_dynamodb_table.replay_cursors")).toEqual(["stateful-delete"]);
    const bucket = { bucket: "b", tags: TAGS, tags_all: TAGS };
    expect(
      categories(
        planFindings([
          {
            address: "aws_s3_bucket.b",
            type: "aws_s3_bucket",
            actions: ["create", "delete"],
            before: bucket,
            after: bucket,
            actionReason: "replace_because_cannot_update",
          },
        ]),
      ),
    ).toEqual(["stateful-delete aws_s3_bucket.b"]);
  });

  it("forget (removed with destroy = false), moved, and deletes of other types are not", () => {
    expect(findingsOf("plans/10-dispatch-v1-retirement.json")).toHaveLength(2);
    const bucket = { bucket: "b", tags: TAGS, tags_all: TAGS };
    expect(planFindings([{ address: "aws_s3_bucket.b", type: "aws_s3_bucket", actions: ["forget"], before: bucket, after: null }])).toEqual([]);
    expect(
      planFindings([
        {
          address: "aws_s3_bucket.new_name",
          type: "aws_s3_bucket",
          actions: ["no-op"],
          before: bucket,
          after: bucket,
          previousAddress: "aws_s3_bucket.old_name",
        },
      ]),
    ).toEqual([]);
    expect(on("diffs/16-depot-flow-logs-dropped-archive-renamed.diff", "aws_s3_bucket.archive")).toEqual([]);
    expect(on("diffs/16-depot-flow-logs-dropped-archive-renamed.diff", "aws_s3_bucket.trip_archive")).toEqual([]);
    expect(findingsOf("diffs/17-status-page-rightsize-and-cleanup-clean.diff")).toEqual([]);
  });
});

describe("missing tags", () => {
  it("a created resource lacking a required key in tags ∪ tags_all is a finding; a key spelled differently does not count", () => {
    expect(on("plans/12-depot-network-second-nat-and-tag-gaps.json", "aws_cloudwatch_log_group.depot_nat_metrics")).toEqual(["missing-tags"]);
    expect(on("plans/12-depot-network-second-nat-and-tag-gaps.json", "aws_route_table.depot_private_b")).toEqual(["missing-tags"]);
    expect(on("diffs/15-proof-of-delivery-public-index-db.diff", "aws_ebs_volume.pod_ocr_scratch")).toEqual(["missing-tags"]);
  });

  it("provider default_tags count (they show in tags_all); an update is not judged", () => {
    expect(
      planFindings([
        {
          address: "aws_sqs_queue.q",
          type: "aws_sqs_queue",
          actions: ["create"],
          before: null,
          after: { name: "q", tags: { "cost-center": "c" }, tags_all: TAGS },
        },
      ]),
    ).toEqual([]);
    expect(
      planFindings([
        {
          address: "aws_sqs_queue.q",
          type: "aws_sqs_queue",
          actions: ["update"],
          before: { name: "q", tags: null, tags_all: {} },
          after: { name: "q2", tags: null, tags_all: {} },
        },
      ]),
    ).toEqual([]);
  });

  it("a diff of an update that shows part of the tags block is not a finding", () => {
    const partial = [
      "diff --git a/main.tf b/main.tf",
      "index 1..2 100644",
      "--- a/main.tf",
      "+++ b/main.tf",
      '@@ -10,6 +10,6 @@ resource "aws_sqs_queue" "jobs" {',
      "   tags = {",
      '-    owner = "a"',
      '+    owner = "b"',
      "   }",
      " }",
      " ",
    ].join("\n");
    expect(diffFindings(partial)).toEqual([]);
  });
});

describe("cost increase", () => {
  it("a larger type across families is a finding (instance, DB class, cache node)", () => {
    for (const address of ["aws_instance.route_planner", "aws_db_instance.dispatch_core", "aws_elasticache_cluster.eta_cache"])
      expect(on("plans/11-routing-scale-up-cross-family.json", address)).toEqual(["cost-increase"]);
    const instance = (type: string): Record<string, unknown> => ({ instance_type: type, tags: TAGS, tags_all: TAGS });
    expect(
      categories(
        planFindings([{ address: "aws_instance.a", type: "aws_instance", actions: ["update"], before: instance("t3.medium"), after: instance("m5.4xlarge") }]),
      ),
    ).toEqual(["cost-increase aws_instance.a"]);
  });

  it("a smaller type in another family and a new instance are not", () => {
    expect(findingsOf("plans/11-routing-scale-up-cross-family.json")).toHaveLength(3);
    expect(findingsOf("plans/13-reporting-rightsize-and-tidy-clean.json")).toEqual([]);
  });

  it("an unknown type is reported as unknown, not ignored", () => {
    const instance = (type: string): Record<string, unknown> => ({ instance_type: type, tags: TAGS, tags_all: TAGS });
    const [finding] = planFindings([
      { address: "aws_instance.a", type: "aws_instance", actions: ["update"], before: instance("m5.large"), after: instance("u-6tb1.metal") },
    ]);
    expect(finding?.message).toBe(
      "instance_type changes from m5.large to u-6tb1.metal; u-6tb1.metal is not in baton's capacity table, so whether it costs more is unknown.",
    );
  });

  it("a new NAT gateway is a finding; a deleted one is not", () => {
    expect(on("plans/12-depot-network-second-nat-and-tag-gaps.json", "aws_nat_gateway.depot_b")).toEqual(["cost-increase"]);
    expect(on("plans/12-depot-network-second-nat-and-tag-gaps.json", "aws_nat_gateway.legacy_depot")).toEqual([]);
  });
});

describe("logging off", () => {
  it("CloudTrail created with enable_logging false and a deleted aws_s3_bucket_logging or aws_flow_log are findings", () => {
    expect(on("plans/09-data-events-trail-paused-access-logs-dropped.json", "aws_cloudtrail.invoice_data_events")).toEqual(["logging-disabled"]);
    expect(on("plans/09-data-events-trail-paused-access-logs-dropped.json", "aws_s3_bucket_logging.invoice_pdfs")).toEqual(["logging-disabled"]);
    expect(on("diffs/16-depot-flow-logs-dropped-archive-renamed.diff", "aws_flow_log.depot_vpc")).toEqual(["logging-disabled"]);
  });

  it("a trail still logging and new access logging are not", () => {
    expect(findingsOf("plans/09-data-events-trail-paused-access-logs-dropped.json")).toHaveLength(2);
  });
});

function diffText(name: string): string {
  return readFileSync(new URL(`../fixtures/iac/labelled/diffs/${name}`, import.meta.url), "utf8");
}

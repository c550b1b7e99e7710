/**
 * vCPU and memory of the instance types and classes the cost rule compares, so a change across
 * families (`t3.large` → `c7i.2xlarge`) is judged by capacity, not by the size word alone.
 *
 * Source: the Amazon EC2 instance type specifications (vCPU and memory per type), as published
 * in June 2025. Two regularities of those tables build this one: a size gives the vCPUs
 * (`large` 2, `xlarge` 4, `Nxlarge` 4·N, `medium` 1 — Graviton), and a family gives the memory
 * per vCPU (general purpose `m` 4 GiB, compute `c` 2 GiB, memory `r` 8 GiB, …). Burstable
 * families are listed type by type. RDS classes (`db.r6g.large`) and ElastiCache nodes
 * (`cache.m7g.large`) are compared as the EC2 type behind them.
 */

export interface Capacity {
  vcpu: number;
  memoryGib: number;
}

/** Burstable families: [vCPU, GiB] by size. */
const BURSTABLE_T2: Record<string, [number, number]> = {
  nano: [1, 0.5],
  micro: [1, 1],
  small: [1, 2],
  medium: [2, 4],
  large: [2, 8],
  xlarge: [4, 16],
  "2xlarge": [8, 32],
};
const BURSTABLE_T3: Record<string, [number, number]> = {
  nano: [2, 0.5],
  micro: [2, 1],
  small: [2, 2],
  medium: [2, 4],
  large: [2, 8],
  xlarge: [4, 16],
  "2xlarge": [8, 32],
};
const BURSTABLE: Record<string, Record<string, [number, number]>> = { t2: BURSTABLE_T2, t3: BURSTABLE_T3, t3a: BURSTABLE_T3, t4g: BURSTABLE_T3 };

/** Memory per vCPU (GiB) of each family listed; a family not listed is unknown. */
const MEMORY_PER_VCPU: Record<string, number> = {};
const families = (names: string, ratio: number): void => {
  for (const name of names.split(" ")) MEMORY_PER_VCPU[name] = ratio;
};
families("m4 m5 m5a m5d m5ad m5n m5dn m5zn m6i m6id m6in m6idn m6a m6g m6gd m7i m7i-flex m7a m7g m7gd m8g m8gd", 4);
families("c4 c5 c5a c5d c5ad c6i c6id c6in c6a c6g c6gd c6gn c7i c7i-flex c7a c7g c7gd c7gn c8g c8gd", 2);
families("c5n", 5.25);
families("r4 r5 r5a r5b r5d r5ad r5n r5dn r6i r6id r6in r6idn r6a r6g r6gd r7i r7iz r7a r7g r7gd r8g r8gd z1d i3 i3en i4i i4g", 8);
families("x1 x2gd x2idn x2iedn x8g", 16);
families("x1e x2iezn", 32);

const VCPU_BY_SIZE: Record<string, number> = { medium: 1, large: 2, xlarge: 4 };

/** "db.r6g.2xlarge" → { family: "r6g", size: "2xlarge" }. */
function partsOf(type: string): { family: string; size: string } | undefined {
  const parts = type.replace(/^(db|cache)\./, "").split(".");
  return parts.length === 2 ? { family: parts[0] as string, size: parts[1] as string } : undefined;
}

/** The capacity of an instance type or class, or undefined when the table does not know it. */
export function capacityOf(type: string): Capacity | undefined {
  const parts = partsOf(type);
  if (!parts) return undefined;
  const burstable = BURSTABLE[parts.family]?.[parts.size];
  if (burstable) return { vcpu: burstable[0], memoryGib: burstable[1] };
  const ratio = MEMORY_PER_VCPU[parts.family];
  const multiple = /^(\d+)xlarge$/.exec(parts.size);
  const vcpu = multiple ? 4 * Number(multiple[1]) : VCPU_BY_SIZE[parts.size];
  if (ratio === undefined || vcpu === undefined) return undefined;
  return { vcpu, memoryGib: vcpu * ratio };
}

/** Larger when it has more vCPUs, or as many and more memory. */
export function isLarger(after: Capacity, before: Capacity): boolean {
  return after.vcpu > before.vcpu || (after.vcpu === before.vcpu && after.memoryGib > before.memoryGib);
}

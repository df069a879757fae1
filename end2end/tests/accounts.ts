// The test accounts end2end/serve.sh makes, one per role.
export const ROLES = ['admin', 'marketer', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export const email = (role: Role) => `${role}@e2e.test`;
export const password = (role: Role) => `e2e password for ${role}`;
export const stateFile = (role: Role) => `end2end/output/state-${role}.json`;

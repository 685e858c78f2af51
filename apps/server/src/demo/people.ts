import type { Tx, UserRole } from '@toktra/db';
import type { Random } from './random.js';

/** The demo org chart: departments nest up to three levels; `size` is the headcount. */
const ORG_CHART = [
  {
    name: 'Engineering',
    size: 6,
    children: [
      { name: 'Backend', size: 26, children: [] },
      { name: 'Frontend', size: 20, children: [] },
      {
        name: 'Data',
        size: 8,
        children: [
          { name: 'ML Platform', size: 12, children: [] },
          { name: 'Analytics', size: 10, children: [] },
        ],
      },
      { name: 'Platform', size: 14, children: [] },
    ],
  },
  { name: 'Product', size: 14, children: [{ name: 'Design', size: 8, children: [] }] },
  {
    name: 'Sales',
    size: 6,
    children: [
      { name: 'EMEA', size: 14, children: [] },
      { name: 'Americas', size: 16, children: [] },
    ],
  },
  { name: 'Marketing', size: 12, children: [] },
  { name: 'Customer Success', size: 12, children: [] },
  { name: 'Finance', size: 8, children: [] },
  { name: 'Legal', size: 5, children: [] },
  { name: 'People', size: 6, children: [] },
] as const;

interface ChartNode {
  readonly name: string;
  readonly size: number;
  readonly children: readonly ChartNode[];
}

const FIRST = [
  'Ada',
  'Ben',
  'Chloe',
  'Dev',
  'Elena',
  'Farid',
  'Grace',
  'Hugo',
  'Ines',
  'Jonas',
  'Kira',
  'Liam',
  'Maya',
  'Noah',
  'Olga',
  'Priya',
  'Quinn',
  'Rafael',
  'Sofia',
  'Tariq',
  'Uma',
  'Victor',
  'Wen',
  'Xavier',
  'Yara',
  'Zoe',
  'Amir',
  'Bea',
  'Carlos',
  'Dana',
  'Emil',
  'Fatima',
  'Greta',
  'Hiro',
  'Ivan',
  'Julia',
  'Kofi',
  'Lena',
];
const LAST = [
  'Novak',
  'Schmidt',
  'Okafor',
  'Rossi',
  'Tanaka',
  'Dubois',
  'Larsen',
  'Kowalski',
  'Silva',
  'Haddad',
  'Meyer',
  'Ivanova',
  'Nguyen',
  'Fischer',
  'Moreau',
  'Costa',
  'Berg',
  'Patel',
  'Kim',
  'Lindqvist',
  'Garcia',
  'Weber',
  'Yilmaz',
  'Andersen',
  'Horvat',
  'Chen',
  'Murphy',
  'Sato',
];

export interface DemoUser {
  id: string;
  email: string;
  name: string;
  role: UserRole;
  departmentId: string | null;
  /** The top-level department, which decides the tools people use. */
  division: string;
}

export interface DemoPeople {
  users: DemoUser[];
  departmentIds: Map<string, string>;
}

/**
 * At `scale` > 1 (benchmarks) every leaf department gains `scale - 1` teams of its size, each a
 * manager's team with two squads below it: ≈ `scale` × the people in a tree two levels deeper.
 */
function scaleChart(node: ChartNode, scale: number): ChartNode {
  if (node.children.length > 0) return { ...node, children: node.children.map((c) => scaleChart(c, scale)) };
  if (scale <= 1) return node;
  const third = Math.max(2, Math.round(node.size / 3));
  const teams = Array.from({ length: scale - 1 }, (_, t) => {
    const team = `${node.name} Team ${t + 1}`;
    const squads = ['A', 'B'].map((s) => ({ name: `${team} Squad ${s}`, size: third, children: [] }));
    return { name: team, size: third, children: squads };
  });
  return { ...node, children: teams };
}

/** Creates the departments and ~200 people (× `scale`), each department led by a manager. */
export async function createDemoPeople(
  tx: Tx,
  orgId: string,
  random: Random,
  passwordHash: string,
  scale = 1,
): Promise<DemoPeople> {
  const users: DemoUser[] = [];
  const departmentIds = new Map<string, string>();
  const usedEmails = new Set<string>(['admin@acme.example']);
  const nextPerson = () => {
    for (;;) {
      const first = random.pick(FIRST);
      const last = random.pick(LAST);
      const base = `${first}.${last}`.toLowerCase();
      const email = usedEmails.has(`${base}@acme.example`)
        ? `${base}${random.int(2, 99)}@acme.example`
        : `${base}@acme.example`;
      if (usedEmails.has(email)) continue;
      usedEmails.add(email);
      return { email, name: `${first} ${last}` };
    }
  };

  const walk = async (
    node: ChartNode,
    parentId: string | null,
    parentManager: string | null,
    division: string,
  ) => {
    const dept = await tx.db
      .insertInto('departments')
      .values({ org_id: orgId, name: node.name, parent_id: parentId })
      .returning('id')
      .executeTakeFirstOrThrow();
    departmentIds.set(node.name, dept.id);
    const people = Array.from({ length: node.size }, (_, i) => {
      const person = nextPerson();
      return { ...person, role: (i === 0 ? 'manager' : 'employee') as UserRole };
    });
    // The well-known demo accounts: a manager and an employee one can sign in as.
    if (node.name === 'Backend') {
      people[0] = { email: 'manager@acme.example', name: 'Mara Manager', role: 'manager' };
      people[1] = { email: 'employee@acme.example', name: 'Eli Employee', role: 'employee' };
    }
    const manager = people[0];
    if (!manager) return;
    const managerRow = await tx.db
      .insertInto('users')
      .values({
        org_id: orgId,
        email: manager.email,
        name: manager.name,
        role: 'manager',
        department_id: dept.id,
        manager_id: parentManager,
        password_hash: manager.email === 'manager@acme.example' ? passwordHash : null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    users.push({ id: managerRow.id, ...manager, departmentId: dept.id, division });
    const rest = people.slice(1);
    if (rest.length) {
      const rows = await tx.db
        .insertInto('users')
        .values(
          rest.map((p) => ({
            org_id: orgId,
            email: p.email,
            name: p.name,
            role: p.role,
            department_id: dept.id,
            manager_id: managerRow.id,
            password_hash: p.email === 'employee@acme.example' ? passwordHash : null,
          })),
        )
        .returning(['id', 'email'])
        .execute();
      rows.forEach((row, i) => {
        const p = rest[i];
        if (p) users.push({ id: row.id, ...p, departmentId: dept.id, division });
      });
    }
    for (const child of node.children) await walk(child, dept.id, managerRow.id, division);
  };
  for (const top of ORG_CHART) await walk(scaleChart(top, scale), null, null, top.name);

  const auditor = await tx.db
    .insertInto('users')
    .values({
      org_id: orgId,
      email: 'auditor@acme.example',
      name: 'Ari Auditor',
      role: 'auditor',
      password_hash: passwordHash,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  users.push({
    id: auditor.id,
    email: 'auditor@acme.example',
    name: 'Ari Auditor',
    role: 'auditor',
    departmentId: null,
    division: 'Finance',
  });
  return { users, departmentIds };
}

/**
 * The registry over HTTP on real PostgreSQL: households and residents as the 参保登记表 records them,
 * identity checks, changes, membership history, search, waivers, transfer-out, and the SQL statement
 * count of nested reads (a household of 50 members costs what a household of 1 does).
 */
import { RequestContext } from '../../src/context/request-context';
import { makeResidentId } from '../../src/domains/residents/id-number';
import { nameOf } from '../helpers/names';
import { startTestServer, type TestServer } from '../helpers/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.close());

const SN = '620721'; // 肃南: 8 townships
const PL = '610926'; // 平利: 11 towns

const REGISTER = `mutation($input: HouseholdInput!) { registerHousehold(input: $input) {
  id bookletNo region { code name } members { idNumber name birthDate sex relationship hukouPlace applicantType } } }`;

let sequence = 0;
const person = (birthDate: string, address = '620721') => makeResidentId(address, birthDate, 100 + (sequence++ % 800));

async function register(tenant: string, input: Record<string, unknown>) {
  return server.gql(REGISTER, { input }, { as: 'STAFF', tenant });
}

async function count(table: string, where = 'true', values: unknown[] = []) {
  return (await server.ownerQuery<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`, values))[0].n;
}

describe('registering a household', () => {
  it('records the members with birth date and sex from the ID number', async () => {
    const head = person('1970-05-20');
    const child = person('2005-02-03');
    const res = await register(SN, {
      bookletNo: 'SN-0001',
      region: '620721-01',
      address: '皇城镇北极村',
      registeredOn: '2023-09-01',
      members: [
        { idNumber: head, name: '安永福', relationship: '户主', hukouPlace: '620721100', applicantType: 'ADULT', phone: '13900000001' },
        { idNumber: child, name: '安小花', relationship: '子女', birthDate: '2005-02-03', applicantType: 'PUPIL' },
      ],
    });
    expect(res.errors).toBeUndefined();
    const h = res.data!.registerHousehold;
    expect(h.region).toEqual({ code: '620721-01', name: '皇城镇' });
    expect(h.members[0]).toMatchObject({ idNumber: head, birthDate: '1970-05-20', relationship: '户主', hukouPlace: '620721100' });
    expect(h.members[1]).toMatchObject({ birthDate: '2005-02-03', applicantType: 'PUPIL' });
    expect(['MALE', 'FEMALE']).toContain(h.members[0].sex);
    const history = await server.gql(
      `query($id: ID!) { household(id: $id) { history { idNumber relationship joinedOn leftOn } } }`,
      { id: h.id },
      { as: 'STAFF', tenant: SN },
    );
    expect(history.data!.household.history).toEqual([
      { idNumber: head, relationship: '户主', joinedOn: '2023-09-01', leftOn: null },
      { idNumber: child, relationship: '子女', joinedOn: '2023-09-01', leftOn: null },
    ]);
  });

  const bad: Array<[string, (ok: Record<string, unknown>) => Record<string, unknown>, string, string]> = [
    [
      'an ID number with a wrong check character',
      (ok) => ({ ...ok, members: [{ ...first(ok), idNumber: `${first(ok).idNumber.slice(0, 17)}${first(ok).idNumber.endsWith('0') ? '1' : '0'}` }] }),
      'BAD_USER_INPUT',
      'members[0].idNumber',
    ],
    [
      'an ID number with an impossible birth date',
      (ok) => ({ ...ok, members: [{ ...first(ok), idNumber: '620721199302300012' }] }),
      'BAD_USER_INPUT',
      'members[0].idNumber',
    ],
    [
      'a birth date that disagrees with the ID number',
      (ok) => ({ ...ok, members: [{ ...first(ok), birthDate: '1990-01-01' }] }),
      'BAD_USER_INPUT',
      'members[0].birthDate',
    ],
    [
      'a sex that disagrees with the ID number',
      (ok) => ({ ...ok, members: [{ ...first(ok), sex: Number(first(ok).idNumber[16]) % 2 ? 'FEMALE' : 'MALE' }] }),
      'BAD_USER_INPUT',
      'members[0].sex',
    ],
    ['an unknown region', (ok) => ({ ...ok, region: '620721-99' }), 'BAD_USER_INPUT', 'region'],
    [
      'a second head',
      (ok) => ({ ...ok, members: [first(ok), { idNumber: person('1972-01-01'), name: '乙', relationship: '户主' }] }),
      'BAD_USER_INPUT',
      'members',
    ],
    ['no head', (ok) => ({ ...ok, members: [{ ...first(ok), relationship: '子女' }] }), 'BAD_USER_INPUT', 'members'],
    ['the same person twice', (ok) => ({ ...ok, members: [first(ok), { ...first(ok), relationship: '子女' }] }), 'BAD_USER_INPUT', 'members[1].idNumber'],
    [
      'a hukou place that is not a division code',
      (ok) => ({ ...ok, members: [{ ...first(ok), hukouPlace: '肃南' }] }),
      'BAD_USER_INPUT',
      'members[0].hukouPlace',
    ],
  ];
  function first(input: Record<string, unknown>) {
    return (input.members as Array<Record<string, string>>)[0];
  }
  it.each(bad)('refuses %s, naming the field, and writes nothing', async (_case, edit, code, field) => {
    const ok = {
      bookletNo: `SN-BAD-${sequence}`,
      region: '620721-02',
      members: [{ idNumber: person('1980-08-08'), name: '甲', relationship: '户主', birthDate: undefined }],
    };
    const before = await count('resident');
    const res = await register(SN, edit(JSON.parse(JSON.stringify(ok))));
    expect(res.errors?.[0].extensions).toMatchObject({ code, field });
    expect(await count('resident')).toBe(before);
    expect(await count('household', 'booklet_no = $1', [ok.bookletNo])).toBe(0);
  });

  it('refuses a person already registered and a booklet already registered (CONFLICT)', async () => {
    const id = person('1966-06-06');
    expect(
      (await register(SN, { bookletNo: 'SN-DUP-1', region: '620721-03', members: [{ idNumber: id, name: '丙', relationship: '户主' }] })).errors,
    ).toBeUndefined();
    const again = await register(SN, { bookletNo: 'SN-DUP-2', region: '620721-03', members: [{ idNumber: id, name: '丙', relationship: '户主' }] });
    expect(again.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', field: 'members' });
    const booklet = await register(SN, {
      bookletNo: 'SN-DUP-1',
      region: '620721-03',
      members: [{ idNumber: person('1967-07-07'), name: '丁', relationship: '户主' }],
    });
    expect(booklet.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', field: 'bookletNo' });
    expect(await count('household', "booklet_no = 'SN-DUP-2'")).toBe(0);
  });

  it('accepts other identity documents without a GB 11643 check', async () => {
    const res = await server.gql(
      `mutation($input: ResidentInput!) { registerResident(input: $input) { idNumber idType birthDate sex } }`,
      { input: { idNumber: 'E12345678', idType: 'PASSPORT', name: 'Anna Berg', birthDate: '1985-03-01', sex: 'FEMALE', residencePermitPlace: '620721' } },
      { as: 'STAFF', tenant: SN },
    );
    expect(res.data!.registerResident).toEqual({ idNumber: 'E12345678', idType: 'PASSPORT', birthDate: '1985-03-01', sex: 'FEMALE' });
  });
});

describe('changes, members and history', () => {
  let householdId: string;
  const head = makeResidentId('620721', '1960-01-01', 501);
  const spouse = makeResidentId('620721', '1962-02-02', 502);
  const newNumber = makeResidentId('620721', '1962-02-02', 504);

  beforeAll(async () => {
    householdId = (
      await register(SN, {
        bookletNo: 'SN-CHG-1',
        region: '620721-04',
        registeredOn: '2020-01-01',
        members: [
          { idNumber: head, name: '钟山', relationship: '户主' },
          { idNumber: spouse, name: '钟兰', relationship: '配偶' },
        ],
      })
    ).data!.registerHousehold.id;
  });

  it('records key and other information changes with before, after, actor and time', async () => {
    const token = server.token('STAFF', [SN], 'clerk-zhong');
    const update = await server.gql(
      `mutation($id: String!, $changes: ResidentUpdateInput!) { updateResident(idNumber: $id, changes: $changes) { idNumber name phone hukouPlace } }`,
      { id: spouse, changes: { name: '钟秀兰', phone: '0936-822 1234', hukouPlace: '620721101', newIdNumber: newNumber } },
      { token, tenant: SN },
    );
    expect(update.errors).toBeUndefined();
    expect(update.data!.updateResident).toEqual({ idNumber: newNumber, name: '钟秀兰', phone: '0936-8221234', hukouPlace: '620721101' });
    const changes = await server.gql(
      `query($id: String!) { residentChanges(idNumber: $id) { field keyInformation before after actor role changedAt } }`,
      { id: newNumber },
      { as: 'STAFF', tenant: SN },
    );
    const byField = Object.fromEntries(changes.data!.residentChanges.map((c: { field: string }) => [c.field, c]));
    expect(byField.name).toMatchObject({ keyInformation: true, before: '钟兰', after: '钟秀兰', actor: 'clerk-zhong', role: 'STAFF' });
    expect(byField.id_number).toMatchObject({ keyInformation: true, before: spouse, after: newNumber });
    expect(byField.hukou_place).toMatchObject({ keyInformation: true, before: null, after: '620721101' });
    expect(byField.phone).toMatchObject({ keyInformation: false, after: '0936-8221234' });
    expect(new Date(byField.name.changedAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
    // The membership follows the corrected number, from the day the person joined.
    const history = await server.gql(
      `query($id: ID!) { household(id: $id) { history { idNumber joinedOn leftOn } } }`,
      { id: householdId },
      { as: 'STAFF', tenant: SN },
    );
    expect(history.data!.household.history).toContainEqual({ idNumber: newNumber, joinedOn: '2020-01-01', leftOn: null });
  });

  it('keeps the request role from rewriting change records', async () => {
    const ctx = new RequestContext(server.running.state, { authorization: `Bearer ${server.token('ADMIN', [SN])}`, tenant: SN });
    ctx.authorize([]);
    await expect(ctx.db.query("UPDATE resident_change SET after = 'forged'")).rejects.toThrow(/permission denied/);
    await ctx.finish(false);
  });

  /** A head with a spouse and a head alone, each in a household of their own registered on 2020-01-01. */
  async function twoHouseholds(tag: string, seq: number) {
    const people = {
      head: makeResidentId(SN, '1961-01-01', seq),
      spouse: makeResidentId(SN, '1963-03-03', seq + 1),
      otherHead: makeResidentId(SN, '1956-06-06', seq + 2),
    };
    const couple = await register(SN, {
      bookletNo: `SN-${tag}-1`,
      region: '620721-04',
      registeredOn: '2020-01-01',
      members: [
        { idNumber: people.head, name: '钟山', relationship: '户主' },
        { idNumber: people.spouse, name: '钟兰', relationship: '配偶' },
      ],
    });
    const single = await register(SN, {
      bookletNo: `SN-${tag}-2`,
      region: '620721-05',
      registeredOn: '2020-01-01',
      members: [{ idNumber: people.otherHead, name: '柯明', relationship: '户主' }],
    });
    expect([couple.errors, single.errors]).toEqual([undefined, undefined]);
    return { ...people, couple: couple.data!.registerHousehold.id as string, single: single.data!.registerHousehold.id as string };
  }

  it("moves a member to another household, keeping both memberships' dates", async () => {
    const { head: ownHead, spouse: mover, couple, single } = await twoHouseholds('MOVE', 511);
    const move = await server.gql(
      `mutation($id: String!, $to: ID!) { moveHouseholdMember(idNumber: $id, toHouseholdId: $to, relationship: "母亲", movedOn: "2023-03-01") { bookletNo members { idNumber relationship } } }`,
      { id: mover, to: single },
      { as: 'STAFF', tenant: SN },
    );
    expect(move.errors).toBeUndefined();
    expect(move.data!.moveHouseholdMember.members.map((m: { relationship: string }) => m.relationship)).toEqual(['户主', '母亲']);
    const history = await server.gql(
      `query($id: ID!) { household(id: $id) { members { idNumber } history { idNumber joinedOn leftOn } } }`,
      { id: couple },
      { as: 'STAFF', tenant: SN },
    );
    expect(history.data!.household.members).toEqual([{ idNumber: ownHead }]);
    expect(history.data!.household.history).toContainEqual({ idNumber: mover, joinedOn: '2020-01-01', leftOn: '2023-03-01' });
  });

  it('keeps exactly one head: the head cannot leave while others remain, a second head cannot join', async () => {
    const { head: ownHead, single } = await twoHouseholds('HEAD', 521);
    const leave = await server.gql(
      `mutation($id: String!) { removeHouseholdMember(idNumber: $id, leftOn: "2023-04-01") { idNumber } }`,
      { id: ownHead },
      { as: 'STAFF', tenant: SN },
    );
    expect(leave.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const newcomer = person('1990-09-09');
    await server.gql(
      `mutation($input: ResidentInput!) { registerResident(input: $input) { idNumber } }`,
      { input: { idNumber: newcomer, name: '新人' } },
      { as: 'STAFF', tenant: SN },
    );
    const secondHead = await server.gql(
      `mutation($h: ID!, $id: String!) { addHouseholdMember(householdId: $h, idNumber: $id, relationship: "户主") { id } }`,
      { h: single, id: newcomer },
      { as: 'STAFF', tenant: SN },
    );
    expect(secondHead.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'relationship' });
    const asChild = await server.gql(
      `mutation($h: ID!, $id: String!) { addHouseholdMember(householdId: $h, idNumber: $id, relationship: "子女", joinedOn: "2023-05-01") { members { idNumber } } }`,
      { h: single, id: newcomer },
      { as: 'STAFF', tenant: SN },
    );
    expect(asChild.data!.addHouseholdMember.members).toHaveLength(2);
  });
});

describe('search', () => {
  beforeAll(async () => {
    // 25 people of 平利 in two towns, names 王一… and 李一…
    for (let h = 0; h < 5; h += 1) {
      await register(PL, {
        bookletNo: `PL-S-${h}`,
        region: h < 3 ? '610926-01' : '610926-02',
        members: Array.from({ length: 5 }, (_, i) => ({
          idNumber: makeResidentId('610926', `19${70 + h}-0${i + 1}-1${i}`, 200 + h * 10 + i),
          name: nameOf(h * 10 + i, h % 2 ? '李' : '王'),
          relationship: i === 0 ? '户主' : '子女',
          hukouPlace: '610926',
        })),
      });
    }
  });

  const SEARCH = `query($filter: ResidentSearchInput, $first: Int, $after: String) { residents(filter: $filter, first: $first, after: $after) {
    nodes { idNumber name } pageInfo { endCursor hasNextPage } } }`;

  it('pages through everyone with a cursor, without repeats', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page += 1) {
      const res: any = await server.gql(SEARCH, { first: 10, after }, { as: 'STAFF', tenant: PL });
      seen.push(...res.data.residents.nodes.map((n: { idNumber: string }) => n.idNumber));
      if (!res.data.residents.pageInfo.hasNextPage) break;
      after = res.data.residents.pageInfo.endCursor;
    }
    expect(seen.length).toBeGreaterThanOrEqual(25);
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort()).toEqual(seen);
  });

  it('filters by name prefix, ID prefix and region (with sub-regions)', async () => {
    const byName = await server.gql(SEARCH, { filter: { namePrefix: '李' }, first: 50 }, { as: 'STAFF', tenant: PL });
    expect(byName.data!.residents.nodes).toHaveLength(10);
    const byId = await server.gql(SEARCH, { filter: { idPrefix: '6109261970' }, first: 50 }, { as: 'STAFF', tenant: PL });
    expect(byId.data!.residents.nodes).toHaveLength(5);
    const byRegion = await server.gql(SEARCH, { filter: { region: '610926-02' }, first: 50 }, { as: 'STAFF', tenant: PL });
    expect(byRegion.data!.residents.nodes).toHaveLength(10);
  });

  it('treats % and _ in a prefix as text', async () => {
    const res = await server.gql(SEARCH, { filter: { namePrefix: '%' }, first: 50 }, { as: 'STAFF', tenant: PL });
    expect(res.data!.residents.nodes).toEqual([]);
  });
});

describe('waivers (放弃参保确认书)', () => {
  it('records reasons and lists them by year and reason', async () => {
    const a = makeResidentId('610926', '1975-07-07', 301);
    const b = makeResidentId('610926', '1976-07-07', 302);
    await register(PL, {
      bookletNo: 'PL-W',
      region: '610926-03',
      members: [
        { idNumber: a, name: '甲', relationship: '户主', hukouPlace: '610926' },
        { idNumber: b, name: '乙', relationship: '配偶', hukouPlace: '平利县长安镇' },
      ],
    });
    const WAIVE = `mutation($input: WaiverInput!) { recordWaiver(input: $input) { idNumber reason reasonText recordedBy } }`;
    expect(
      (await server.gql(WAIVE, { input: { idNumber: a, coverageYear: 2022, reason: 'COMMERCIAL_INSURANCE' } }, { as: 'STAFF', tenant: PL })).errors,
    ).toBeUndefined();
    const other = await server.gql(WAIVE, { input: { idNumber: b, coverageYear: 2022, reason: 'OTHER' } }, { as: 'STAFF', tenant: PL });
    expect(other.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reasonText' });
    expect(
      (await server.gql(WAIVE, { input: { idNumber: b, coverageYear: 2022, reason: 'OTHER', reasonText: '外出务工' } }, { as: 'STAFF', tenant: PL })).errors,
    ).toBeUndefined();
    const again = await server.gql(WAIVE, { input: { idNumber: a, coverageYear: 2022, reason: 'HEALTHY_STABLE_INCOME' } }, { as: 'STAFF', tenant: PL });
    expect(again.errors?.[0].extensions?.code).toBe('CONFLICT');
    const list = await server.gql(`{ waivers(coverageYear: 2022, reason: OTHER) { idNumber reasonText } }`, {}, { as: 'ADMIN', tenant: PL });
    expect(list.data!.waivers).toEqual([{ idNumber: b, reasonText: '外出务工' }]);
  });
});

describe('transfer out (停保或流出) and one scheme per person', () => {
  const mover = makeResidentId('610926', '1988-08-18', 401);

  beforeAll(async () => {
    await register(PL, {
      bookletNo: 'PL-T',
      region: '610926-04',
      registeredOn: '2010-05-01',
      members: [{ idNumber: mover, name: '迁出者', relationship: '户主', hukouPlace: '610926104' }],
    });
    await register('520100', { bookletNo: 'GY-T', region: '520102', members: [{ idNumber: mover, name: '迁出者', relationship: '户主' }] });
    const enrol = await server.gql(
      `mutation { enroll(input: { idNumber: "${mover}", coverageYear: 2022, enrolledOn: "2021-11-01" }) { status } }`,
      {},
      { as: 'STAFF', tenant: PL },
    );
    expect(enrol.data!.enroll.status).toBe('UNPAID');
  });

  it('refuses enrolment in a second tenant for the same year, saying where they are', async () => {
    const res = await server.gql(
      `mutation { enroll(input: { idNumber: "${mover}", coverageYear: 2022, enrolledOn: "2021-12-01" }) { status } }`,
      {},
      { as: 'STAFF', tenant: '520100' },
    );
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', enrolledIn: ['610926'] });
    expect(res.errors?.[0].message).toContain('平利县 (610926)');
  });

  it('refuses a transfer dated before the person joined their household', async () => {
    const res = await server.gql(`mutation { transferOut(idNumber: "${mover}", on: "2009-01-01") { status } }`, {}, { as: 'STAFF', tenant: PL });
    expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0].message).toContain('2010-05-01');
  });

  it('allows it once the first tenant has transferred the person out', async () => {
    const out = await server.gql(
      `mutation { transferOut(idNumber: "${mover}", on: "2021-12-10", destination: "贵阳市南明区") { status transferredOutOn transferredTo household { id } enrollments { coverageYear status } } }`,
      {},
      { as: 'STAFF', tenant: PL },
    );
    expect(out.errors).toBeUndefined();
    expect(out.data!.transferOut).toEqual({
      status: 'TRANSFERRED_OUT',
      transferredOutOn: '2021-12-10',
      transferredTo: '贵阳市南明区',
      household: null,
      enrollments: [{ coverageYear: 2022, status: 'TERMINATED' }],
    });
    const res = await server.gql(
      `mutation { enroll(input: { idNumber: "${mover}", coverageYear: 2022, enrolledOn: "2021-12-15" }) { status amountDue } }`,
      {},
      { as: 'STAFF', tenant: '520100' },
    );
    expect(res.data!.enroll).toEqual({ status: 'UNPAID', amountDue: '320.00' });
    const again = await server.gql(
      `mutation { enroll(input: { idNumber: "${mover}", coverageYear: 2022, enrolledOn: "2021-12-20" }) { status } }`,
      {},
      { as: 'STAFF', tenant: PL },
    );
    expect(again.errors?.[0].extensions?.code).toBe('CONFLICT');
  });
});

describe('roles', () => {
  it('lets BANK and TAX read no registry data, AGENCY read it, and only ADMIN and STAFF write', async () => {
    for (const role of ['BANK', 'TAX'] as const) {
      const res = await server.gql('{ residents(first: 1) { nodes { idNumber } } }', {}, { as: role, tenant: PL });
      expect(res.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    }
    expect((await server.gql('{ residents(first: 1) { nodes { idNumber } } }', {}, { as: 'AGENCY', tenant: PL })).errors).toBeUndefined();
    const write = await server.gql(REGISTER, { input: { bookletNo: 'X', region: '610926-01', members: [] } }, { as: 'AGENCY', tenant: PL });
    expect(write.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });
});

describe('nested reads cost a fixed number of SQL statements (no N+1)', () => {
  const QUERY = `query($id: ID!) { household(id: $id) { bookletNo region { name } members { idNumber name enrollments { coverageYear status payments { receiptNo } } } } }`;

  async function householdOf(size: number, booklet: string, base: number): Promise<string> {
    const members = Array.from({ length: size }, (_, i) => ({
      idNumber: makeResidentId('620721', `19${50 + (i % 50)}-0${(i % 9) + 1}-2${i % 8}`, base + i),
      name: nameOf(i, '成'),
      relationship: i === 0 ? '户主' : '子女',
    }));
    const res = await register(SN, { bookletNo: booklet, region: '620721-06', members });
    expect(res.errors).toBeUndefined();
    // Every member enrolled, so that the enrolments level has rows to load.
    for (const m of members) {
      const e = await server.gql(
        `mutation($id: String!) { enroll(input: { idNumber: $id, coverageYear: 2024, enrolledOn: "2023-10-01" }) { status } }`,
        { id: m.idNumber },
        { as: 'STAFF', tenant: SN },
      );
      expect(e.errors).toBeUndefined();
    }
    return res.data!.registerHousehold.id;
  }

  it('reads a household of 50 members with their enrolments in as many statements as one of 1', async () => {
    const small = await householdOf(1, 'SN-N1', 700);
    const large = await householdOf(50, 'SN-N50', 800);
    const one = await server.gql(QUERY, { id: small }, { as: 'STAFF', tenant: SN });
    const fifty = await server.gql(QUERY, { id: large }, { as: 'STAFF', tenant: SN });
    expect(fifty.data!.household.members).toHaveLength(50);
    expect(fifty.data!.household.members.every((m: { enrollments: unknown[] }) => m.enrollments.length === 1)).toBe(true);
    expect(one.extensions?.sqlStatements).toBe(fifty.extensions?.sqlStatements);
    expect(fifty.extensions?.sqlStatements).toBeLessThanOrEqual(4);
  });

  it('reads a household with its members, their enrolments and subsidies in one statement', async () => {
    const id = await householdOf(8, 'SN-N8', 900);
    const res = await server.gql(
      `query($id: ID!) { household(id: $id) { bookletNo members { idNumber relationship enrollments { coverageYear status amountDue subsidies { amount } } } } }`,
      { id },
      { as: 'STAFF', tenant: SN },
    );
    expect(res.errors).toBeUndefined();
    const members = res.data!.household.members;
    expect(members).toHaveLength(8);
    expect(members[0].relationship).toBe('户主');
    expect(
      members.every(
        (m: { enrollments: Array<{ coverageYear: number; status: string }> }) => m.enrollments.length === 1 && m.enrollments[0].coverageYear === 2024,
      ),
    ).toBe(true);
    expect(res.extensions?.sqlStatements).toBe(1);
  });

  it('shows a member who just joined, in the answer of the mutation that added them', async () => {
    const id = await householdOf(1, 'SN-N1B', 960);
    // The mutation checks the household before the join; what it answers must be read after it.
    const joiner = makeResidentId('620721', '1990-05-05', 970);
    const res = await server.gql(
      `mutation($input: ResidentInput!) { registerResident(input: $input) { household { members { idNumber } } } }`,
      { input: { idNumber: joiner, name: '新成员', householdId: id, relationship: '子女' } },
      { as: 'STAFF', tenant: SN },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.registerResident.household.members.map((m: { idNumber: string }) => m.idNumber)).toContain(joiner);
  });
});

import { Role } from '../../src/domain/enums.ts';
import { setEmployerService } from '../../src/employers/assign-caseworker.ts';
import { inviteEmployerUser } from '../../src/employers/invite.ts';
import { addUser } from '../../src/users/add-user.ts';
import { disableUser, enableUser, listUsers, revokeToken, type UserInfo } from '../../src/users/manage.ts';
import { type Command, type CommandInput, stringOption, UsageError } from './command.ts';
import { operatorActor } from './operator.ts';
import { usersUsage } from './usage.ts';

const OPTIONS_OF: Record<string, readonly string[]> = {
  add: ['role', 'email', 'branch', 'name'],
  'invite-employer': ['employer', 'employer-name', 'plz', 'email', 'name'],
  'employer-service': ['user', 'on', 'off'],
  list: ['role', 'branch', 'json'],
  disable: [],
  enable: [],
  'revoke-token': ['label', 'token-id'],
};

/** Subcommands that name one account by its e-mail address, as their only positional argument. */
const BY_EMAIL = new Set(['disable', 'enable', 'revoke-token']);

/** Options of another subcommand are a mistake worth saying, not something to ignore. */
function onlyOptionsOf(action: string, values: CommandInput['values']): void {
  const allowed = OPTIONS_OF[action] ?? [];
  const stray = Object.keys(values).filter((key) => values[key] !== undefined && !allowed.includes(key));
  if (stray.length) throw new UsageError(`users ${action} does not take ${stray.map((s) => `--${s}`).join(', ')}.`);
}

function printToken(io: CommandInput['io'], token: string): void {
  io.out(`API token (shown once): ${token}`);
  io.out(`Use it as: Authorization: Bearer ${token}`);
}

async function add({ values, io, resources }: CommandInput): Promise<number> {
  const role = stringOption(values, 'role');
  const email = stringOption(values, 'email');
  if (!role || !email) throw new UsageError('--role and --email are required.');
  const parsedRole = Role.safeParse(role);
  if (!parsedRole.success) throw new UsageError(`Unknown role "${role}". Roles: ${Role.options.join(', ')}.`);
  if (parsedRole.data === 'employer') {
    throw new UsageError('Employer users belong to an employer: use "users invite-employer".');
  }
  const branch = stringOption(values, 'branch');
  if (branch !== undefined && !/^\d+$/.test(branch)) {
    throw new UsageError(`--branch must be a number, got "${branch}".`);
  }
  const core = await resources.core();
  const result = await addUser({
    ctx: core.ctx,
    input: {
      role: parsedRole.data,
      email,
      branchId: branch ? Number(branch) : null,
      displayName: stringOption(values, 'name'),
    },
  });
  io.out(`User created: ${email} (${role}${branch ? `, branch ${branch}` : ''})`);
  printToken(io, result.token);
  return 0;
}

async function inviteEmployer({ values, io, resources, operator }: CommandInput): Promise<number> {
  const employerId = stringOption(values, 'employer');
  const name = stringOption(values, 'employer-name');
  const plz = stringOption(values, 'plz');
  const email = stringOption(values, 'email');
  if (!email) throw new UsageError('--email is required.');
  if (employerId ? name !== undefined || plz !== undefined : name === undefined || plz === undefined) {
    throw new UsageError('Give either --employer <id>, or --employer-name <name> and --plz <postcode> for a new one.');
  }
  const { ctx } = await resources.core();
  const result = await inviteEmployerUser({
    ctx,
    actor: operatorActor(operator),
    input: {
      email,
      displayName: stringOption(values, 'name'),
      ...(employerId ? { employerId } : { employer: { name: name!, plz: plz! } }),
    },
  });
  io.out(
    `Employer user invited: ${email} (employer ${result.employerId}, ${
      result.branchId === null ? 'no branch serves its postcode yet' : `branch ${result.branchId}`
    })`,
  );
  io.out(
    `Invitation link for the pages (one use, expires ${result.invitation.expiresAt.toISOString()}): ${result.invitation.path}`,
  );
  printToken(io, result.token);
  return 0;
}

async function employerService({ values, io, resources, operator }: CommandInput): Promise<number> {
  const userId = stringOption(values, 'user');
  if (!userId || values.on === values.off) throw new UsageError('Give --user <id> and one of --on and --off.');
  const { ctx } = await resources.core();
  const result = await setEmployerService({
    ctx,
    actor: operatorActor(operator),
    input: { userId, employerService: values.on === true },
  });
  io.out(`User ${result.userId}: employer service ${result.employerService ? 'on' : 'off'}`);
  return 0;
}

/** Minutes are precise enough for an administrator, and UTC is what the server's logs use. */
const minute = (d: Date | null) => (d ? `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC` : 'never');

function userLines(u: UserInfo): string[] {
  const about = [
    u.role,
    ...(u.branchId === null ? [] : [`branch ${u.branchId}`]),
    ...(u.employer ? [`employer ${u.employer.name} (${u.employer.id})`] : []),
    ...(u.employerService ? ['employer service'] : []),
  ].join(', ');
  const state = u.disabledAt ? `disabled since ${minute(u.disabledAt)}` : 'active';
  const lines = [`${u.email}  ${about}  ${state}`];
  if (u.tokens.length === 0) lines.push('    no tokens');
  for (const t of u.tokens) {
    lines.push(
      `    token "${t.label}" (${t.id}): created ${minute(t.createdAt)}, last used ${minute(t.lastUsedAt)}` +
        (t.revokedAt ? `, revoked ${minute(t.revokedAt)}` : ''),
    );
  }
  return lines;
}

function userJson(u: UserInfo) {
  const iso = (d: Date | null) => d?.toISOString() ?? null;
  return {
    id: u.id,
    email: u.email,
    role: u.role,
    branch_id: u.branchId,
    employer: u.employer,
    employer_service: u.employerService,
    state: u.disabledAt ? 'disabled' : 'active',
    disabled_at: iso(u.disabledAt),
    created_at: u.createdAt.toISOString(),
    tokens: u.tokens.map((t) => ({
      id: t.id,
      label: t.label,
      state: t.revokedAt ? 'revoked' : 'active',
      created_at: t.createdAt.toISOString(),
      last_used_at: iso(t.lastUsedAt),
      revoked_at: iso(t.revokedAt),
    })),
  };
}

async function list({ values, io, resources, operator }: CommandInput): Promise<number> {
  const role = stringOption(values, 'role');
  const parsedRole = role === undefined ? undefined : Role.safeParse(role);
  if (parsedRole && !parsedRole.success) {
    throw new UsageError(`Unknown role "${role}". Roles: ${Role.options.join(', ')}.`);
  }
  const branch = stringOption(values, 'branch');
  if (branch !== undefined && !/^\d+$/.test(branch)) {
    throw new UsageError(`--branch must be a number, got "${branch}".`);
  }
  const { ctx } = await resources.core();
  const found = await listUsers({
    ctx,
    actor: operatorActor(operator),
    input: { role: parsedRole?.data, branch: branch === undefined ? undefined : Number(branch) },
  });
  if (values.json === true) {
    io.out(JSON.stringify(found.map(userJson), null, 2));
    return 0;
  }
  if (found.length === 0) io.out('No users match.');
  for (const user of found) for (const line of userLines(user)) io.out(line);
  return 0;
}

async function setDisabled(disabled: boolean, email: string, { io, resources, operator }: CommandInput) {
  const { ctx } = await resources.core();
  const actor = operatorActor(operator);
  if (disabled) {
    const result = await disableUser({ ctx, actor, email });
    io.out(
      result.changed
        ? `User ${email} disabled: tokens refused from now on, ${result.sessionsEnded} page session(s) ended.`
        : `User ${email} was disabled already${result.sessionsEnded ? `; ${result.sessionsEnded} page session(s) ended` : ''}.`,
    );
  } else {
    const result = await enableUser({ ctx, actor, email });
    io.out(
      result.changed ? `User ${email} enabled: tokens not revoked work again.` : `User ${email} was active already.`,
    );
  }
  return 0;
}

async function revoke(email: string, { values, io, resources, operator }: CommandInput): Promise<number> {
  const label = stringOption(values, 'label');
  const tokenId = stringOption(values, 'token-id');
  if ((label === undefined) === (tokenId === undefined)) throw new UsageError('Give one of --label and --token-id.');
  const { ctx } = await resources.core();
  const result = await revokeToken({ ctx, actor: operatorActor(operator), input: { email, label, tokenId } });
  io.out(`Token "${result.label}" (${result.tokenId}) of ${email} revoked; other tokens keep working.`);
  return 0;
}

export const usersCommand: Command = {
  ...usersUsage,
  async run(input) {
    const action = input.positionals[0] ?? '';
    if (!(action in OPTIONS_OF)) {
      throw new UsageError(
        'Expected "users add", "invite-employer", "employer-service", "list", "disable", "enable" or "revoke-token".',
      );
    }
    onlyOptionsOf(action, input.values);
    const [, email, ...extra] = input.positionals;
    if (BY_EMAIL.has(action)) {
      if (!email || extra.length > 0) throw new UsageError(`users ${action} takes exactly one EMAIL.`);
      if (action === 'revoke-token') return revoke(email, input);
      return setDisabled(action === 'disable', email, input);
    }
    if (email !== undefined) throw new UsageError(`users ${action} takes no argument "${email}".`);
    if (action === 'add') return add(input);
    if (action === 'invite-employer') return inviteEmployer(input);
    if (action === 'list') return list(input);
    return employerService(input);
  },
};

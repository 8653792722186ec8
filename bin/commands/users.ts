import { Role } from '../../src/domain/enums.ts';
import { setEmployerService } from '../../src/employers/assign-caseworker.ts';
import { inviteEmployerUser } from '../../src/employers/invite.ts';
import { addUser } from '../../src/users/add-user.ts';
import { type Command, type CommandInput, stringOption, UsageError } from './command.ts';
import { operatorActor } from './operator.ts';

const OPTIONS_OF: Record<string, readonly string[]> = {
  add: ['role', 'email', 'branch', 'name'],
  'invite-employer': ['employer', 'employer-name', 'plz', 'email', 'name'],
  'employer-service': ['user', 'on', 'off'],
};

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

export const usersCommand: Command = {
  name: 'users',
  summary: 'manage users: users add | invite-employer | employer-service',
  help: [
    'Usage: jobbruecke users <add | invite-employer | employer-service> …',
    '',
    '  jobbruecke users add --role <role> --email <email> [--branch <n>] [--name <display name>]',
    '  jobbruecke users invite-employer (--employer <id> | --employer-name <name> --plz <postcode>)',
    '                                   --email <email> [--name <display name>]',
    '  jobbruecke users employer-service --user <id> (--on | --off)',
    '',
    `Roles for add: ${Role.options.filter((r) => r !== 'employer').join(', ')}. Caseworkers and branch leads need`,
    '--branch (1–14). invite-employer creates an employer user for a known employer, or for a new one whose',
    'postcode decides the responsible branch (catchment). employer-service marks a caseworker as employer service',
    '(AG-pAp) of their branch: they receive its employer orders.',
    'add and invite-employer print a one-time API token, usable as "Authorization: Bearer <token>"; only its hash',
    'is stored. invite-employer and employer-service are written to the audit log with your login name.',
  ].join('\n'),
  options: {
    role: { type: 'string' },
    email: { type: 'string' },
    branch: { type: 'string' },
    name: { type: 'string' },
    employer: { type: 'string' },
    'employer-name': { type: 'string' },
    plz: { type: 'string' },
    user: { type: 'string' },
    on: { type: 'boolean' },
    off: { type: 'boolean' },
  },
  async run(input) {
    const action = input.positionals[0] ?? '';
    if (!(action in OPTIONS_OF)) {
      throw new UsageError('Expected "users add", "users invite-employer" or "users employer-service".');
    }
    onlyOptionsOf(action, input.values);
    if (action === 'add') return add(input);
    if (action === 'invite-employer') return inviteEmployer(input);
    return employerService(input);
  },
};

import { Role } from '../../src/domain/enums.ts';
import { addUser } from '../../src/users/add-user.ts';
import { type Command, stringOption, UsageError } from './command.ts';

export const usersCommand: Command = {
  name: 'users',
  summary: 'manage users: users add --role R [--branch N] --email E',
  help: [
    'Usage: jobbruecke users add --role <role> --email <email> [--branch <n>] [--name <display name>]',
    '',
    `Roles: ${Role.options.join(', ')}. Caseworkers and branch leads need --branch (1–14).`,
    'Prints a one-time API token, usable as "Authorization: Bearer <token>". It is stored only as a hash.',
  ].join('\n'),
  options: {
    role: { type: 'string' },
    email: { type: 'string' },
    branch: { type: 'string' },
    name: { type: 'string' },
  },
  async run({ values, positionals, io, resources }) {
    if (positionals[0] !== 'add') throw new UsageError('Expected "users add".');
    const role = stringOption(values, 'role');
    const email = stringOption(values, 'email');
    if (!role || !email) throw new UsageError('--role and --email are required.');
    const parsedRole = Role.safeParse(role);
    if (!parsedRole.success) throw new UsageError(`Unknown role "${role}". Roles: ${Role.options.join(', ')}.`);
    const branch = stringOption(values, 'branch');
    if (branch !== undefined && !/^\d+$/.test(branch))
      throw new UsageError(`--branch must be a number, got "${branch}".`);
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
    io.out(`API token (shown once): ${result.token}`);
    io.out(`Use it as: Authorization: Bearer ${result.token}`);
    return 0;
  },
};

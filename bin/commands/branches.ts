import { addBranch } from '../../src/branches/add-branch.ts';
import { listBranches } from '../../src/branches/list-branches.ts';
import { renameBranch } from '../../src/branches/rename-branch.ts';
import { branchesUsage } from './branches-usage.ts';
import { type Command, type CommandInput, stringOption, UsageError } from './command.ts';
import { operatorActor } from './operator.ts';

const OPTIONS_OF: Record<string, readonly string[]> = {
  list: ['json'],
  add: ['name', 'plz', 'id', 'catchment'],
  rename: ['name'],
};

/** Options of another subcommand are a mistake worth saying, not something to ignore. */
function onlyOptionsOf(action: string, values: CommandInput['values']): void {
  const allowed = OPTIONS_OF[action] ?? [];
  const stray = Object.keys(values).filter((key) => values[key] !== undefined && !allowed.includes(key));
  if (stray.length) throw new UsageError(`branches ${action} does not take ${stray.map((s) => `--${s}`).join(', ')}.`);
}

/** A branch number as typed: digits only, so "3a" or "-1" is named as the mistake it is. */
function branchNumber(value: string, what: string): number {
  if (!/^\d+$/.test(value)) throw new UsageError(`${what} must be a branch number, got "${value}".`);
  return Number(value);
}

async function list({ values, io, resources }: CommandInput): Promise<number> {
  const { ctx } = await resources.core();
  const found = await listBranches(ctx);
  if (values.json === true) {
    const json = found.map((b) => ({
      id: b.id,
      name: b.name,
      plz: b.plz,
      catchment_count: b.catchmentCount,
      active_users: b.activeUsers,
    }));
    io.out(JSON.stringify(json, null, 2));
    return 0;
  }
  if (found.length === 0)
    io.out('No branches yet: add one with "jobbruecke branches add --name <name> --plz <postcode>".');
  for (const b of found) {
    io.out(
      `${String(b.id).padStart(3)}  ${b.name}  (office ${b.plz}; serves ${b.catchmentCount} postcode(s); ` +
        `${b.activeUsers} active account(s))`,
    );
  }
  return 0;
}

async function add({ values, io, resources, operator }: CommandInput): Promise<number> {
  const name = stringOption(values, 'name');
  const plz = stringOption(values, 'plz');
  if (name === undefined || plz === undefined) throw new UsageError('--name and --plz are required.');
  const id = stringOption(values, 'id');
  const catchment = stringOption(values, 'catchment');
  const { ctx } = await resources.core();
  const result = await addBranch({
    ctx,
    actor: operatorActor(operator),
    input: {
      id: id === undefined ? undefined : branchNumber(id, '--id'),
      name,
      plz: plz.trim(),
      catchmentPlz: catchment
        ?.split(',')
        .map((p) => p.trim())
        .filter(Boolean),
    },
  });
  io.out(`Branch ${result.id} added: ${result.name} (office ${result.plz})`);
  if (result.catchmentPlz.length === 0) {
    io.out(`It serves no postcodes yet: jobbruecke catchment set --branch ${result.id} --plz <postcodes>`);
  } else {
    io.out(`It serves ${result.catchmentPlz.length} postcode(s): ${result.catchmentPlz.join(', ')}`);
  }
  for (const m of result.moved) io.out(`  ${m.plz} moved here from branch ${m.fromBranchId}`);
  return 0;
}

async function rename(idText: string, { values, io, resources, operator }: CommandInput): Promise<number> {
  const name = stringOption(values, 'name');
  if (name === undefined) throw new UsageError('--name is required.');
  const id = branchNumber(idText, 'branches rename');
  const { ctx } = await resources.core();
  const result = await renameBranch({ ctx, actor: operatorActor(operator), input: { id, name } });
  io.out(
    result.changed
      ? `Branch ${result.id} renamed: ${result.previousName} → ${result.name}`
      : `Branch ${result.id} is called ${result.name} already.`,
  );
  return 0;
}

export const branchesCommand: Command = {
  ...branchesUsage,
  async run(input) {
    const action = input.positionals[0] ?? '';
    if (!Object.hasOwn(OPTIONS_OF, action)) throw new UsageError('Expected "branches list", "add" or "rename".');
    onlyOptionsOf(action, input.values);
    const [, first, ...extra] = input.positionals;
    if (action === 'rename') {
      if (first === undefined || extra.length > 0)
        throw new UsageError('branches rename takes exactly one branch number.');
      return rename(first, input);
    }
    if (first !== undefined) throw new UsageError(`branches ${action} takes no argument "${first}".`);
    return action === 'add' ? add(input) : list(input);
  },
};

import { listCatchments, setCatchment } from '../../src/employers/catchment.ts';
import { type Command, stringOption, UsageError } from './command.ts';
import { operatorActor } from './operator.ts';

export const catchmentCommand: Command = {
  name: 'catchment',
  summary: 'which postcodes each branch serves for employers: list, set',
  help: [
    'Usage: jobbruecke catchment <list | set> …',
    '',
    '  jobbruecke catchment list',
    '  jobbruecke catchment set --branch <n> --plz 70173,70174',
    '',
    "An employer is served by the branch whose catchment holds the employer's postcode. Catchments do not overlap:",
    'set replaces the branch’s list, and postcodes listed for another branch move to this one (the answer names',
    'them). --plz "" empties the list. Changes are written to the audit log with your login name.',
  ].join('\n'),
  options: {
    branch: { type: 'string' },
    plz: { type: 'string' },
  },
  async run({ values, positionals, io, resources, operator }) {
    const [action] = positionals;
    if (action === 'list') {
      if (values.branch !== undefined || values.plz !== undefined) {
        throw new UsageError('catchment list takes no options.');
      }
      const { ctx } = await resources.core();
      for (const b of await listCatchments(ctx)) {
        io.out(`${String(b.id).padStart(3)}  ${b.name}: ${b.plz.length ? b.plz.join(', ') : '(none)'}`);
      }
      return 0;
    }
    if (action === 'set') {
      const branch = stringOption(values, 'branch');
      const plz = stringOption(values, 'plz');
      if (branch === undefined || plz === undefined) throw new UsageError('--branch and --plz are required.');
      if (!/^\d+$/.test(branch)) throw new UsageError(`--branch must be a number, got "${branch}".`);
      const { ctx } = await resources.core();
      const result = await setCatchment({
        ctx,
        actor: operatorActor(operator),
        input: {
          branchId: Number(branch),
          plz: plz
            .split(',')
            .map((p) => p.trim())
            .filter(Boolean),
        },
      });
      io.out(`Branch ${result.branchId} serves ${result.plz.length} postcode(s): ${result.plz.join(', ') || '(none)'}`);
      for (const m of result.moved) io.out(`  ${m.plz} moved here from branch ${m.fromBranchId}`);
      return 0;
    }
    throw new UsageError('Expected "catchment list" or "catchment set --branch <n> --plz <list>".');
  },
};

import { listCatchments, setCatchment } from '../../src/employers/catchment.ts';
import { type Command, stringOption, UsageError } from './command.ts';
import { operatorActor } from './operator.ts';
import { catchmentUsage } from './usage.ts';

export const catchmentCommand: Command = {
  ...catchmentUsage,
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

import { setEmployerContact } from '../../src/employers/assign-caseworker.ts';
import { type Command, stringOption, UsageError } from './command.ts';
import { operatorActor } from './operator.ts';
import { employersUsage } from './usage.ts';

export const employersCommand: Command = {
  ...employersUsage,
  async run({ values, positionals, io, resources, operator }) {
    if (positionals[0] !== 'contact') throw new UsageError('Expected "employers contact".');
    const employerId = stringOption(values, 'employer');
    const caseworker = stringOption(values, 'caseworker');
    if (!employerId || !caseworker) throw new UsageError('--employer and --caseworker are required.');
    const { ctx } = await resources.core();
    const result = await setEmployerContact({
      ctx,
      actor: operatorActor(operator),
      input: { employerId, caseworkerId: caseworker === 'none' ? null : caseworker },
    });
    io.out(
      result.caseworkerId
        ? `Employer ${result.employerId}: contact is caseworker ${result.caseworkerId}`
        : `Employer ${result.employerId}: no named contact; orders go round robin`,
    );
    return 0;
  },
};

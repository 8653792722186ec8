import { setEmployerContact } from '../../src/employers/assign-caseworker.ts';
import { type Command, stringOption, UsageError } from './command.ts';
import { operatorActor } from './operator.ts';

export const employersCommand: Command = {
  name: 'employers',
  summary: "an employer's named contact in the employer service: employers contact",
  help: [
    'Usage: jobbruecke employers contact --employer <id> --caseworker <user id | none>',
    '',
    "Names the employer's contact in the employer service (AG-pAp): their orders go to this caseworker while they",
    'serve the responsible branch, before any round robin. The caseworker must be marked as employer service of',
    'that branch (jobbruecke users employer-service). "none" clears the contact. Written to the audit log with your',
    'login name.',
  ].join('\n'),
  options: {
    employer: { type: 'string' },
    caseworker: { type: 'string' },
  },
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

import type { Accounts } from './accounts-module.js';

export const VERIFICATION_USAGE = `  user pending                  list identity verifications waiting for review
  user verify ID pass|reject [NOTE]  decide one (the user is notified when online)`;

/** `locker-cloud user ...`: the operator's CLI twin of /v1/admin/verifications. */
export async function runUserCommand(
  accounts: Accounts,
  sub: string | undefined,
  args: string[],
): Promise<number> {
  if (sub === 'pending') {
    const cases = await accounts.verification.list('pending');
    console.log(JSON.stringify(cases, null, 2));
    return 0;
  }
  const [userId, decision, ...note] = args;
  if (sub === 'verify' && userId && (decision === 'pass' || decision === 'reject')) {
    const state = await accounts.verification.decide(
      userId,
      decision,
      note.length ? note.join(' ') : undefined,
    );
    console.log(JSON.stringify({ userId, ...state }, null, 2));
    return 0;
  }
  return 2;
}

import { type AccountsContext, verifyAccount } from '../accounts/accounts.service.js';
import { shanghaiDay } from '../calendar/working-days.js';
import { errorMessage } from '../errors.js';
import { type AlertsContext, raiseAlert } from './alerts.service.js';

/**
 * The daily look at every account's credentials, before a publish fails: an account whose token is
 * refused, whose server IP is off the whitelist, or whose Weibo grant ends within 3 days raises a
 * "credentials need attention" alert (once per account and day). Verification also moves a refused
 * account to `needs_reauth` (accounts.service).
 */
export async function checkAllCredentials(
  accounts: AccountsContext,
  alerts: AlertsContext,
  now = new Date(),
): Promise<{ checked: number; attention: number; errors: number }> {
  const rows = await accounts.db
    .selectFrom('accounts')
    .select(['id', 'name', 'organisation_id'])
    .where('status', '!=', 'disabled')
    .execute();
  let attention = 0;
  let errors = 0;
  for (const a of rows) {
    let problems: string[] = [];
    try {
      const { check } = await verifyAccount(accounts, null, a.id);
      problems = check.problems.filter((p) => p.kind !== 'transient').map((p) => p.editorMessage);
    } catch (err) {
      // No credentials yet, or the platform did not answer: say so once a day, do not stop the run.
      errors++;
      problems = [`无法检查该账号的授权：${errorMessage(err)}`];
    }
    if (problems.length === 0) continue;
    attention++;
    await raiseAlert(alerts, {
      organisationId: a.organisation_id,
      kind: 'credentials_attention',
      title: a.name,
      detail: problems.join('；'),
      accountId: a.id,
      dedupeKey: `credentials-${a.id}-${shanghaiDay(now)}`,
    });
  }
  return { checked: rows.length, attention, errors };
}

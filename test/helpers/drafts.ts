/**
 * 甘州区's 2024 drafts of issue 21, made from its 2023 file: the officer's half-updated copy (only the
 * standard, the subsidy and the cover dates changed) and the same year fully moved on. No 2024 notice of
 * 甘州 is among the seeds: the notice number and dates of the fixed draft are made up for the tests.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const GANZHOU = '620702';

export function ganzhou2023(): string {
  return readFileSync(join(__dirname, '..', '..', 'tenants', GANZHOU, '2023.yaml'), 'utf8');
}

/** As the issue tried it: 2023 copied to 2024, changing only the standard (350→380), the subsidy (610→640) and the cover dates. */
export function halfUpdated2024(): string {
  return ganzhou2023()
    .replace('coverageYear: 2023', 'coverageYear: 2024')
    .replace('amount: "350.00"', 'amount: "380.00"')
    .replace('amount: "610.00"', 'amount: "640.00"')
    .replace('start: { date: 2023-01-01', 'start: { date: 2024-01-01')
    .replace('end: { date: 2023-12-31', 'end: { date: 2024-12-31');
}

/** Every year moved on by one (not the years of other documents it cites, 〔2021〕), a new notice number, 380 and 640. */
export function fixed2024(): string {
  return ganzhou2023()
    .replaceAll('区医保发〔2022〕69号', '区医保发〔2023〕70号')
    .replace(/(?<![〔\d])(202[0-3])(?![〕\d])/g, (year) => String(Number(year) + 1))
    .replace('amount: "350.00"', 'amount: "380.00"')
    .replace('每人 350 元', '每人 380 元')
    .replace('amount: "610.00"', 'amount: "640.00"')
    .replace(/610 (元|yuan)/g, '640 $1');
}

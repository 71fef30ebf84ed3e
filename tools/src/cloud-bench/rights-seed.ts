import { randomBytes } from 'node:crypto';
import type { CloudServer } from '@locker/cloud';

const SIZES = ['small', 'medium', 'large', 'xlarge'] as const;

/**
 * Fills a bench cloud with `sites` x `boxesPerSite` boxes (a fifth of them holding a parcel) and
 * `parcels` parcel steps on the timeline, in large transactions (seeding is not what is measured).
 */
export async function seedRights(
  cloud: CloudServer,
  opts: { sites: number; boxesPerSite: number; parcels: number },
): Promise<string[]> {
  const now = new Date().toISOString();
  const siteNos: string[] = [];
  for (let s = 0; s < opts.sites; s++) {
    const siteNo = `B${String(s).padStart(5, '0')}`;
    siteNos.push(siteNo);
    const boxes = Array.from({ length: opts.boxesPerSite }, (_, i) => String(i + 1).padStart(3, '0'));
    await cloud.cabinets.create(siteNo, `Bench ${siteNo}`, boxes);
    await cloud.rightsRecords.sites.putSite({ siteNo, name: `Bench site ${siteNo}` });
    await cloud.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('site_boxes')
        .values(
          boxes.map((boxNo, i) => ({
            site_no: siteNo,
            box_no: boxNo,
            size: SIZES[i % SIZES.length] as string,
            status: i % 5 === 4 ? ('occupied' as const) : ('free' as const),
            holder_id: null,
            depositor: i % 5 === 4 ? 'C-bench' : null,
            parcel_no: i % 5 === 4 ? `P${siteNo}${boxNo}` : null,
            updated_at: now,
          })),
        )
        .execute();
    });
  }
  const chunk = 500;
  for (let done = 0; done < opts.parcels; done += chunk) {
    await cloud.db.transaction().execute(async (trx) => {
      const rows = Array.from({ length: Math.min(chunk, opts.parcels - done) }, (_, i) => {
        const n = done + i;
        const siteNo = siteNos[n % siteNos.length] as string;
        const boxNo = String((n % opts.boxesPerSite) + 1).padStart(3, '0');
        return {
          id: `T${String(n).padStart(12, '0')}${randomBytes(4).toString('hex')}`,
          at: now,
          subject_kind: 'parcel' as const,
          subject_id: `P${n}`,
          site_no: siteNo,
          box_no: boxNo,
          event: n % 2 === 0 ? 'deposited' : 'picked_up',
          actor: null,
          holder_id: null,
          grantee_id: null,
          detail: null,
        };
      });
      await trx.insertInto('timeline_entries').values(rows).execute();
    });
  }
  return siteNos;
}

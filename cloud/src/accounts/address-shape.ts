import type { AddressFields, DeliveryAddress } from './address-repository.js';

/** The short field names both APIs use for structured addresses (Dingo A.13-A.18). */
export interface ShortAddress {
  addr: string;
  zip: string;
  p?: string | undefined;
  c?: string | undefined;
  d?: string | undefined;
  b?: string | undefined;
  v?: string | undefined;
}

export const fromShort = (a: ShortAddress): AddressFields => ({
  addr: a.addr,
  zip: a.zip,
  province: a.p ?? null,
  city: a.c ?? null,
  district: a.d ?? null,
  township: a.b ?? null,
  village: a.v ?? null,
});

export const toShort = (a: DeliveryAddress) => ({
  id: a.id,
  addr: a.addr,
  zip: a.zip,
  p: a.province,
  c: a.city,
  d: a.district,
  b: a.township,
  v: a.village,
  updatedAt: a.updatedAt,
});

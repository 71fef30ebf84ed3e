import type { AddressFields, AddressRepository, DeliveryAddress } from './address-repository.js';
import { newAddressId } from './ids.js';

/** A user's delivery addresses (Dingo §1.10/1.11): add, change, delete, list — own ones only. */
export class AddressBook {
  constructor(private readonly addresses: AddressRepository) {}

  async add(userId: string, fields: AddressFields): Promise<string> {
    const id = newAddressId(userId, fields.addr);
    await this.addresses.add(userId, id, fields);
    return id;
  }

  async change(userId: string, id: string, fields: AddressFields): Promise<string> {
    await this.addresses.change(userId, id, fields);
    return id;
  }

  async remove(userId: string, id: string): Promise<string> {
    await this.addresses.remove(userId, id);
    return id;
  }

  list(userId: string): Promise<DeliveryAddress[]> {
    return this.addresses.list(userId);
  }
}

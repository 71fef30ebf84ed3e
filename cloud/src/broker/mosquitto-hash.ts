import { pbkdf2, randomBytes } from 'node:crypto';

/**
 * Mosquitto's password-file hash (`$7$iterations$salt$hash`, PBKDF2-HMAC-SHA512), as
 * `mosquitto_passwd` writes it. Broker secrets are random 192-bit strings, so the iteration count
 * guards nothing that entropy does not already; it is kept moderate because Mosquitto pays it on
 * every connect.
 */
const ITERATIONS = 1000;

export function mosquittoHash(password: string): Promise<string> {
  const salt = randomBytes(12);
  return new Promise((resolve, reject) => {
    pbkdf2(password, salt, ITERATIONS, 64, 'sha512', (err, key) => {
      if (err) reject(err);
      else resolve(`$7$${ITERATIONS}$${salt.toString('base64')}$${key.toString('base64')}`);
    });
  });
}

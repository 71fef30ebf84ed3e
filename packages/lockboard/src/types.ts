export interface LockAddress {
  board: number;
  lock: number;
}

export interface LockReading {
  board: number;
  lock: number;
  door: 'open' | 'closed';
  /** null when the board family has no occupancy sensor. */
  occupied: boolean | null;
}

export interface UnlockResult {
  board: number;
  lock: number;
  /** The sensor showed the door open after the command. False is not an error here: the caller decides. */
  confirmed: boolean;
  door: 'open' | 'closed' | 'unknown';
}

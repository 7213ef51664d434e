import type { Generated } from 'kysely';

/** Encrypted secrets owned by another row; `ciphertext` is an envelope naming its key id. */
export interface SecretsTable {
  id: Generated<string>;
  owner_type: string;
  owner_id: string;
  name: string;
  ciphertext: string;
  key_id: string;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

import { type Kysely, sql } from 'kysely';

// Frozen: once shipped, never edit this file; add a new migration instead.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('audit_log').addColumn('actor_role', 'text').execute();

  // The canonical text of a row: one JSON array of the previous hash and every content column. The time
  // is epoch microseconds and the address keeps its mask (inet output, not host()), so the text depends
  // on nothing but the row: not on the session's TimeZone or DateStyle, nor on the engine (PGlite).
  await sql`
    create function audit_row_digest(prev text, r audit_log) returns text language sql immutable as $$
      select encode(sha256(convert_to(jsonb_build_array(
        prev, (extract(epoch from r.occurred_at) * 1000000)::bigint, r.actor_kind, r.actor_user_id,
        r.actor_role, r.action, r.target_type, r.target_id, r.organisation_id, r.ip, r.request_id,
        r.outcome, r.details
      )::text, 'UTF8')), 'hex')
    $$`.execute(db);

  // Every insert is chained to the row before it, by the database, whoever writes: concurrent writers
  // queue on a transaction-level advisory lock, so the chain has no forks. The id is drawn again after
  // the lock, so id order is chain order (the default was drawn before the writers queued). A writer
  // whose snapshot predates the lock (REPEATABLE READ, SERIALIZABLE) would not see the row committed
  // just before it and would fork the chain, so it is refused.
  await sql`
    create function audit_log_chain() returns trigger language plpgsql as $$
    declare last_hash text;
    begin
      if current_setting('transaction_isolation') <> 'read committed' then
        raise exception 'audit_log rows must be written in a READ COMMITTED transaction (the chain needs the latest row)'
          using errcode = 'invalid_transaction_state';
      end if;
      perform pg_advisory_xact_lock(7468327001);
      new.id := nextval(pg_get_serial_sequence('audit_log', 'id'));
      select hash into last_hash from audit_log order by id desc limit 1;
      new.prev_hash := last_hash;
      new.hash := audit_row_digest(last_hash, new);
      return new;
    end;
    $$`.execute(db);
  await sql`
    create trigger audit_log_chain before insert on audit_log
    for each row execute function audit_log_chain()`.execute(db);

  // Append-only, except the retention purge: a DELETE passes only inside a transaction that set
  // yunying.audit_retention_days (never below 180) and only for rows older than that.
  await sql`
    create or replace function audit_log_append_only() returns trigger language plpgsql as $$
    declare days integer;
    begin
      if tg_op = 'DELETE' then
        days := nullif(current_setting('yunying.audit_retention_days', true), '')::integer;
        if days is not null and days >= 180 and old.occurred_at < now() - make_interval(days => days) then
          return old;
        end if;
      end if;
      raise exception 'audit_log is append-only (% refused)', tg_op using errcode = 'insufficient_privilege';
    end;
    $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    create or replace function audit_log_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'audit_log is append-only (% refused)', tg_op using errcode = 'insufficient_privilege';
    end;
    $$`.execute(db);
  await sql`drop trigger audit_log_chain on audit_log`.execute(db);
  await sql`drop function audit_log_chain()`.execute(db);
  await sql`drop function audit_row_digest(text, audit_log)`.execute(db);
  await db.schema.alterTable('audit_log').dropColumn('actor_role').execute();
}

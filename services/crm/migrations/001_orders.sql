-- Orders as the CRM accepted them, in one internal shape whatever API version they came through.
create table orders (
  id uuid primary key,
  customer_id text not null,
  segment text not null check (segment in ('b2c', 'b2b')),
  currency text not null,
  lines jsonb not null,
  channel text not null,
  api_version text not null,
  correlation_id text not null,
  created_at timestamptz not null default now()
);
create index orders_channel_created on orders (channel, created_at desc);

-- A retried request with the same Idempotency-Key gets the first answer and creates nothing.
create table idempotency_keys (
  channel text not null,
  key text not null,
  request_hash text not null,
  order_id uuid not null references orders (id) deferrable initially deferred,
  created_at timestamptz not null default now(),
  primary key (channel, key)
);

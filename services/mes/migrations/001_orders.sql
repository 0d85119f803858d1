-- Orders as MES schedules them, with the time of each state. created_at is when the CRM accepted the
-- order; the list and the dashboard sort on it, so every filter has an index ending in (created_at, id).
create table orders (
  id uuid primary key,
  customer_id text not null,
  segment text not null check (segment in ('b2c', 'b2b')),
  currency text not null,
  lines jsonb not null,
  channel text not null,
  correlation_id text,
  status text not null default 'received' check (status in ('received', 'pricing', 'priced', 'pricing_failed')),
  total_cents bigint,
  failure_reason text,
  priced_by text,
  created_at timestamptz not null,
  received_at timestamptz not null default now(),
  pricing_requested_at timestamptz,
  priced_at timestamptz
);
create index orders_by_created on orders (created_at desc, id desc);
create index orders_by_status on orders (status, created_at desc, id desc);
create index orders_by_segment on orders (segment, created_at desc, id desc);
create index orders_by_customer on orders (customer_id, created_at desc, id desc);
create index orders_by_priced_at on orders (priced_at) where priced_at is not null;

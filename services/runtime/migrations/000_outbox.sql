-- Transactional outbox shared by every service that publishes: rows are written with the change they
-- announce and published by the relay, which sets sent_at after the broker confirmed them.
create table outbox (
  id bigserial primary key,
  exchange text not null,
  routing_key text not null,
  message_id text not null,
  payload jsonb not null,
  options jsonb not null,
  created_at timestamptz not null default now(),
  sent_at timestamptz
);
create index outbox_pending on outbox (id) where sent_at is null;

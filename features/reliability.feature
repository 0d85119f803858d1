@critical
Feature: Reliability: nothing is lost and nothing is duplicated when parts of the pipeline fail
  The @destructive scenarios break a component on purpose (@breaks-<component> says which)
  and put it back afterwards; they run alone, no other scenario beside one of them.
  Those that crash or restart a producer or the broker are tagged @expects-duplicates: delivery is
  at least once, so a producer may publish a message again; the consumer applies it once, and that
  is what the scenario checks.

  @destructive @breaks-rabbitmq @expects-duplicates
  Scenario: Orders accepted while the broker is down arrive after it is back
    When RabbitMQ is stopped
    And 3 B2C customers each order 1 x LAMP
    And RabbitMQ is started again
    Then MES shows every order as priced within 60 seconds
    And MES holds each order exactly once
    And the outboxes of the CRM and MES are empty within 15 seconds

  @destructive @breaks-rabbitmq @expects-duplicates
  Scenario: A broker restart in the middle of the flow loses nothing
    When 3 B2B customers each order 2 x CHAIR-PINE
    And RabbitMQ restarts
    And 3 B2C customers each order 1 x LAMP
    Then MES shows every order as priced within 60 seconds
    And MES holds each order exactly once

  # Killed, not stopped: no chance to flush anything. Pricing is stopped first so that pricing
  # requests wait in their queue when the broker dies: only messages the broker kept on disk survive.
  @destructive @breaks-rabbitmq @breaks-pricing @expects-duplicates @broker-killed
  Scenario: The broker killed outright in the middle of a burst loses and duplicates nothing
    When pricing is stopped
    And orders start arriving at 20 per second for 3 seconds, mixed as:
      | segment | share | sku  | quantity |
      | B2B     | 1     | LAMP | 1        |
      | B2C     | 1     | LAMP | 1        |
    And RabbitMQ is killed once MES holds 10 of the orders
    And RabbitMQ is started again
    And pricing is started again
    Then every order that arrived was accepted
    And MES shows every order as priced within 60 seconds
    And MES holds each order exactly once
    And MES's database holds each order exactly once
    And the outboxes of the CRM and MES are empty within 30 seconds

  @destructive @breaks-mes @expects-duplicates
  Scenario: MES killed while it consumes loses and duplicates nothing
    When 5 B2C customers each order 1 x LAMP
    And MES is killed
    And 5 B2B customers each order 1 x LAMP
    And MES is started again
    Then MES shows every order as priced within 60 seconds
    And MES holds each order exactly once
    And MES's database holds each order exactly once

  @destructive @breaks-postgres @breaks-mes @expects-duplicates
  Scenario: Orders MES takes while the database is down are recorded once it is back
    When MES is paused
    And 3 B2C customers each order 1 x LAMP
    # The CRM has published them (its outbox is empty) before the database goes: MES takes them while it is down.
    And the outboxes of the CRM and MES are empty within 30 seconds
    And PostgreSQL is stopped
    And MES is unpaused
    And PostgreSQL is started again
    Then MES shows every order as priced within 60 seconds
    And MES holds each order exactly once

  @destructive @breaks-pricing
  Scenario: Orders wait for pricing while it is down and are priced when it is back
    When pricing is killed
    And 3 B2C customers each order 1 x DESK-PINE
    Then MES shows the order as pricing within 15 seconds
    When pricing is started again
    Then MES shows every order as priced within 60 seconds

  Scenario: A duplicated order.created changes nothing
    When a B2C customer orders 2 x LAMP
    And MES shows the order as priced within 15 seconds
    And the order's order.created message is delivered again
    Then MES ignores the duplicate within 15 seconds
    And MES holds each order exactly once

  Scenario: A poison message goes to the dead-letter queue and the flow goes on
    When a poison message is published as "order.created.b2c"
    Then the poison message is dead-lettered to "mes.orders.dead" with a reason within 15 seconds
    When a B2C customer orders 1 x LAMP
    Then MES shows the order as priced within 15 seconds

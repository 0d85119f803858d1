@perf
Feature: Performance under load
  The pipeline keeps its promises under load: shop customers (B2C) are priced fast even while a
  burst of business orders (B2B) waits. The figures go into the messages; the gate's budgets
  (policy.budgets in the configuration) decide whether they are good enough to promote.

  Scenario: B2C orders stay fast while a B2B burst waits for pricing
    When a burst of 40 orders arrives, 10 of them B2C, each 1 x LAMP
    Then MES shows every order as priced within 120 seconds
    And the created-to-priced times of the orders are recorded per segment

  Scenario: Under a sustained mix beyond pricing's capacity, B2C orders overtake the B2B orders that wait
    When orders arrive at 40 per second for 3 seconds, mixed as:
      | segment | share | sku  | quantity |
      | B2B     | 3     | LAMP | 1        |
      | B2C     | 1     | LAMP | 1        |
    Then MES shows every order as priced within 120 seconds
    And the created-to-priced times of the orders are recorded per segment
    And the pipeline's throughput is recorded
    And B2C orders were priced faster than B2B orders at the 95th percentile

  # Pricing's work is wall-clock time, so instances add capacity even on a small machine, until
  # MES (one consumer writing to its database) or the broker is what the orders wait for.
  @destructive @breaks-pricing
  Scenario: Throughput grows with pricing instances until another part of the pipeline bounds it
    When a burst of 60 B2B orders is priced, its throughput measured as "one instance"
    And a second pricing instance is started
    And a burst of 60 B2B orders is priced, its throughput measured as "two instances"
    And pricing runs 4 instances
    And a burst of 120 B2B orders is priced, its throughput measured as "four instances"
    And pricing runs 8 instances
    And a burst of 160 B2B orders is priced, its throughput measured as "eight instances"
    Then the throughput "two instances" is at least 1.3 times the throughput "one instance"
    And pricing has 8 consumers within 10 seconds
    And where the pipeline's throughput stops growing is reported

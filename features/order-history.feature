@alone
Feature: MES at the seed's scale: the order list stays fast with 100 000 orders
  The manufacturer's MES holds about 100 000 orders. Its order list answers the first page of every
  filter quickly, from an index: a dropped or unused index shows in the database's own statistics
  (read through the read-only probe) as a sequential scan, before it shows as a slow answer.
  Alone: another scenario reading MES's orders would be counted in the same statistics.

  Scenario: Every filter of the MES order list answers from an index with 100 000 orders
    Given MES's order history holds 100000 orders
    When the MES order list is read 10 times with each of these filters:
      | status         | segment | customer            |
      |                |         |                     |
      | priced         |         |                     |
      | pricing_failed | b2b     |                     |
      |                | b2c     |                     |
      |                |         | history-customer-42 |
    Then the database read MES's orders through an index for every filter, never by a sequential scan
    And each filter's first page answered with a p95 under 500 ms

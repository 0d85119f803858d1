@critical @destructive @breaks-pricing
Feature: Asynchronous pricing: MES never waits for a price
  MES records an order as soon as it arrives and asks for its price on the side; its order
  list stays fast however much pricing work is waiting.

  Scenario: MES records an order before its price exists
    When pricing is paused
    And a B2C customer orders 1 x SHELF-OAK
    Then MES shows the order as pricing within 15 seconds
    When pricing is unpaused
    Then MES shows the order as priced within 30 seconds

  Scenario: The MES order list answers quickly while pricing work piles up
    When pricing is paused
    And 20 B2B customers each order 1 x CABINET-STEEL
    Then MES shows the order as pricing within 15 seconds
    And the MES order list answers 20 times with a p95 under 500 ms

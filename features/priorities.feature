@destructive @breaks-pricing
Feature: Priorities: consumers are priced ahead of a business backlog
  Pricing serves B2C orders first, so a shop customer never waits behind a large B2B import.

  Scenario: With a backlog of B2B pricing work queued, a new B2C order is priced ahead of it
    When pricing is paused
    And 10 B2B customers each order 5 x DESK-OAK
    And a B2C customer orders 1 x LAMP
    And MES shows the order as pricing within 15 seconds
    And pricing is unpaused
    Then MES shows every order as priced within 60 seconds
    And the last B2C order is priced before at least 8 of the B2B orders

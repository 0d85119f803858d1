@smoke @critical
Feature: Order flow from the CRM through RabbitMQ to MES and pricing
  An order accepted by the CRM reaches MES over the bus, gets priced asynchronously,
  and MES shows the price. Nothing is lost and nothing is duplicated on the way.

  Scenario: A B2C order placed through API v2 is priced with the right total
    When a B2C customer places an order through API v2 in EUR:
      | sku       | quantity |
      | CHAIR-OAK | 2        |
      | LAMP      | 1        |
    Then the CRM accepts the order
    And MES shows the order as priced within 15 seconds
    And the order's total is 292.50 EUR
    And every hop of the order is seen on the bus exactly once

  Scenario: A B2B order placed through API v1 gets the business discount
    When a B2B customer places an order through API v1:
      | sku      | quantity |
      | DESK-OAK | 10       |
    Then the CRM accepts the order
    And MES shows the order as priced within 15 seconds
    And the order's total is 4275.00 EUR
    And every hop of the order is seen on the bus exactly once

  Scenario: An order in another currency is priced at the fixed rate
    When a B2C customer places an order through API v2 in PLN:
      | sku  | quantity |
      | LAMP | 2        |
    Then the CRM accepts the order
    And MES shows the order as priced within 15 seconds
    And the order's total is 296.70 PLN

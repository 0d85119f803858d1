@critical
Feature: Pricing rules: every order gets the catalogue's price, or fails visibly
  Pricing applies the catalogue's rule: each unit price is converted at the fixed rate, the business
  discount is taken off, and only then is it rounded to the cent; a line is its units times that
  price. An order pricing cannot price ends failed in MES, with the reason: it never stays in progress.

  @unpriceable
  Scenario: An order for a product pricing does not know ends failed, with the reason
    When a B2C customer places an order through API v2 in EUR:
      | sku         | quantity |
      | LAMP        | 1        |
      | TABLE-GLASS | 1        |
    Then the CRM accepts the order
    And MES shows the order as pricing failed within 15 seconds
    And the order's failure reason is "unknown SKU(s): TABLE-GLASS"

  @rounding
  Scenario Outline: Prices are rounded per unit to the cent, after the rate and the discount (<segment>, <currency>)
    When a <segment> customer places an order through API v2 in <currency>:
      | sku   | quantity   |
      | <sku> | <quantity> |
    Then the CRM accepts the order
    And MES shows the order as priced within 15 seconds
    And the order's total is <total> <currency>

    # Each exact unit price has a fraction of a cent (3277.5, 9131.4, 36356.5 cents): rounding the
    # total once instead of each unit would be a cent off.
    Examples: business prices, discounted
      | segment | currency | sku        | quantity | total   |
      | B2B     | EUR      | LAMP       | 3        | 98.34   |
      | B2B     | USD      | CHAIR-PINE | 3        | 273.93  |
      | B2B     | PLN      | CHAIR-PINE | 3        | 1090.71 |

    Examples: consumer prices, at the rate
      | segment | currency | sku  | quantity | total  |
      | B2C     | EUR      | LAMP | 3        | 103.50 |
      | B2C     | USD      | LAMP | 3        | 111.78 |
      | B2C     | PLN      | LAMP | 3        | 445.05 |

@critical
Feature: The CRM's API for third parties
  Partners call the CRM with their own API keys. Each key has its own rate limit, old API
  versions announce their end, and a bad request is refused with a reason and never
  reaches the pipeline.

  @rate-limit
  Scenario: A partner that exceeds its rate limit is told to retry later, other partners are not affected
    When the partner "partner-acme" places orders until the CRM refuses one
    Then the last answer is 429 with a Retry-After header
    And every answer before it was 201
    And the partner "partner-globex" can still place an order

  @idempotency
  Scenario: A client retrying with the same Idempotency-Key gets the first answer and creates one order
    When a B2B customer places an order through API v2 with an Idempotency-Key:
      | sku      | quantity |
      | DESK-OAK | 1        |
    And the client sends the same order again with the same Idempotency-Key
    Then the CRM answers the retry with the first order
    And MES shows every order as priced within 15 seconds
    And MES holds each order exactly once
    When the client sends a different order with the same Idempotency-Key
    Then the CRM answers 422
    And the answer's error is "idempotency_key_reused"

  Scenario: API v1 still works and announces its deprecation
    When a B2B customer places an order through API v1:
      | sku  | quantity |
      | LAMP | 1        |
    Then the CRM answers 201
    And the answer carries the header "deprecation"
    And the answer carries the header "sunset"

  Scenario: API v2 carries no deprecation
    When a B2C customer places an order through API v2 in USD:
      | sku  | quantity |
      | LAMP | 1        |
    Then the CRM answers 201
    And the answer does not carry the header "deprecation"

  Scenario: An unknown API version is refused with the versions that exist
    When a B2C customer sends an order to API version "v9"
    Then the CRM answers 404
    And the answer's error is "unknown_api_version"
    And the answer lists the supported versions "v1, v2"

  Scenario: An order with invalid fields is refused with every problem, and nothing is published
    When a B2C customer sends an order with quantity 0 of "lamp"
    Then the CRM answers 400
    And the answer's error is "validation_failed"
    And the answer names the field "body.lines.0.quantity"
    And the answer names the field "body.lines.0.sku"
    And nothing was published for the refused order

  Scenario Outline: A request without a valid API key is refused
    When an order is sent with <credentials>
    Then the CRM answers 401
    And the answer's error is "<error>"

    Examples:
      | credentials        | error           |
      | no API key         | missing_api_key |
      | an unknown API key | unknown_api_key |

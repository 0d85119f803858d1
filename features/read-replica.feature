@needs-postgres-replica
Feature: Read replica: MES reads from its database's streaming replica
  MES writes to its database and reads its order list, its orders and its analytics from a hot
  standby that streams from it (seed initiative 2). The primary's writes must not hold the list up,
  the replica must keep up with them, and when the replica goes MES answers from the primary and its
  analytics panel says so. Runs where the database has a replica (the containers profile; elsewhere
  the run leaves these scenarios out and says why).

  Scenario: The order list keeps answering from the replica while the primary takes a write burst
    Given MES reads from the PostgreSQL replica within 10 seconds
    When the MES order list and the replica are watched
    And a burst of 30 orders arrives, 10 of them B2C, each 1 x LAMP
    Then MES shows every order as priced within 60 seconds
    And the MES order list answered from the replica throughout, and the replica's lag stayed under 1000 ms
    And MES holds each order exactly once

  @destructive @breaks-postgres-replica @ui
  Scenario: A replica that stops leaves MES answering from the primary, and the panel says so
    Given MES reads from the PostgreSQL replica within 10 seconds
    And the MES dashboard is open
    When PostgreSQL replica is stopped
    Then the MES order list answers from the primary within 5 seconds
    When a B2C customer orders 1 x LAMP
    Then MES shows the order as priced within 15 seconds
    And MES holds each order exactly once
    And the analytics panel says the replica is down, reading from the primary, within 10 seconds
    When PostgreSQL replica is started again
    Then MES reads from the PostgreSQL replica within 15 seconds

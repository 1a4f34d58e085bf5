@graph
Feature: Automating the tutorial with Microsoft Graph
  The tutorial's steps as a script takes them: through Microsoft Graph, as the Entra admin
  center itself does. Add LinkedIn Elevate from the gallery, assign users with the User
  role, set Provisioning Mode to Automatic, Test Connection, save the Admin Credentials and
  the Notification Email, set Provisioning Status to On, then read the job's status and the
  provisioning logs. Every Graph response is checked against the schema written from its
  reference page.

  Background:
    Given the admin adds "LinkedIn Elevate" from the gallery through Graph
    And the admin creates the users "Britta Simon" and "Kai Li" through Graph
    And the admin assigns the user "Britta Simon" with the role "User" through Graph
    And the admin assigns the user "Kai Li" with the role "Default Access" through Graph
    And the admin sets Provisioning Mode to Automatic through Graph

  Scenario: Assigned users with the User role are provisioned once Provisioning Status is On
    When the admin clicks Test Connection with the Secret Token "not-the-secret-token" through Graph
    Then Graph answers 400 with the error code "CredentialValidationFailed"
    When the admin clicks Test Connection through Graph
    Then Graph answers 204
    When the admin saves the Admin Credentials and the Notification Email "admin@contoso.com" through Graph
    Then Graph answers 204
    And the job's status through Graph is "NotRun"
    When the admin sets Provisioning Status to On through Graph
    Then an initial cycle ran
    And the initial cycle provisions 1 user
    And the job's status through Graph is "Active"
    And the job's schedule through Graph is "Active" every "PT40M"
    And Account Center shows "Britta Simon" as "Licensed"
    And the provisioning logs through Graph show "Britta Simon" with the action "create" and the status "success"
    And the provisioning logs through Graph show "Kai Li" with the action "other" and the status "skipped"
    When 40 minutes pass on the provisim clock endpoint
    Then an incremental cycle ran
    And the job's status through Graph is "Active"
    When the admin restarts provisioning through Graph
    Then an initial cycle ran
    And the job's status through Graph is "Active"

  Scenario: Provision on demand, pause and restart through Graph
    Given the admin saves the Admin Credentials and the Notification Email "admin@contoso.com" through Graph
    When the admin provisions "Britta Simon" on demand through Graph
    Then provisioning on demand through Graph reports "Success" with the action "Create"
    And Account Center shows "Britta Simon" as "Licensed"
    When the admin sets Provisioning Status to On through Graph
    And the admin sets Provisioning Status to Off through Graph
    Then the job's status through Graph is "Paused"
    When 2 hours pass
    Then no cycle ran
    When the admin sets Provisioning Status to On through Graph
    And the admin restarts provisioning through Graph with the reset scope "Watermark, Escrows, QuarantineState"
    Then an initial cycle ran
    And the job's status through Graph is "Active"

  Scenario: A Save with an invalid Notification Email is refused and changes nothing
    When the admin saves the Admin Credentials and the Notification Email "not-an-email" through Graph
    Then Graph answers 400 with the error code "Request_BadRequest"
    And the job's status through Graph is "NotConfigured"

  Scenario: The audit log through Graph shows who changed the configuration and when it started, stopped and restarted
    Given the admin saves the Admin Credentials and the Notification Email "admin@contoso.com" through Graph
    When the admin sets Provisioning Status to On through Graph
    And the admin sets Provisioning Status to Off through Graph
    And the admin restarts provisioning through Graph
    Then the audit log through Graph shows, newest first:
      | activity                                   | initiated by             |
      | Enable/restart provisioning configuration  | graph-client@contoso.com |
      | Disable/pause provisioning configuration   | graph-client@contoso.com |
      | Enable/start provisioning configuration    | graph-client@contoso.com |
      | Update provisioning setting or credentials | graph-client@contoso.com |

@tutorial @conformance
Feature: Syncing users
  Tutorial steps 16-17 and what follows: Provisioning Status On starts the initial cycle;
  later cycles run about every 40 minutes and send only what changed. A user who leaves
  scope (unassigned, disabled, deleted) is disabled in LinkedIn; a hard delete in Entra
  deletes the account (entra §2 "Incremental cycle", "Deprovisioning").

  Background:
    Given the directory has the users "Britta Simon", "Carl Jones" and "Dana Lee"
    And "LinkedIn Elevate" is set up for automatic provisioning to the SCIM target
    And the admin assigns the users "Britta Simon", "Carl Jones" and "Dana Lee" with the role "User"

  Scenario: Provisioning Status On starts the initial cycle
    When the admin sets Provisioning Status to On and saves
    Then an initial cycle ran
    And the initial cycle provisions 3 users
    And the last cycle sent these SCIM requests:
      | method | resource | status |
      | GET    | /Users   | 200    |
      | POST   | /Users   | 201    |
      | GET    | /Users   | 200    |
      | POST   | /Users   | 201    |
      | GET    | /Users   | 200    |
      | POST   | /Users   | 201    |
    And the SCIM target has the users "Britta Simon", "Carl Jones" and "Dana Lee"

  Scenario: Nothing happens while Provisioning Status is Off
    When 2 hours pass
    Then no cycle ran
    And no SCIM request was sent
    And the SCIM target has no user "Britta Simon"

  Scenario: Incremental cycles run about every 40 minutes and send nothing when nothing changed
    Given the admin sets Provisioning Status to On and saves
    When 39 minutes pass
    Then no cycle ran
    When 1 minute passes
    Then an incremental cycle ran
    And no SCIM request was sent
    When 2 hours pass
    Then 3 incremental cycles ran
    And no SCIM request was sent

  Scenario: Provisioning Status Off pauses the job, On resumes it
    Given the admin sets Provisioning Status to On and saves
    When the admin sets Provisioning Status to Off and saves
    And the job title of "Britta Simon" changes to "Chief Tester" in Microsoft Entra ID
    And 2 hours pass
    Then no cycle ran
    When the admin sets Provisioning Status to On and saves
    Then an incremental cycle ran
    And the SCIM target's user "Britta Simon" has "title" set to "Chief Tester"

  Scenario: An attribute change is sent at the next cycle
    Given the admin sets Provisioning Status to On and saves
    When the job title of "Britta Simon" changes to "Chief Tester" in Microsoft Entra ID
    And 40 minutes pass
    Then the last cycle sent these SCIM requests:
      | method | resource            | status |
      | PATCH  | /Users/Britta Simon | 200    |
    And the SCIM target's user "Britta Simon" has "title" set to "Chief Tester"
    And the provisioning logs show an "Update" entry for "Britta Simon" with status "Success"

  Scenario: A changed surname updates the name in LinkedIn
    Given the admin sets Provisioning Status to On and saves
    When the surname of "Britta Simon" changes to "Simon-Jones" in Microsoft Entra ID
    And 40 minutes pass
    Then the SCIM target's user "Britta Simon" has "name.familyName" set to "Simon-Jones"
    # LinkedIn's connector template maps no name.formatted: the surname is all that changes.
    And the last PATCH to "Britta Simon" held 1 operation

  Scenario Outline: Leaving scope disables the user in LinkedIn: <event>
    Given the admin sets Provisioning Status to On and saves
    When <event>
    And 40 minutes pass
    Then the SCIM target's user "Britta Simon" is inactive
    And the provisioning logs show a "Disable" entry for "Britta Simon" with status "Success"
    And the SCIM target's user "Carl Jones" is active

    Examples:
      | event                                              |
      | the admin removes the assignment of "Britta Simon" |
      | "Britta Simon" is disabled in Microsoft Entra ID   |
      | "Britta Simon" is deleted in Microsoft Entra ID    |

  Scenario: Reassigning an unassigned user enables the account again
    Given the admin sets Provisioning Status to On and saves
    And the admin removes the assignment of "Britta Simon"
    And 40 minutes pass
    When the admin assigns the user "Britta Simon" with the role "User"
    And 40 minutes pass
    Then the SCIM target's user "Britta Simon" is active
    And the provisioning logs show an "Update" entry for "Britta Simon" with status "Success"

  Scenario: A user restored from Deleted users is enabled again
    Given the admin sets Provisioning Status to On and saves
    And "Britta Simon" is deleted in Microsoft Entra ID
    And 40 minutes pass
    When "Britta Simon" is restored from Deleted users
    And 40 minutes pass
    Then the SCIM target's user "Britta Simon" is active

  Scenario: A permanently deleted user is deleted in LinkedIn
    Given the admin sets Provisioning Status to On and saves
    And "Britta Simon" is deleted in Microsoft Entra ID
    And 40 minutes pass
    When "Britta Simon" is permanently deleted
    And 40 minutes pass
    Then the last cycle sent these SCIM requests:
      | method | resource            | status |
      | DELETE | /Users/Britta Simon | 204    |
    And the SCIM target has no user "Britta Simon"
    And the provisioning logs show a "Delete" entry for "Britta Simon" with status "Success"

  Scenario: A deleted user is purged after 30 days and then deleted in LinkedIn
    Given the admin sets Provisioning Status to On and saves
    And "Britta Simon" is deleted in Microsoft Entra ID
    When 31 days pass
    Then the SCIM target has no user "Britta Simon"
    And the provisioning logs show a "Delete" entry for "Britta Simon" with status "Success"

  Scenario: An unassigned user is no longer managed: deleting it later sends nothing
    Given the admin sets Provisioning Status to On and saves
    And the admin removes the assignment of "Britta Simon"
    And 40 minutes pass
    When "Britta Simon" is deleted in Microsoft Entra ID
    And 40 minutes pass
    And "Britta Simon" is permanently deleted
    And 40 minutes pass
    Then no SCIM request was sent
    And the SCIM target's user "Britta Simon" is inactive

  Scenario: The manager is provisioned as a reference to the manager's account
    Given the manager of "Britta Simon" is "Carl Jones"
    When the admin sets Provisioning Status to On and saves
    Then the SCIM target's user "Britta Simon" has the manager "Carl Jones"

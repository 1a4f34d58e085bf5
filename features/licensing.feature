@licensing
Feature: Licences: auto-assigned first come, first served, until all are taken
  With auto-assign licenses on, each provisioned user takes a seat of the configuration's
  licence type until none is left; a user provisioned then is still created, without a
  licence. Deactivation revokes the licence and frees the seat; with auto-assign off only
  user data syncs (linkedin-scim.md §3).

  Background:
    Given the directory has the users "Britta Simon", "Carl Jones" and "Dana Lee"

  Scenario Outline: Auto-assign licenses <switch>
    Given an Account Center admin adds a SCIM configuration "Entra ID" with auto-assign licenses <switch> for 2 seats
    And the admin selects Generate token
    And "LinkedIn Elevate" is set up for automatic provisioning to the SCIM target
    And the admin assigns the users "Britta Simon" and "Carl Jones" with the role "User"
    When the admin sets Provisioning Status to On and saves
    Then the initial cycle provisions 2 users
    And Account Center shows "Britta Simon" as "<state>"
    And Account Center shows "Carl Jones" as "<state>"
    And <used> of 2 seats are in use

    Examples:
      | switch | state      | used |
      | on     | Licensed   | 2    |
      | off    | Unlicensed | 0    |

  Scenario: Licences run out: the next user is created without one
    Given an Account Center admin adds a SCIM configuration "Entra ID" with auto-assign licenses on for 2 seats
    And the admin selects Generate token
    And "LinkedIn Elevate" is set up for automatic provisioning to the SCIM target
    And the admin assigns the users "Britta Simon" and "Carl Jones" with the role "User"
    And the admin sets Provisioning Status to On and saves
    When the admin assigns the user "Dana Lee" with the role "User"
    And 40 minutes pass
    Then the SCIM target has the user "Dana Lee"
    And Account Center shows "Dana Lee" as "NoLicenseAvailable"
    And 2 of 2 seats are in use

  Scenario: Unassigning a user revokes the licence and frees the seat for the next one
    Given an Account Center admin adds a SCIM configuration "Entra ID" with auto-assign licenses on for 2 seats
    And the admin selects Generate token
    And "LinkedIn Elevate" is set up for automatic provisioning to the SCIM target
    And the admin assigns the users "Britta Simon" and "Carl Jones" with the role "User"
    And the admin sets Provisioning Status to On and saves
    And the admin assigns the user "Dana Lee" with the role "User"
    And 40 minutes pass
    When the admin removes the assignment of "Britta Simon"
    And 40 minutes pass
    Then Account Center shows "Britta Simon" as "Revoked"
    And 1 of 2 seats are in use
    When the job title of "Dana Lee" changes to "Analyst" in Microsoft Entra ID
    And 40 minutes pass
    Then Account Center shows "Dana Lee" as "Licensed"
    And 2 of 2 seats are in use

  Scenario: Deleting a user in LinkedIn frees the seat
    Given an Account Center admin adds a SCIM configuration "Entra ID" with auto-assign licenses on for 2 seats
    And the admin selects Generate token
    And "LinkedIn Elevate" is set up for automatic provisioning to the SCIM target
    And the admin assigns the users "Britta Simon" and "Carl Jones" with the role "User"
    And the admin sets Provisioning Status to On and saves
    When "Britta Simon" is deleted in Microsoft Entra ID
    And 40 minutes pass
    And "Britta Simon" is permanently deleted
    And 40 minutes pass
    Then the SCIM target has no user "Britta Simon"
    And 1 of 2 seats are in use

  Scenario: A restored user is licensed again when a seat is free
    Given an Account Center admin adds a SCIM configuration "Entra ID" with auto-assign licenses on for 2 seats
    And the admin selects Generate token
    And "LinkedIn Elevate" is set up for automatic provisioning to the SCIM target
    And the admin assigns the users "Britta Simon" and "Carl Jones" with the role "User"
    And the admin sets Provisioning Status to On and saves
    When "Britta Simon" is deleted in Microsoft Entra ID
    And 40 minutes pass
    Then Account Center shows "Britta Simon" as "Revoked"
    When "Britta Simon" is restored from Deleted users
    And 40 minutes pass
    Then Account Center shows "Britta Simon" as "Licensed"
    And 2 of 2 seats are in use

  Scenario: Turning auto-assign licenses on later licenses users as they are next written
    Given an Account Center admin adds a SCIM configuration "Entra ID" with auto-assign licenses off for 2 seats
    And the admin selects Generate token
    And "LinkedIn Elevate" is set up for automatic provisioning to the SCIM target
    And the admin assigns the user "Britta Simon" with the role "User"
    And the admin sets Provisioning Status to On and saves
    When the Account Center admin turns auto-assign licenses on
    And the department of "Britta Simon" changes to "Marketing" in Microsoft Entra ID
    And 40 minutes pass
    Then Account Center shows "Britta Simon" as "Licensed"
    And 1 of 2 seats are in use

  Scenario: Adding seats lets a user without a licence take one
    Given an Account Center admin adds a SCIM configuration "Entra ID" with auto-assign licenses on for 1 seat
    And the admin selects Generate token
    And "LinkedIn Elevate" is set up for automatic provisioning to the SCIM target
    And the admin assigns the user "Britta Simon" with the role "User"
    And the admin sets Provisioning Status to On and saves
    And the admin assigns the user "Carl Jones" with the role "User"
    And 40 minutes pass
    When the Account Center admin sets the seats to 2
    And the job title of "Carl Jones" changes to "Analyst" in Microsoft Entra ID
    And 40 minutes pass
    Then Account Center shows "Carl Jones" as "Licensed"
    And 2 of 2 seats are in use

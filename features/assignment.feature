@tutorial
Feature: Assign users and groups to LinkedIn Elevate
  Only users and groups assigned to the application are provisioned. Test with one user
  first, then assign groups. Assign the User role.

  Two rules for "Default Access" exist, and each scenario below says which one it runs under:
  - the tutorial's rule, provisim's default for LinkedIn Elevate: "The 'Default Access' role
    does not work for provisioning" (linkedinelevate-provisioning-tutorial, 2024); such users
    are skipped as not effectively entitled;
  - Microsoft's current rule, a setting: since 04/16/2020 "Users assigned to the default
    access role will be evaluated the same as all other roles"
    (application-provisioning-config-problem-no-users-provisioned). The tutorial's sentence
    predates it.

  Background:
    Given the directory has the users "Britta Simon", "Carl Jones" and "Dana Lee"

  @conformance
  Scenario Outline: Under the tutorial's rule the User role provisions, Default Access does not
    Given "LinkedIn Elevate" is set up for automatic provisioning to the SCIM target
    And the admin assigns the user "Britta Simon" with the role "<role>"
    When the admin sets Provisioning Status to On and saves
    Then the saved settings evaluate Default Access by the tutorial's rule
    And the initial cycle provisions <provisioned> users
    And the provisioning logs show <article> "<action>" entry for "Britta Simon" with status "<status>"

    Examples:
      | role           | provisioned | article | action | status  |
      | User           | 1           | a       | Create | Success |
      | Default Access | 0           | an      | Other  | Skipped |

  Scenario: Under the tutorial's rule a user with Default Access only is logged as not effectively entitled
    Given "LinkedIn Elevate" is set up for automatic provisioning to the SCIM target
    And the admin assigns the user "Britta Simon" with the role "Default Access"
    When the admin sets Provisioning Status to On and saves
    Then the saved settings evaluate Default Access by the tutorial's rule
    And the provisioning logs show an "Other" entry for "Britta Simon" with status "Skipped" and the error code "NotEffectivelyEntitled"
    And the provisioning log entry for "Britta Simon" shows "IsEffectivelyEntitledForProvisioning" as "False"
    And the SCIM target has no user "Britta Simon"

  @conformance
  Scenario: Under Microsoft's current rule Default Access provisions like any role
    Given "LinkedIn Elevate" is set up for automatic provisioning to the SCIM target
    And Default Access is evaluated like any role, as in configurations created since 2020
    And the admin clicks Save
    And the admin assigns the user "Britta Simon" with the role "Default Access"
    When the admin sets Provisioning Status to On and saves
    Then the saved settings evaluate Default Access by Microsoft's current rule
    And the initial cycle provisions 1 user
    And the SCIM target has the user "Britta Simon"

  @conformance
  Scenario Outline: Moving a provisioned user from User to Default Access, under the <rule>
    Given "LinkedIn Elevate" is set up for automatic provisioning to the SCIM target
    And <setting>
    And the admin assigns the user "Britta Simon" with the role "User"
    And the admin sets Provisioning Status to On and saves
    When the admin assigns the user "Britta Simon" with the role "Default Access"
    And the admin removes the role "User" from "Britta Simon"
    And 40 minutes pass
    Then the saved settings evaluate Default Access by <rule>
    And the SCIM target's user "Britta Simon" is <state>

    Examples:
      | rule                     | setting                                                                            | state    |
      | the tutorial's rule      | the admin sets the Scope to "Sync only assigned users and groups"                  | inactive |
      | Microsoft's current rule | Default Access is evaluated like any role, as in configurations created since 2020 | active   |

  @conformance
  Scenario: Users who are not assigned are not provisioned
    Given "LinkedIn Elevate" is set up for automatic provisioning to the SCIM target
    And the admin assigns the user "Britta Simon" with the role "User"
    When the admin sets Provisioning Status to On and saves
    Then the SCIM target has the user "Britta Simon"
    And the SCIM target has no user "Carl Jones"
    And the provisioning logs have no entry for "Carl Jones"

  @conformance
  Scenario: With the Scope "Sync all users and groups", users need no assignment
    Given "LinkedIn Elevate" is set up for automatic provisioning to the SCIM target
    And the admin sets the Scope to "Sync all users and groups"
    When the admin sets Provisioning Status to On and saves
    Then the initial cycle provisions 3 users
    And the SCIM target has the users "Britta Simon", "Carl Jones" and "Dana Lee"

  @conformance
  Scenario: Test with one user first, then assign a group
    Given the directory has the group "Sales" with the members "Carl Jones" and "Dana Lee"
    And "LinkedIn Elevate" is set up for automatic provisioning to the SCIM target
    And the admin assigns the user "Britta Simon" with the role "User"
    When the admin sets Provisioning Status to On and saves
    Then the initial cycle provisions 1 user
    When the admin assigns the group "Sales" with the role "User"
    And 40 minutes pass
    Then an incremental cycle ran
    And the last cycle counted:
      | created | disabled | failed |
      | 3       | 0        | 0      |
    And the SCIM target has the users "Carl Jones" and "Dana Lee"
    And the SCIM target has the group "Sales" with the members "Carl Jones" and "Dana Lee"

  @errors
  Scenario: Adding the app needs at least the Cloud Application Administrator role
    Given the admin signs in to the Microsoft Entra admin center as a User Administrator
    When the admin tries to add "LinkedIn Elevate" from the gallery
    Then the portal refuses with "needs at least the Cloud Application Administrator role"

  Scenario Outline: Application administrators can add the app: <role>
    Given the admin signs in to the Microsoft Entra admin center as <article> <role>
    When the admin adds "LinkedIn Elevate" from the gallery
    Then "LinkedIn Elevate" is listed under Enterprise applications

    Examples:
      | article | role                            |
      | a       | Cloud Application Administrator |
      | an      | Application Administrator       |
      | a       | Global Administrator            |

@tutorial @conformance
Feature: Syncing groups and memberships
  Assigned groups are provisioned after their users: created empty, then members are added
  by PATCH with the members' LinkedIn ids. Only direct members are in scope; a member who
  leaves the group leaves scope (entra §1 "Groups", §2 "Scope").

  Background:
    Given the directory has the users "Britta Simon", "Carl Jones" and "Dana Lee"
    And the directory has the group "Sales" with the members "Britta Simon" and "Carl Jones"
    And "LinkedIn Elevate" is set up for automatic provisioning to the SCIM target
    And the admin assigns the group "Sales" with the role "User"

  Scenario: A group is created empty, then its members are added
    When the admin sets Provisioning Status to On and saves
    Then the initial cycle provisions 2 users and 1 group
    And the last cycle sent these SCIM requests:
      | method | resource      | status |
      | GET    | /Users        | 200    |
      | POST   | /Users        | 201    |
      | GET    | /Users        | 200    |
      | POST   | /Users        | 201    |
      | GET    | /Groups       | 200    |
      | POST   | /Groups       | 201    |
      | PATCH  | /Groups/Sales | 204    |
      | PATCH  | /Groups/Sales | 204    |
    And the SCIM target has the group "Sales" with the members "Britta Simon" and "Carl Jones"
    And the SCIM target has no user "Dana Lee"

  Scenario: A new member is provisioned and added to the group
    Given the admin sets Provisioning Status to On and saves
    When "Dana Lee" is added to the group "Sales"
    And 40 minutes pass
    Then the SCIM target has the user "Dana Lee"
    And the SCIM target has the group "Sales" with the members "Britta Simon", "Carl Jones" and "Dana Lee"

  Scenario: A member who leaves the group is disabled and removed from it
    Given the admin sets Provisioning Status to On and saves
    When "Carl Jones" is removed from the group "Sales"
    And 40 minutes pass
    Then the SCIM target's user "Carl Jones" is inactive
    And the SCIM target has the group "Sales" with the members "Britta Simon"

  Scenario: A renamed group is renamed in LinkedIn
    Given the admin sets Provisioning Status to On and saves
    When the group "Sales" is renamed to "Field Sales"
    And 40 minutes pass
    Then the last cycle sent these SCIM requests:
      | method | resource      |
      | PATCH  | /Groups/Sales |
    And the SCIM target has the group "Field Sales" with the members "Britta Simon" and "Carl Jones"
    And the SCIM target has no group "Sales"

  Scenario: A group deleted in Entra is deleted in LinkedIn
    Given the admin sets Provisioning Status to On and saves
    When the group "Sales" is deleted in Microsoft Entra ID
    And 40 minutes pass
    Then the SCIM target has no group "Sales"
    And the provisioning logs show a "Delete" entry for "Sales" with status "Success"

  Scenario: Members of a nested group are not in scope
    Given the directory has the group "Sales Leads" with the members "Dana Lee"
    And the directory has the group "All Sales" with the group "Sales Leads" as its member
    And the admin assigns the group "All Sales" with the role "User"
    When the admin sets Provisioning Status to On and saves
    Then the SCIM target has no user "Dana Lee"
    And the SCIM target has the group "All Sales" with no members

  Scenario: With the group mapping disabled, the group's users are provisioned but not the group
    Given the admin disables the group mapping
    When the admin sets Provisioning Status to On and saves
    Then the SCIM target has the users "Britta Simon" and "Carl Jones"
    And the SCIM target has no group "Sales"


  @errors
  Scenario: A member who comes back into scope joins the group only after a Restart
    # known-issues, "Member of group not provisioned": "If the member comes back into scope,
    # the service won't immediately detect the change. Restarting provisioning addresses the
    # issue." (EngineSettings.member_entering_scope_waits_for_restart, on by default)
    Given the department of "Britta Simon" changes to "Sales" in Microsoft Entra ID
    And the admin opens the attribute mapping "Provision Microsoft Entra ID Users"
    And adds the scoping filter "Sales only" where "department" EQUALS "Sales"
    And saves the attribute mapping
    And the admin sets Provisioning Status to On and saves
    When the department of "Carl Jones" changes to "Sales" in Microsoft Entra ID
    And 40 minutes pass
    Then the SCIM target has the user "Carl Jones"
    And the SCIM target has the group "Sales" with the members "Britta Simon"
    When 40 minutes pass
    Then the last cycle sent no SCIM request
    When the admin restarts provisioning
    Then the SCIM target has the group "Sales" with the members "Britta Simon" and "Carl Jones"

  @errors
  Scenario: A group whose name has special characters cannot be synced
    # known-issues, "Special characters are not supported on joining properties": "a group
    # with a special character on the name ... can't be synced to a target system."
    # (EngineSettings.unsupported_matching_characters; which characters is provisim's guess)
    Given the directory has the group "R&D #1" with the members "Dana Lee"
    And the admin assigns the group "R&D #1" with the role "User"
    When the admin sets Provisioning Status to On and saves
    Then the SCIM target has the user "Dana Lee"
    And the SCIM target has no group "R&D #1"
    And the provisioning logs show a "Create" entry for "R&D #1" with status "Failure" and the error code "SystemForCrossDomainIdentityManagementBadRequest"

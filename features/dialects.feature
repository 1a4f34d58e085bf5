@dialect
Feature: Entra's two PATCH dialects
  Without a flag, Entra speaks its default PATCH dialect: capitalised ops, active as the
  string "False", members removed with a value array. With aadOptscim062020 in the Tenant
  URL it speaks RFC 7644: lower-case ops, boolean active, members removed by a filtered
  path (entra §1, §5). A SCIM service must accept both.

  Background:
    Given the directory has the users "Britta Simon" and "Carl Jones"
    And the directory has the group "Sales" with the members "Britta Simon" and "Carl Jones"

  @conformance
  Scenario Outline: Disabling a user in the <dialect> dialect
    Given "LinkedIn Elevate" is set up for automatic provisioning to the SCIM target in the <dialect> dialect
    And the admin assigns the users "Britta Simon" and "Carl Jones" with the role "User"
    And the admin sets Provisioning Status to On and saves
    When the admin removes the assignment of "Britta Simon"
    And 40 minutes pass
    Then the last PATCH to "Britta Simon" set "active" to <active> with the op "<op>"
    And the SCIM target's user "Britta Simon" is inactive

    Examples:
      | dialect          | active  | op      |
      | default          | "False" | Replace |
      | aadOptscim062020 | false   | replace |

  @conformance
  Scenario Outline: Enabling a user again in the <dialect> dialect
    Given "LinkedIn Elevate" is set up for automatic provisioning to the SCIM target in the <dialect> dialect
    And the admin assigns the users "Britta Simon" and "Carl Jones" with the role "User"
    And the admin sets Provisioning Status to On and saves
    And "Britta Simon" is disabled in Microsoft Entra ID
    And 40 minutes pass
    When "Britta Simon" is enabled again in Microsoft Entra ID
    And 40 minutes pass
    Then the last PATCH to "Britta Simon" set "active" to <active> with the op "<op>"
    And the SCIM target's user "Britta Simon" is active

    Examples:
      | dialect          | active | op      |
      | default          | "True" | Replace |
      | aadOptscim062020 | true   | replace |

  @conformance
  Scenario Outline: Removing a group member in the <dialect> dialect
    Given "LinkedIn Elevate" is set up for automatic provisioning to the SCIM target in the <dialect> dialect
    And the admin assigns the group "Sales" with the role "User"
    And the admin sets Provisioning Status to On and saves
    When "Carl Jones" is removed from the group "Sales"
    And 40 minutes pass
    Then the last PATCH to the group "Sales" removed "Carl Jones" with a <how>
    And the SCIM target has the group "Sales" with the members "Britta Simon"

    Examples:
      | dialect          | how           |
      | default          | value array   |
      | aadOptscim062020 | filtered path |

  @conformance
  Scenario Outline: An attribute change in the <dialect> dialect
    Given "LinkedIn Elevate" is set up for automatic provisioning to the SCIM target in the <dialect> dialect
    And the admin assigns the user "Britta Simon" with the role "User"
    And the admin sets Provisioning Status to On and saves
    When the display name of "Britta Simon" changes to "Britta Simon-Jones" in Microsoft Entra ID
    And 40 minutes pass
    Then the last PATCH to "Britta Simon" set "displayName" to "Britta Simon-Jones" with the op "<op>"
    And the SCIM target's user "Britta Simon" has "displayName" set to "Britta Simon-Jones"

    Examples:
      | dialect          | op      |
      | default          | Replace |
      | aadOptscim062020 | replace |

  @conformance
  Scenario Outline: Several attributes changing at once in the <dialect> dialect
    Given "LinkedIn Elevate" is set up for automatic provisioning to the SCIM target in the <dialect> dialect
    And the admin assigns the user "Britta Simon" with the role "User"
    And the admin sets Provisioning Status to On and saves
    When the display name of "Britta Simon" changes to "Britta S." in Microsoft Entra ID
    And the surname of "Britta Simon" changes to "Simon-Jones" in Microsoft Entra ID
    And 40 minutes pass
    Then the last PATCH to "Britta Simon" held <count> <operations>
    And the last PATCH to "Britta Simon" set "displayName" to "Britta S." with the op "<op>"
    And the SCIM target's user "Britta Simon" has "name.familyName" set to "Simon-Jones"

    Examples:
      | dialect          | count | operations | op      |
      | default          | 2     | operations | Replace |
      | aadOptscim062020 | 1     | operation  | replace |

  @conformance
  Scenario: Provision on demand always speaks the default dialect
    Given "LinkedIn Elevate" is set up for automatic provisioning to the SCIM target in the aadOptscim062020 dialect
    And the admin assigns the user "Britta Simon" with the role "User"
    And the admin sets Provisioning Status to On and saves
    And the display name of "Britta Simon" changes to "Britta Simon-Lee" in Microsoft Entra ID
    When the admin provisions "Britta Simon" on demand
    Then the last PATCH to "Britta Simon" set "displayName" to "Britta Simon-Lee" with the op "Replace"

  @errors
  Scenario Outline: A service that refuses the default dialect works only with the flag: <dialect>
    Given LinkedIn's SCIM service runs the fault profile "refuse-default-dialect"
    And "LinkedIn Elevate" is set up for automatic provisioning to the SCIM target in the <dialect> dialect
    And the admin assigns the users "Britta Simon" and "Carl Jones" with the role "User"
    And the admin sets Provisioning Status to On and saves
    When the admin removes the assignment of "Britta Simon"
    And 40 minutes pass
    Then the SCIM target's user "Britta Simon" is <state>

    Examples:
      | dialect          | state    |
      | default          | active   |
      | aadOptscim062020 | inactive |
